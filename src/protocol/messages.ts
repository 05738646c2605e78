import type { SessionInfo } from './session-info.js';

/**
 * The socket protocol (SPEC §5): one JSON object per line in each direction. The seed's names
 * (`action`, `args`, `ok`, `error`, `sessions`, `session_id`, `label`) are the contract.
 */

/** `label` args: an empty label removes it. */
export interface LabelArgs {
  readonly session_id: string;
  readonly label: string;
}

/** `switch` args: what `vmux switch` takes (id, id prefix, PID, label, or words). */
export interface SwitchArgs {
  readonly query: string;
  /** The caller's desktop session; without it vmuxd switches in its own. */
  readonly desktop?: DesktopSession;
}

/** `next` args: go to the session waiting longest (then the next one, on repeated calls). */
export interface NextArgs {
  readonly desktop?: DesktopSession;
}

/**
 * `list` and `subscribe` args, both optional: a client in a desktop session says which, so that
 * a vmuxd started outside it (or before it) can still tell each session's workspace.
 */
export interface WatchArgs {
  readonly desktop?: DesktopSession;
}

/**
 * Where the caller's windows are: the variables that lead to its window manager and display.
 * vmuxd may run where none are set (a systemd user unit started before the desktop), so
 * `vmux switch` and `vmux next` send theirs and the daemon switches in that session.
 */
export type DesktopSession = Readonly<Partial<Record<DesktopVariable, string>>>;

export const DESKTOP_VARIABLES = ['SWAYSOCK', 'I3SOCK', 'WAYLAND_DISPLAY', 'DISPLAY', 'XAUTHORITY', 'DBUS_SESSION_BUS_ADDRESS'] as const;
export type DesktopVariable = (typeof DESKTOP_VARIABLES)[number];

export type Request =
  | { readonly action: 'list'; readonly args?: WatchArgs }
  | { readonly action: 'switch'; readonly args: SwitchArgs }
  | { readonly action: 'next'; readonly args: NextArgs }
  | { readonly action: 'label'; readonly args: LabelArgs }
  | { readonly action: 'subscribe'; readonly args?: WatchArgs }
  | { readonly action: 'status' }
  | { readonly action: 'version' }
  | { readonly action: 'stop' };

export type Action = Request['action'];

export const ACTIONS: readonly Action[] = ['list', 'switch', 'next', 'label', 'subscribe', 'status', 'version', 'stop'];

/** What `status` and `version` tell about the daemon. */
export interface DaemonStatus {
  readonly pid: number;
  readonly version: string;
  readonly uptime_s: number;
  readonly sessions: number;
  /** Which signals feed the picture right now, e.g. `{"poll_s": 5, "watching": 12}`. */
  readonly signals: Readonly<Record<string, number | boolean | string>>;
}

export interface Response {
  readonly ok: boolean;
  /** Set when `ok` is false: what was wrong, for a person to read. */
  readonly error?: string;
  /** Set with some errors: what kind, for a program (`NO_MATCH`, `AMBIGUOUS`, `WM_REFUSED`, …). */
  readonly code?: string;
  readonly sessions?: readonly SessionInfo[];
  readonly status?: DaemonStatus;
  /** After `switch` and `next`: the session gone to, and where. */
  readonly switched?: SwitchedTo;
}

export interface SwitchedTo {
  readonly pid: number;
  readonly session_id: string;
  readonly cwd: string;
  /** Omitted when empty. */
  readonly label?: string;
  /** The workspace focused; absent when no window could be. */
  readonly workspace?: string;
  /** Set when the session runs in tmux: its pane, now selected (`%N`). */
  readonly tmux_pane?: string;
  /** Set when no terminal shows the session's tmux session: the command that attaches one. */
  readonly attach?: string;
  /** Set when only the tmux pane was selected: why no window was focused (no window manager found). */
  readonly unfocused?: string;
  /** Set for a background session no terminal showed: the command run in a new terminal to show it. */
  readonly opened?: string;
}

/**
 * One line of a `subscribe` stream: the whole current list, first at once and then after every
 * change, so a client never has to merge anything.
 */
export interface SessionsEvent {
  readonly event: 'sessions';
  readonly sessions: readonly SessionInfo[];
}

/** The largest request line a daemon accepts (SPEC §5). */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** Labels are names for people, not documents. */
export const MAX_LABEL_LENGTH = 200;
