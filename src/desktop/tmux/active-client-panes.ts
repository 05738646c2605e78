import { count, parseClientList, splitFields } from './tmux-client.js';

/**
 * What one attached tmux client shows: the session, its current window and that window's
 * active pane, which is the pane in front of the user when the client's terminal window is.
 */
export interface ActiveClientPane {
  /** The client's terminal (`/dev/pts/N`), as `switch-client -c` names it. */
  readonly clientTty: string;
  /** PID of the `tmux` client process: its ancestry leads to the terminal window showing it. */
  readonly clientPid: number;
  /** `$N` */
  readonly sessionId: string;
  /** Free text, for people only. */
  readonly sessionName: string;
  /** `@N`: the session's current window. */
  readonly windowId: string;
  /** `%N`: that window's active pane (the client's own, for a client attached with `-f active-pane`). */
  readonly paneId: string;
}

/** A listed client, with what picks the session a control client attaches to. */
export interface ListedClient extends ActiveClientPane {
  /** A control-mode client (`tmux -C`: vmux's own, or another program's) is not a terminal showing a pane. */
  readonly controlMode: boolean;
  /** Last input or attach, in seconds since the epoch. */
  readonly activity: number;
}

/*
 * A constant format: no outside text is ever spliced into it. In `list-clients`, `window_id` and
 * `pane_id` are those of the client's session's current window and its active pane. The session
 * name, the one free-text field, goes last so whatever it holds the fields before it stay in place.
 */
const FIELDS = [
  '#{client_tty}',
  '#{client_pid}',
  '#{client_control_mode}',
  '#{client_activity}',
  '#{session_id}',
  '#{window_id}',
  '#{pane_id}',
  '#{session_name}',
] as const;
export const ACTIVE_PANE_FORMAT = FIELDS.join('\t');


/** One `list-clients -F ACTIVE_PANE_FORMAT` line; undefined when it does not have that shape. */
export function parseListedClient(line: string): ListedClient | undefined {
  const [tty, pidText, controlText, activityText, sessionId, windowId, paneId, sessionName] = splitFields(line, FIELDS.length) ?? [];
  const clientPid = count(pidText);
  const activity = count(activityText);
  if (
    tty === undefined ||
    clientPid === undefined ||
    activity === undefined ||
    (controlText !== '0' && controlText !== '1') ||
    sessionId === undefined ||
    !/^\$[0-9]+$/.test(sessionId) ||
    windowId === undefined ||
    !/^@[0-9]+$/.test(windowId) ||
    paneId === undefined ||
    !/^%[0-9]+$/.test(paneId) ||
    sessionName === undefined
  ) {
    return undefined;
  }
  return { clientTty: tty, clientPid, controlMode: controlText === '1', activity, sessionId, sessionName, windowId, paneId };
}

/**
 * Parses `list-clients -F ACTIVE_PANE_FORMAT` (tmux escapes newlines in names: a line is a
 * client). A line of another shape means another tmux than vmux was written for: an error, not a
 * client silently left out.
 */
export function parseListedClients(lines: readonly string[]): ListedClient[] {
  return parseClientList(lines, parseListedClient);
}

/**
 * The panes in front of users: one per client showing a session in a terminal, in a stable order
 * (by tty, then PID) so that the same picture always reads the same. Control-mode clients and
 * clients without a terminal drive programs, not screens.
 */
export function activePanesOf(clients: readonly ListedClient[]): ActiveClientPane[] {
  return clients
    .filter((client) => !client.controlMode && client.clientTty.startsWith('/dev/'))
    .map(({ clientTty, clientPid, sessionId, sessionName, windowId, paneId }) => ({ clientTty, clientPid, sessionId, sessionName, windowId, paneId }))
    .sort((a, b) => (a.clientTty < b.clientTty ? -1 : a.clientTty > b.clientTty ? 1 : a.clientPid - b.clientPid));
}

export function sameActivePanes(a: readonly ActiveClientPane[], b: readonly ActiveClientPane[]): boolean {
  return (
    a.length === b.length &&
    a.every((pane, i) => {
      const other = b[i];
      return (
        other !== undefined &&
        pane.clientTty === other.clientTty &&
        pane.clientPid === other.clientPid &&
        pane.sessionId === other.sessionId &&
        pane.sessionName === other.sessionName &&
        pane.windowId === other.windowId &&
        pane.paneId === other.paneId
      );
    })
  );
}

/**
 * The session a control client should sit in so that nothing shows it there: one a terminal
 * already shows (the most recently active client's), so that `tmux ls` does not start calling
 * another session attached. Undefined when no terminal is attached: a control client would then
 * be the session's only client, and is not started.
 */
export function sessionToSitIn(clients: readonly ListedClient[]): string | undefined {
  let latest: ListedClient | undefined;
  for (const client of clients) {
    if (client.controlMode || !client.clientTty.startsWith('/dev/')) continue;
    if (latest === undefined || client.activity > latest.activity || (client.activity === latest.activity && client.clientPid > latest.clientPid)) {
      latest = client;
    }
  }
  return latest?.sessionId;
}
