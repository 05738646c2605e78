/**
 * One family of errors for vmux. Each carries a stable `code` that scripts and tests can match,
 * and a message that says what went wrong and what the user can do about it.
 */
export type VmuxErrorCode =
  | 'USAGE'
  /** A setting (environment variable, config file, option value) cannot be used as it is. */
  | 'BAD_SETTING'
  | 'NO_MATCH'
  | 'AMBIGUOUS'
  /** The vmux home folder is another user's or writable by others. */
  | 'HOME_UNSAFE'
  /** No daemon answers on the socket. */
  | 'DAEMON_NOT_RUNNING'
  /** The daemon went away while a client was following it (watch, bar): reconnect. */
  | 'DAEMON_GONE'
  /** Another daemon already serves this home. */
  | 'DAEMON_RUNNING'
  /** vmuxd could not finish starting (its folder is full or not writable); nothing of it runs. */
  | 'DAEMON_START_FAILED'
  /** Something answered on the socket, but not the way vmuxd does, or it refused the request. */
  | 'DAEMON_ERROR'
  /** No dmenu-style launcher could be run for `vmux switch --dmenu`. */
  | 'LAUNCHER_NOT_FOUND'
  /** No i3 or sway IPC socket was found ($SWAYSOCK, $I3SOCK, `i3`/`sway --get-socketpath`). */
  | 'WM_NOT_FOUND'
  /** The window manager's socket could not be used: connect failed, it hung up, went silent or sent garbage. */
  | 'WM_UNREACHABLE'
  /** The window manager answered and refused the command (`success: false`). */
  | 'WM_REFUSED'
  /** tmux could not be run or did not answer usefully: not installed, no permission on its socket, timed out. */
  | 'TMUX_UNAVAILABLE'
  /** What the session's environment says about tmux no longer holds: server or pane gone, or the pane is not the session's. */
  | 'TMUX_STALE'
  /** tmux ran the command and refused it. */
  | 'TMUX_REFUSED'
  /** labels.json could not be written whole (a full disk, a read-only folder): the old labels stay. */
  | 'LABELS_NOT_SAVED'
  /** A desktop notification could not be shown: no session bus, no notification server, or it refused. */
  | 'NOTIFICATIONS_UNAVAILABLE';

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

/** No window manager socket anywhere vmux looked; `attempts` says where it looked and why each failed. */
export class WmNotFoundError extends VmuxError {
  readonly attempts: readonly { readonly source: string; readonly reason: string }[];

  constructor(message: string, attempts: readonly { readonly source: string; readonly reason: string }[]) {
    super('WM_NOT_FOUND', message);
    this.name = 'WmNotFoundError';
    this.attempts = attempts;
  }
}

/** i3 or sway understood the command and said no; `reasons` holds the WM's own error texts. */
export class WmRefusedError extends VmuxError {
  readonly reasons: readonly string[];

  constructor(message: string, reasons: readonly string[]) {
    super('WM_REFUSED', message);
    this.name = 'WmRefusedError';
    this.reasons = reasons;
  }
}

/** Why a tmux location no longer leads to the session. */
export type TmuxStaleReason =
  /** No tmux server answers on the socket. */
  | 'server-gone'
  /** A tmux server answers on the socket, but not the one that started the pane (it was restarted). */
  | 'server-replaced'
  /** The server has no such pane (or session, window) any more. */
  | 'pane-gone'
  /** The pane exists but the session's process does not run in it (the tmux variables were inherited from elsewhere). */
  | 'not-in-pane'
  /** The tmux client to move went away (detached) meanwhile. */
  | 'client-gone';

/** The session's tmux server, pane or client is not there (any more); `reason` says which. */
export class TmuxStaleError extends VmuxError {
  readonly reason: TmuxStaleReason;

  constructor(reason: TmuxStaleReason, message: string, options?: { cause?: unknown }) {
    super('TMUX_STALE', message, options);
    this.name = 'TmuxStaleError';
    this.reason = reason;
  }
}

/** tmux understood the command and said no; `stderr` is tmux's own text. */
export class TmuxRefusedError extends VmuxError {
  readonly stderr: string;

  constructor(message: string, stderr: string, options?: { cause?: unknown }) {
    super('TMUX_REFUSED', message, options);
    this.name = 'TmuxRefusedError';
    this.stderr = stderr;
  }
}

/** Why desktop notifications cannot be shown right now. */
export type NotificationsUnavailableReason =
  /** No session bus address: `DBUS_SESSION_BUS_ADDRESS` unset and no `$XDG_RUNTIME_DIR/bus`. */
  | 'no-bus'
  /** The bus address could not be connected to (or the connection was lost mid-call). */
  | 'bus-unreachable'
  /** Nothing owns `org.freedesktop.Notifications` on the bus. */
  | 'no-server'
  /** The notification server answered with an error, or not in time. */
  | 'server-failed';

/** A notification was not shown; the message is one line for vmux status and the log. */
export class NotificationsUnavailableError extends VmuxError {
  readonly reason: NotificationsUnavailableReason;

  constructor(reason: NotificationsUnavailableReason, message: string, options?: { cause?: unknown }) {
    super('NOTIFICATIONS_UNAVAILABLE', message, options);
    this.name = 'NotificationsUnavailableError';
    this.reason = reason;
  }
}

/** True for the errno codes of a process or file that vanished or is not ours to read. */
export function isGoneOrForbidden(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES' || code === 'EPERM' || code === 'ENOTDIR';
}

/** What went wrong, for a message or a log line, whatever was thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}
