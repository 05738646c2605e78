import type { Socket } from 'node:net';
import { errnoCode, VmuxError } from '../../errors.js';
import { encodeMessage, FrameDecoder, type IpcFrame } from './ipc-codec.js';
import { loadNet } from '../../lazy-builtins.js';

/** How the connection ended: undefined when vmux closed it, the reason otherwise. */
export type ConnectionEnd = VmuxError | undefined;

export interface ConnectionHandlers {
  onFrame(frame: IpcFrame): void;
  /** Called exactly once, however the connection ends. */
  onEnd(end: ConnectionEnd): void;
}

/** Opens the WM's Unix socket; `WM_UNREACHABLE` saying why when it cannot. */
export async function connectWmSocket(socketPath: string, timeoutMs: number): Promise<Socket> {
  const { connect } = await loadNet();
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new VmuxError('WM_UNREACHABLE', `cannot reach the window manager: connecting to ${socketPath} took over ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new VmuxError('WM_UNREACHABLE', `cannot reach the window manager: ${connectFailure(socketPath, error)}`, { cause: error }));
    });
  });
}

function connectFailure(socketPath: string, error: Error): string {
  switch (errnoCode(error)) {
    case 'ENOENT':
      return `no socket at ${socketPath} (is i3 or sway running?)`;
    case 'ECONNREFUSED':
      return `nothing listens on ${socketPath} (left behind by a WM that exited?)`;
    case 'EACCES':
    case 'EPERM':
      return `${socketPath} is not yours to use (permission denied)`;
    case 'ENOTSOCK':
      return `${socketPath} is not a socket`;
    default:
      return `${socketPath}: ${error.message}`;
  }
}

/**
 * One IPC connection: frames out, frames in, and exactly one `onEnd` whatever way it ends (the
 * WM hung up, sent garbage, the socket failed, or vmux closed it).
 */
export class IpcConnection {
  private readonly decoder = new FrameDecoder();
  private ended = false;

  constructor(
    private readonly socket: Socket,
    readonly socketPath: string,
    private readonly handlers: ConnectionHandlers,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.once('end', () => {
      const cut = this.decoder.finish();
      this.end(
        new VmuxError(
          'WM_UNREACHABLE',
          cut === undefined
            ? `the window manager closed ${socketPath}`
            : `the window manager closed ${socketPath} in the middle of a message (${cut.reason})`,
        ),
      );
    });
    socket.once('close', () => this.end(new VmuxError('WM_UNREACHABLE', `the connection to the window manager on ${socketPath} closed`)));
    socket.on('error', (error) => {
      this.end(new VmuxError('WM_UNREACHABLE', `lost the window manager on ${socketPath}: ${error.message}`, { cause: error }));
    });
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  send(type: number, payload: string): void {
    this.socket.write(encodeMessage(type, payload));
  }

  /** Lets the process exit while nothing is asked of the WM. */
  setKeepsProcessAlive(keep: boolean): void {
    if (keep) this.socket.ref();
    else this.socket.unref();
  }

  /** Ends the connection; `reason` undefined means vmux is done with it. */
  close(reason?: VmuxError): void {
    this.end(reason);
  }

  private receive(chunk: Buffer): void {
    for (const item of this.decoder.push(chunk)) {
      if (this.ended) return;
      if (item.kind === 'corrupt') {
        this.end(new VmuxError('WM_UNREACHABLE', `${this.socketPath} does not speak i3 IPC: ${item.reason}`));
        return;
      }
      this.handlers.onFrame(item);
    }
  }

  private end(reason: ConnectionEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.socket.destroy();
    this.handlers.onEnd(reason);
  }
}
