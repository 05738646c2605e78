/**
 * One family of errors for vmux. Each carries a stable `code` that scripts and tests can match,
 * and a message that says what went wrong and what the user can do about it.
 */
export type VmuxErrorCode =
  | 'USAGE'
  | 'NO_MATCH'
  | 'AMBIGUOUS'
  | 'CLAUDE_DIR_UNREADABLE'
  | 'PROC_UNREADABLE'
  | 'NOT_IMPLEMENTED'
  /** The vmux home folder is another user's or writable by others. */
  | 'HOME_UNSAFE'
  /** No daemon answers on the socket. */
  | 'DAEMON_NOT_RUNNING'
  /** Another daemon already serves this home. */
  | 'DAEMON_RUNNING'
  /** Something answered on the socket, but not the way vmuxd does, or it refused the request. */
  | 'DAEMON_ERROR';

export class VmuxError extends Error {
  readonly code: VmuxErrorCode;

  constructor(code: VmuxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VmuxError';
    this.code = code;
  }
}

/** The command line was wrong: exit 2, and the message says how to call it. */
export class UsageError extends VmuxError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

/** True for the errno codes of a process or file that vanished or is not ours to read. */
export function isGoneOrForbidden(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES' || code === 'EPERM' || code === 'ENOTDIR';
}

export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}
