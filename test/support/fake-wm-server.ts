import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { encodeMessage, FrameDecoder } from '../../src/desktop/wm-ipc/ipc-codec.js';
import { EVENT_TYPES, eventWireType, MESSAGE_TYPES, type EventTypeName } from '../../src/desktop/wm-ipc/message-types.js';

/**
 * For unit tests only: a stand-in for i3 on a real Unix socket, answering from a request→reply
 * table. It fakes a program vmux does not own, beside (not instead of) the tests on a real i3
 * and sway; what it cannot show is that real WMs send what the table says.
 */
export type FakeReply =
  /** A well-formed reply of the request's type. */
  | { readonly json: unknown }
  /** These bytes, as they are (garbage, a wrong type, a huge length). */
  | { readonly bytes: Buffer }
  /** The first `bytes` bytes of the well-formed reply, then hang up. */
  | { readonly json: unknown; readonly cutAfterBytes: number }
  /** Hang up without a word. */
  | { readonly hangUp: true }
  /** Never answer. */
  | { readonly silent: true };

export type FakeReplyTable = Partial<Record<number, FakeReply | ((payload: string) => FakeReply)>>;

export interface FakeWmServer {
  readonly path: string;
  /** Every request received, in order, across connections. */
  readonly requests: readonly { readonly type: number; readonly payload: string }[];
  /** Sends an event to every connection subscribed to it; resolves with how many got it. */
  emitEvent(name: EventTypeName, json: unknown): Promise<number>;
  /** Writes bytes to every subscribed connection (a garbage event). */
  emitBytes(bytes: Buffer): Promise<void>;
  /** Hangs up on every client. */
  dropClients(): void;
  close(): Promise<void>;
}

export async function startFakeWm(dir: string, table: FakeReplyTable): Promise<FakeWmServer> {
  const path = join(dir, `fake-wm-${process.pid}-${Math.random().toString(36).slice(2)}.sock`);
  const requests: { type: number; payload: string }[] = [];
  const clients = new Set<Socket>();
  const subscriptions = new Map<Socket, Set<string>>();

  const answer = (socket: Socket, type: number, payload: string): void => {
    requests.push({ type, payload });
    const entry = table[type];
    const reply = typeof entry === 'function' ? entry(payload) : (entry ?? { hangUp: true });
    if ('silent' in reply) return;
    if ('hangUp' in reply) {
      socket.destroy();
      return;
    }
    if ('bytes' in reply) {
      socket.write(reply.bytes);
      return;
    }
    const encoded = encodeMessage(type, JSON.stringify(reply.json));
    if (type === MESSAGE_TYPES.SUBSCRIBE.code && isAccepted(reply.json)) {
      subscriptions.set(socket, new Set(JSON.parse(payload) as string[]));
    }
    if ('cutAfterBytes' in reply) {
      socket.end(encoded.subarray(0, reply.cutAfterBytes));
      return;
    }
    socket.write(encoded);
  };

  const server: Server = createServer((socket) => {
    clients.add(socket);
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const item of decoder.push(chunk)) {
        if (item.kind === 'corrupt') socket.destroy();
        else answer(socket, item.type, item.payload);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clients.delete(socket);
      subscriptions.delete(socket);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });

  const write = (socket: Socket, bytes: Buffer): Promise<void> =>
    new Promise((resolve) => {
      socket.write(bytes, () => resolve());
    });

  return {
    path,
    requests,
    async emitEvent(name, json) {
      const targets = [...subscriptions].filter(([, names]) => names.has(name)).map(([socket]) => socket);
      const bytes = encodeMessage(eventWireType(EVENT_TYPES[name].code), JSON.stringify(json));
      await Promise.all(targets.map((socket) => write(socket, bytes)));
      return targets.length;
    },
    async emitBytes(bytes) {
      await Promise.all([...subscriptions.keys()].map((socket) => write(socket, bytes)));
    },
    dropClients() {
      for (const socket of clients) socket.destroy();
    },
    close() {
      for (const socket of clients) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function isAccepted(json: unknown): boolean {
  return typeof json === 'object' && json !== null && (json as { success?: unknown }).success === true;
}
