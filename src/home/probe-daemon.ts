import { errnoCode, VmuxError } from '../errors.js';
import { requestDaemon } from '../protocol/socket-client.js';

export type DaemonProbe =
  | { readonly kind: 'absent' }
  /** A socket file nobody listens on: left by a daemon that died. */
  | { readonly kind: 'stale' }
  | { readonly kind: 'running'; readonly pid: number }
  | { readonly kind: 'foreign'; readonly why: string };

/** What is on the socket path: nothing, a dead socket, a live vmuxd, or something else. */
export async function probeDaemon(socketPath: string, timeoutMs = 1000): Promise<DaemonProbe> {
  try {
    const response = await requestDaemon(socketPath, { action: 'status' }, timeoutMs);
    const pid = response.status?.pid;
    return typeof pid === 'number' ? { kind: 'running', pid } : { kind: 'foreign', why: 'it answers without a pid' };
  } catch (error) {
    if (!(error instanceof VmuxError)) throw error;
    if (error.code !== 'DAEMON_NOT_RUNNING') return { kind: 'foreign', why: error.message };
    return errnoCode(error.cause) === 'ECONNREFUSED' ? { kind: 'stale' } : { kind: 'absent' };
  }
}
