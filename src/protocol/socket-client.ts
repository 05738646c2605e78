import type { Socket } from 'node:net';
import { errnoCode, VmuxError } from '../errors.js';
import { LineDecoder } from './line-decoder.js';
import type { DesktopSession, Request, Response, SessionsEvent } from './messages.js';
import type { SessionInfo } from './session-info.js';
import { loadNet } from '../lazy-builtins.js';
import { printableJson } from '../text/printable-json.js';

/** Replies larger than this are not a vmuxd talking. */
const MAX_REPLY_BYTES = 64 * 1024 * 1024;

export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

/** Opens the daemon's socket; `DAEMON_NOT_RUNNING` when nothing listens there. */
export async function connectToDaemon(socketPath: string): Promise<Socket> {
  const { connect } = await loadNet();
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (error) => {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ECONNREFUSED') {
        reject(new VmuxError('DAEMON_NOT_RUNNING', `vmuxd is not running (no daemon on ${socketPath})`, { cause: error }));
      } else if (code === 'EACCES') {
        reject(new VmuxError('DAEMON_ERROR', `${socketPath} is not yours to use (permission denied)`, { cause: error }));
      } else {
        reject(new VmuxError('DAEMON_ERROR', `cannot reach vmuxd on ${socketPath}: ${error.message}`, { cause: error }));
      }
    });
  });
}

/** Sends one request and reads its one-line response. */
export async function requestDaemon(socketPath: string, request: Request, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<Response> {
  const socket = await connectToDaemon(socketPath);
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const decoder = new LineDecoder(MAX_REPLY_BYTES);
      const timer = setTimeout(
        () => reject(new VmuxError('DAEMON_ERROR', `vmuxd did not answer within ${timeoutMs} ms on ${socketPath}`)),
        timeoutMs,
      );
      socket.on('data', (chunk: Buffer) => {
        const first = decoder.push(chunk)[0];
        if (first === undefined) return;
        clearTimeout(timer);
        if (first.kind === 'line') resolve(first.text);
        else reject(new VmuxError('DAEMON_ERROR', `the answer on ${socketPath} is too long to be vmuxd's`));
      });
      socket.once('end', () => {
        clearTimeout(timer);
        reject(new VmuxError('DAEMON_ERROR', `the socket ${socketPath} closed without an answer`));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new VmuxError('DAEMON_ERROR', `lost vmuxd on ${socketPath}: ${error.message}`, { cause: error }));
      });
      socket.write(`${printableJson(request)}\n`);
    });
    return parseResponse(line, socketPath);
  } finally {
    socket.destroy();
  }
}

/**
 * The daemon's list of sessions; `DAEMON_NOT_RUNNING` when none answers, `DAEMON_ERROR` when it
 * refuses. `desktop`: the caller's desktop session, so the daemon can tell workspaces in it.
 */
export async function sessionsFromDaemon(socketPath: string, desktop?: DesktopSession): Promise<readonly SessionInfo[]> {
  const response = await requestDaemon(socketPath, { action: 'list', ...withDesktop(desktop) });
  if (!response.ok) throw new VmuxError('DAEMON_ERROR', `vmuxd refused to list: ${response.error ?? 'no reason given'}`);
  return response.sessions ?? [];
}

function parseResponse(line: string, socketPath: string): Response {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new VmuxError('DAEMON_ERROR', `the answer on ${socketPath} is not JSON: not a vmuxd socket?`);
  }
  if (typeof raw !== 'object' || raw === null || typeof (raw as { ok?: unknown }).ok !== 'boolean') {
    throw new VmuxError('DAEMON_ERROR', `the answer on ${socketPath} is not a vmuxd response`);
  }
  return raw as Response;
}

/**
 * Subscribes and calls `onEvent` for every line of the stream until `signal` aborts (resolves
 * then). A stream the daemon ends (it stopped, restarted or dropped this client) rejects with
 * `DAEMON_GONE`: a status bar or script must know to reconnect, never take it for a normal end.
 */
export async function subscribeToDaemon(
  socketPath: string,
  onEvent: (event: SessionsEvent) => void,
  signal?: AbortSignal,
  desktop?: DesktopSession,
): Promise<void> {
  const socket = await connectToDaemon(socketPath);
  const decoder = new LineDecoder(MAX_REPLY_BYTES);
  await new Promise<void>((resolve, reject) => {
    const finish = () => {
      socket.destroy();
      resolve();
    };
    if (signal?.aborted) return finish();
    signal?.addEventListener('abort', finish, { once: true });
    socket.on('data', (chunk: Buffer) => {
      for (const item of decoder.push(chunk)) {
        if (item.kind !== 'line') continue;
        const event = parseEvent(item.text);
        if (event === undefined) {
          socket.destroy();
          reject(new VmuxError('DAEMON_ERROR', `unexpected line from vmuxd: ${item.text.slice(0, 200)}`));
          return;
        }
        onEvent(event);
      }
    });
    socket.once('close', () => {
      if (signal?.aborted) return resolve();
      reject(new VmuxError('DAEMON_GONE', `lost vmuxd on ${socketPath}: it stopped or restarted`));
    });
    socket.once('error', (error) => reject(new VmuxError('DAEMON_GONE', `lost vmuxd on ${socketPath}: ${error.message}`, { cause: error })));
    socket.write(`${printableJson({ action: 'subscribe', ...withDesktop(desktop) } satisfies Request)}\n`);
  });
}

/** Args carrying a desktop session, when there is one to tell. */
function withDesktop(desktop: DesktopSession | undefined): { args?: { desktop: DesktopSession } } {
  return desktop !== undefined && Object.keys(desktop).length > 0 ? { args: { desktop } } : {};
}

function parseEvent(line: string): SessionsEvent | undefined {
  try {
    const raw: unknown = JSON.parse(line);
    if (typeof raw === 'object' && raw !== null && (raw as { event?: unknown }).event === 'sessions' && Array.isArray((raw as { sessions?: unknown }).sessions)) {
      return raw as SessionsEvent;
    }
  } catch {
    // Falls through: not an event.
  }
  return undefined;
}
