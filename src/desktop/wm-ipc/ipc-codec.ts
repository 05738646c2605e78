import { EVENT_BIT } from './message-types.js';

/** Every i3 IPC frame starts with these six bytes. */
export const IPC_MAGIC = Buffer.from('i3-ipc', 'ascii');

/** Magic, then payload length and type, each a uint32 (native order; little-endian on the machines vmux runs on). */
export const HEADER_BYTES = IPC_MAGIC.length + 4 + 4;

/**
 * A reply or event longer than this is not from a WM: i3's tree for a busy desktop is a few
 * megabytes. Refusing it up front keeps a broken peer from making vmux buffer gigabytes.
 */
export const MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;

const UINT32_MAX = 0xffff_ffff;

/** Builds one message: magic, payload length, type, payload (UTF-8). */
export function encodeMessage(type: number, payload = ''): Buffer {
  if (!Number.isInteger(type) || type < 0 || type > UINT32_MAX) {
    throw new RangeError(`an IPC message type is a uint32, not ${type}`);
  }
  const body = Buffer.from(payload, 'utf8');
  if (body.length > MAX_PAYLOAD_BYTES) {
    throw new RangeError(`an IPC payload of ${body.length} bytes is over the ${MAX_PAYLOAD_BYTES}-byte limit`);
  }
  const header = Buffer.alloc(HEADER_BYTES);
  IPC_MAGIC.copy(header, 0);
  header.writeUInt32LE(body.length, IPC_MAGIC.length);
  header.writeUInt32LE(type, IPC_MAGIC.length + 4);
  return Buffer.concat([header, body]);
}

/** One complete frame. `type` has the event bit removed; `isEvent` says whether it was set. */
export interface IpcFrame {
  readonly kind: 'frame';
  readonly type: number;
  readonly isEvent: boolean;
  readonly payload: string;
}

/** The stream is not i3 IPC (or not any more): nothing after this can be trusted. */
export interface IpcCorruption {
  readonly kind: 'corrupt';
  readonly reason: string;
}

export type DecodedFrame = IpcFrame | IpcCorruption;

/**
 * Splits a byte stream from i3 or sway into frames, whatever the chunking. A wrong magic is
 * reported as soon as the first wrong byte arrives and a length over the limit as soon as the
 * header is complete; after that the decoder is broken for good and drops everything, so a
 * garbage stream can neither hang a caller nor grow a buffer. A pure class: no I/O, no timers.
 */
export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Payload length of the frame being read, once its header is in. */
  private payloadBytes: number | undefined;
  private frameType = 0;
  private corruption: IpcCorruption | undefined;

  constructor(private readonly maxPayloadBytes = MAX_PAYLOAD_BYTES) {}

  /** Takes a chunk (kept until its frames are out: do not reuse the buffer) and returns what it completes. */
  push(chunk: Buffer): DecodedFrame[] {
    if (this.corruption !== undefined || chunk.length === 0) return [];
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const out: DecodedFrame[] = [];
    for (;;) {
      const item = this.next();
      if (item === undefined) break;
      out.push(item);
      if (item.kind === 'corrupt') break;
    }
    return out;
  }

  /**
   * Called when the stream ends: a frame cut short is corruption, said with how much of it came.
   * Undefined when the stream ended cleanly between frames.
   */
  finish(): IpcCorruption | undefined {
    if (this.corruption !== undefined || this.pendingBytes === 0) return undefined;
    const reason =
      this.payloadBytes === undefined
        ? `the stream ended inside a frame header (${this.pendingBytes} of ${HEADER_BYTES} bytes)`
        : `the stream ended inside a frame (${this.pendingBytes} of ${this.payloadBytes} payload bytes)`;
    return this.fail(reason);
  }

  /** Bytes held for an unfinished frame. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** True once the stream was found not to be i3 IPC. */
  get isCorrupt(): boolean {
    return this.corruption !== undefined;
  }

  private next(): DecodedFrame | undefined {
    if (this.payloadBytes === undefined) {
      const magicSeen = Math.min(this.pendingBytes, IPC_MAGIC.length);
      const start = this.peek(magicSeen);
      if (!start.equals(IPC_MAGIC.subarray(0, magicSeen))) {
        return this.fail(`the stream does not start with the i3-ipc magic (got ${JSON.stringify(start.toString('latin1'))})`);
      }
      if (this.pendingBytes < HEADER_BYTES) return undefined;
      const header = this.take(HEADER_BYTES);
      const length = header.readUInt32LE(IPC_MAGIC.length);
      if (length > this.maxPayloadBytes) {
        return this.fail(`a frame announces ${length} payload bytes, over the ${this.maxPayloadBytes}-byte limit`);
      }
      this.payloadBytes = length;
      this.frameType = header.readUInt32LE(IPC_MAGIC.length + 4);
    }
    if (this.pendingBytes < this.payloadBytes) return undefined;
    const payload = this.take(this.payloadBytes).toString('utf8');
    this.payloadBytes = undefined;
    const isEvent = (this.frameType & EVENT_BIT) !== 0;
    // `>>> 0` keeps the type an unsigned number after the bitwise AND.
    return { kind: 'frame', type: (this.frameType & ~EVENT_BIT) >>> 0, isEvent, payload };
  }

  private fail(reason: string): IpcCorruption {
    this.corruption = { kind: 'corrupt', reason };
    this.pending = [];
    this.pendingBytes = 0;
    this.payloadBytes = undefined;
    return this.corruption;
  }

  /** The first `count` pending bytes, left in place. */
  private peek(count: number): Buffer {
    const first = this.pending[0];
    if (first !== undefined && first.length >= count) return first.subarray(0, count);
    return Buffer.concat(this.pending, this.pendingBytes).subarray(0, count);
  }

  /** Removes and returns the first `count` pending bytes (`count` at most `pendingBytes`). */
  private take(count: number): Buffer {
    const joined = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingBytes);
    const taken = joined.subarray(0, count);
    const rest = joined.subarray(count);
    this.pending = rest.length === 0 ? [] : [rest];
    this.pendingBytes = rest.length;
    return taken;
  }
}
