import { closeSync, readSync } from 'node:fs';
import { openRegularFile } from '../files/read-regular-file.js';
import { readTranscriptRecord, type ConversationEntry, type TranscriptRecord } from './transcript-record.js';

/** Conversation records kept from the end of a transcript: enough to decide state and preview. */
export const DEFAULT_TAIL_RECORDS = 10;

/** A single line longer than this (a huge tool result) is skipped, never held in memory. */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

/** Reading stops after this many bytes from the end, whatever was found: the cost stays bounded. */
export const MAX_TAIL_BYTES = 32 * 1024 * 1024;

const BLOCK_BYTES = 64 * 1024;

/**
 * The block every read goes through, kept: a daemon's first scan reads the tails of all sessions
 * at once, and a new 64 KiB buffer for each left its process several MiB larger for good (freed
 * memory that the allocator keeps). Undefined while a read holds it.
 */
let spareBlock: Buffer | undefined = Buffer.allocUnsafe(BLOCK_BYTES);
const NEWLINE = 0x0a;

/** The end of a transcript, in conversation order. */
export interface TranscriptTail {
  /** Records that move the main conversation, oldest first, ordered by the `parentUuid` chain. */
  readonly entries: readonly ConversationEntry[];
  /** `gitBranch` of the newest record that has one. */
  readonly gitBranch?: string;
  /** Newest timestamp of any record read (timestamps are not monotonic, so the max). */
  readonly lastActivity?: Date;
  /** True when reading stopped before the start of the file. */
  readonly truncated: boolean;
}

export interface TailReadOptions {
  readonly maxLineBytes?: number;
  readonly maxTailBytes?: number;
}

/**
 * Reads the last `maxRecords` conversation records of a JSONL transcript, backwards from its end,
 * so the cost depends on the tail, not on the file's size. Noise records (attachments, snapshots,
 * titles, modes…) do not count against `maxRecords` but keep their place in the chain. Torn,
 * malformed and oversized lines are skipped. Throws only when the file cannot be opened or read.
 */
export function tailReadJsonl(path: string, maxRecords: number, options: TailReadOptions = {}): TranscriptTail {
  const newestFirst: TranscriptRecord[] = [];
  let conversationRecords = 0;
  const { truncated } = forEachLineBackwards(
    path,
    (line) => {
      const record = parseLine(line);
      if (record === undefined) return false;
      newestFirst.push(record);
      if (record.entry !== undefined) conversationRecords++;
      return conversationRecords >= maxRecords;
    },
    options,
  );
  return tailFrom(newestFirst.reverse(), truncated);
}

/**
 * Calls `onLine` with each line of a file, newest first and without its newline (a view valid
 * only during the call: the buffer behind it is used again), until it returns true or
 * `maxTailBytes` have been read; lines longer than `maxLineBytes` are skipped, never held in memory. `truncated`: the start of the file was not reached. Anything but a regular
 * file (a FIFO, a device) throws `UnreadableFileError` at once rather than block or never end.
 */
export function forEachLineBackwards(path: string, onLine: (line: Buffer) => boolean, options: TailReadOptions = {}): { truncated: boolean } {
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  const maxTailBytes = options.maxTailBytes ?? MAX_TAIL_BYTES;
  const { fd, size } = openRegularFile(path);
  let truncated = false;
  // A read started from within `onLine` gets a block of its own.
  const block = spareBlock ?? Buffer.allocUnsafe(BLOCK_BYTES);
  spareBlock = undefined;
  try {
    let position = size;
    // Bytes of the line that continues past the start of the block being read, newest last.
    let carry: Buffer[] = [];
    let carryBytes = 0;
    let oversized = false;

    const finishLine = (head: Buffer): boolean => {
      const tooLong = oversized || head.length + carryBytes > maxLineBytes;
      const line = tooLong ? undefined : carryBytes === 0 ? head : Buffer.concat([head, ...carry]);
      carry = [];
      carryBytes = 0;
      oversized = false;
      return line !== undefined && line.length > 0 && onLine(line);
    };

    let done = false;
    while (!done && position > 0) {
      if (size - position >= maxTailBytes) {
        truncated = true;
        break;
      }
      const length = Math.min(BLOCK_BYTES, position);
      position -= length;
      readFully(fd, block, length, position);
      const view = block.subarray(0, length);
      let end = length;
      while (!done && end > 0) {
        const newline = view.lastIndexOf(NEWLINE, end - 1);
        if (newline < 0) break;
        done = finishLine(view.subarray(newline + 1, end));
        end = newline;
      }
      if (done) {
        truncated = true;
        break;
      }
      // The start of this block belongs to a line that began earlier.
      if (!oversized) {
        carry.unshift(Buffer.from(block.subarray(0, end)));
        carryBytes += end;
        if (carryBytes > maxLineBytes) {
          oversized = true;
          carry = [];
        }
      }
    }
    if (!done && position === 0 && !truncated) finishLine(Buffer.alloc(0));
  } finally {
    closeSync(fd);
    spareBlock = block;
  }
  return { truncated };
}

