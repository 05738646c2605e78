import type { Socket } from 'node:net';
import { LineDecoder } from '../protocol/line-decoder.js';
import { MAX_REQUEST_BYTES, type Request, type Response } from '../protocol/messages.js';
import { parseRequest } from '../protocol/parse-request.js';

/**
 * Output a client may leave unread before it is dropped: a subscriber that never reads must not
 * make the daemon hold its events forever.
 */
export const MAX_UNREAD_BYTES = 4 * 1024 * 1024;

/** Answers a request; `undefined` when the answer is a stream (subscribe). */
export type RequestHandler = (request: Request, from: ClientConnection) => Response | undefined;

/**
 * One client on the socket: any number of requests, one per line, each answered on its own line.
 * A bad request gets `{"ok":false,"error":…}` and the connection stays usable.
 */
export class ClientConnection {
  private readonly decoder = new LineDecoder(MAX_REQUEST_BYTES);
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly handle: RequestHandler,
    onClose: () => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.closed = true;
      onClose();
    });
  }

  send(message: object): void {
    if (this.closed || this.socket.destroyed) return;
    if (this.socket.writableLength > MAX_UNREAD_BYTES) {
      this.socket.destroy();
      return;
    }
    this.socket.write(`${JSON.stringify(message)}\n`);
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
    for (const item of this.decoder.push(chunk)) {
      if (item.kind === 'too-long') {
        this.send({ ok: false, error: `request line too long (over ${MAX_REQUEST_BYTES} bytes); send one short JSON object per line` });
        continue;
      }
      const parsed = parseRequest(item.text);
      if (!parsed.ok) {
        this.send({ ok: false, error: parsed.error } satisfies Response);
        continue;
      }
      const response = this.handle(parsed.request, this);
      if (response !== undefined) this.send(response);
    }
  }
}
