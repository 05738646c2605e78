import type { Socket } from 'node:net';
import { LineDecoder, type DecodedLine } from '../protocol/line-decoder.js';
import { MAX_REQUEST_BYTES, type Request, type Response } from '../protocol/messages.js';
import { parseRequest, type ParsedRequest } from '../protocol/parse-request.js';
import { messageOf } from '../errors.js';
import { printableJson } from '../text/printable-json.js';

/**
 * Output a client may leave unread before it is dropped: a subscriber that never reads must not
 * make the daemon hold its events forever.
 */
export const MAX_UNREAD_BYTES = 4 * 1024 * 1024;

/**
 * A connection that neither asks nor listens for this long is closed: a script may keep one open
 * between requests, but forgotten ones must not pile up to the daemon's connection limit.
 */
export const IDLE_CONNECTION_MS = 60_000;

/** Answers a request, at once or later (switching waits on tmux and the WM); `undefined` when the answer is a stream (subscribe). */
export type RequestHandler = (request: Request, from: ClientConnection) => Response | Promise<Response> | undefined;

/**
 * One client on the socket: any number of requests, one per line, each answered on its own line.
 * A bad request gets `{"ok":false,"error":…}` and the connection stays usable.
 */
export class ClientConnection {
  private readonly decoder = new LineDecoder(MAX_REQUEST_BYTES);
  private closed = false;
  /** Requests already received, waiting for the client to read the answers before them. */
  private waiting: DecodedLine[] = [];
  private nextWaiting = 0;
  /** A request is being answered asynchronously. */
  private answering = false;
  /** Subscribed: the connection is a stream of events, never idle. */
  private streaming = false;
  private lastActivityMs = Date.now();

  constructor(
    private readonly socket: Socket,
    private readonly handle: RequestHandler,
    /** Told of each rejected request (for the daemon's debug log). */
    private readonly onRejected: (error: string) => void,
    onClose: () => void,
    options: { idleMs?: number } = {},
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => this.answerWaiting());
    socket.on('error', () => socket.destroy());
    socket.setTimeout(options.idleMs ?? IDLE_CONNECTION_MS, () => {
      if (this.idleSinceMs !== undefined) socket.destroy();
    });
    socket.on('close', () => {
      this.closed = true;
      onClose();
    });
  }

  /**
   * Writes one line. A stream event (`dropIfBehind`) to a client that has left more than
   * MAX_UNREAD_BYTES unread ends that client instead: it does not read, so it is gone.
   */
  send(message: object, options: { dropIfBehind?: boolean } = {}): void {
    this.sendLine(printableJson(message), options);
  }

  /** `send` for a line already serialized (with `printableJson`): an event sent to every subscriber is serialized once. */
  sendLine(line: string, options: { dropIfBehind?: boolean } = {}): void {
    if (this.closed || this.socket.destroyed) return;
    if (options.dropIfBehind && this.socket.writableLength > MAX_UNREAD_BYTES) {
      this.socket.destroy();
      return;
    }
    this.socket.write(`${line}\n`);
  }

  /** From now on the connection carries events (subscribe): it is never closed for being idle. */
  startStream(): void {
    this.streaming = true;
  }

  /**
   * Since when the client has neither asked anything nor waited for an answer; undefined while
   * it does, or while it is subscribed.
   */
  get idleSinceMs(): number | undefined {
    if (this.streaming || this.answering || this.nextWaiting < this.waiting.length) return undefined;
    return this.lastActivityMs;
  }

  /** Ends the conversation after what was already written. */
  end(): void {
    if (!this.closed) this.socket.end();
  }

  /** Cuts the connection at once, whatever is unsent and whether the client has hung up or not. */
  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.lastActivityMs = Date.now();
    for (const item of this.decoder.push(chunk)) this.waiting.push(item);
    this.answerWaiting();
  }

  /**
   * Answers received requests in order while the client keeps up; when its unread answers pass
   * MAX_UNREAD_BYTES, stops reading from it until it has drained them. A client that pipelines
   * many requests is slowed, never dropped, and never makes the daemon hold more than that.
   */
  private answerWaiting(): void {
    while (this.nextWaiting < this.waiting.length && !this.closed) {
      // Answers go out in the order of the requests: wait for one that takes time.
      if (this.answering) return;
      if (this.socket.writableLength > MAX_UNREAD_BYTES) {
        this.socket.pause();
        return;
      }
      const item = this.waiting[this.nextWaiting++];
      if (item !== undefined) this.answer(item);
    }
    this.waiting = [];
    this.nextWaiting = 0;
    if (this.socket.isPaused()) this.socket.resume();
  }

  private answer(item: DecodedLine): void {
    const parsed: ParsedRequest =
      item.kind === 'too-long'
        ? { ok: false, error: `request line too long (over ${MAX_REQUEST_BYTES} bytes); send one short JSON object per line` }
        : parseRequest(item.text);
    if (!parsed.ok) {
      this.onRejected(parsed.error);
      this.send({ ok: false, error: parsed.error } satisfies Response);
      return;
    }
    const response = this.handle(parsed.request, this);
    if (response instanceof Promise) {
      this.answering = true;
      void response.then(
        (answer) => this.finishAnswer(answer),
        (error: unknown) => this.finishAnswer({ ok: false, error: messageOf(error) }),
      );
    } else if (response !== undefined) {
      this.send(response);
    }
  }

  private finishAnswer(answer: Response): void {
    this.answering = false;
    this.lastActivityMs = Date.now();
    this.send(answer);
    this.answerWaiting();
  }
}