function readFully(fd: number, buffer: Buffer, length: number, position: number): void {
  let read = 0;
  while (read < length) {
    const n = readSync(fd, buffer, read, length - read, position + read);
    if (n === 0) throw new Error('transcript shrank while being read');
    read += n;
  }
}

/** A torn, binary or malformed line is no record; it must not stop the reading. */
function parseLine(line: Buffer): TranscriptRecord | undefined {
  if (line.length === 0) return undefined;
  try {
    return readTranscriptRecord(JSON.parse(line.toString('utf8')));
  } catch {
    return undefined;
  }
}

function tailFrom(records: readonly TranscriptRecord[], truncated: boolean): TranscriptTail {
  let gitBranch: string | undefined;
  let lastActivityMs: number | undefined;
  for (const record of records) {
    if (record.gitBranch !== undefined && record.gitBranch !== '') gitBranch = record.gitBranch;
    if (record.timeMs !== undefined && (lastActivityMs === undefined || record.timeMs > lastActivityMs)) {
      lastActivityMs = record.timeMs;
    }
  }
  const entries = conversationOrder(records).flatMap((record) => (record.entry ? [record.entry] : []));
  return {
    entries,
    ...(gitBranch !== undefined ? { gitBranch } : {}),
    ...(lastActivityMs !== undefined ? { lastActivity: new Date(lastActivityMs) } : {}),
    truncated,
  };
}

/**
 * Orders records as the conversation happened: by time, but never a record before its parent in
 * the `parentUuid` chain (seen with 2.1.197: a prompt written to the file after its own answer).
 * Time, not a walk of the tree, orders the branches of parallel tool calls, whose results hang off
 * different tool_use records. A record without a timestamp keeps its place in the file.
 */
export function conversationOrder(records: readonly TranscriptRecord[]): TranscriptRecord[] {
  const indexByUuid = new Map<string, number>();
  const timeKeys: number[] = [];
  let previousTime = Number.NEGATIVE_INFINITY;
  records.forEach((record, index) => {
    if (record.uuid !== undefined && !indexByUuid.has(record.uuid)) indexByUuid.set(record.uuid, index);
    previousTime = record.timeMs ?? previousTime;
    timeKeys.push(previousTime);
  });
  const byTime = records.map((_, index) => index);
  byTime.sort((a, b) => (timeKeys[a] ?? 0) - (timeKeys[b] ?? 0) || a - b);

  const ordered: TranscriptRecord[] = [];
  const emitted = new Set<number>();
  const waitingForParent = new Map<number, number[]>();
  const emit = (first: number): void => {
    const pending = [first];
    for (let index = pending.shift(); index !== undefined; index = pending.shift()) {
      if (emitted.has(index)) continue;
      emitted.add(index);
      const record = records[index];
      if (record !== undefined) ordered.push(record);
      pending.unshift(...(waitingForParent.get(index) ?? []));
      waitingForParent.delete(index);
    }
  };
  for (const index of byTime) {
    const uuid = records[index]?.parentUuid;
    const parent = uuid === undefined ? undefined : indexByUuid.get(uuid);
    if (parent !== undefined && parent !== index && !emitted.has(parent)) {
      const siblings = waitingForParent.get(parent);
      if (siblings) siblings.push(index);
      else waitingForParent.set(parent, [index]);
      continue;
    }
    emit(index);
  }
  // Records whose parent links form a cycle (a corrupt file) were never released: file order.
  records.forEach((_, index) => emit(index));
  return ordered;
}
