import { TmuxStaleError } from '../../errors.js';
import type { TmuxAttachedClient, TmuxPane } from './tmux-client.js';
import type { TmuxLocation } from './tmux-location.js';

/** One tmux command of a plan; every target is an id tmux reported. */
export type TmuxStep =
  | { readonly kind: 'select-window'; readonly sessionId: string; readonly windowId: string }
  | { readonly kind: 'select-pane'; readonly paneId: string }
  | { readonly kind: 'switch-client'; readonly clientTty: string; readonly sessionId: string };

/** Where the user ends up once the steps ran. */
export type TmuxSwitchOutcome =
  /** A client already shows the pane's session: focus the terminal window of `client.pid`. */
  | { readonly kind: 'shown'; readonly client: TmuxAttachedClient }
  /** The most recently active client was moved to the pane's session: focus the terminal window of `client.pid`. */
  | { readonly kind: 'moved'; readonly client: TmuxAttachedClient; readonly fromSessionId: string; readonly fromSessionName: string }
  /**
   * No terminal shows this server: the pane is selected, and the user attaches with `argv`
   * (`commandLine` is the same, quoted for a POSIX shell, to print). The CLI exits 2.
   */
  | { readonly kind: 'attach'; readonly argv: readonly string[]; readonly commandLine: string };

export interface TmuxSwitchPlan {
  readonly socketPath: string;
  readonly pane: TmuxPane;
  readonly steps: readonly TmuxStep[];
  readonly outcome: TmuxSwitchOutcome;
}

/**
 * Whether the pane tmux reports really holds the process, or the environment only claims so:
 * `TMUX`/`TMUX_PANE` leak into everything started from a pane (a GUI terminal or an editor
 * launched from a tmux shell passes them on), and a restarted server reuses pane numbers.
 * The pane's process must be the session's process or one of its ancestors, on the same
 * terminal. Returns the error to throw, or undefined when it holds.
 */
export function checkPaneHoldsProcess(location: TmuxLocation, pane: TmuxPane): TmuxStaleError | undefined {
  if (pane.serverPid !== location.serverPid) {
    return new TmuxStaleError(
      'server-replaced',
      `The tmux server on ${location.socketPath} was restarted (pid ${location.serverPid} is now ${pane.serverPid}); ` +
        `the session is not in its pane ${location.paneId}.`,
    );
  }
  const pid = location.ancestry[0];
  if (pane.paneId !== location.paneId || !location.ancestry.includes(pane.panePid)) {
    return new TmuxStaleError(
      'not-in-pane',
      `Process ${pid ?? '?'} has tmux pane ${location.paneId} in its environment but does not run in it ` +
        `(the pane runs pid ${pane.panePid}, not one of its ancestors); it was started from that pane, not in it.`,
    );
  }
  if (location.ptsNumber !== undefined && ptsNumberOfPath(pane.paneTty) !== location.ptsNumber) {
    return new TmuxStaleError(
      'not-in-pane',
      `Process ${pid ?? '?'} runs on /dev/pts/${location.ptsNumber}, not on the terminal of tmux pane ` +
        `${location.paneId} (${pane.paneTty}): it was started from that pane into another terminal.`,
    );
  }
  return undefined;
}

function ptsNumberOfPath(tty: string): number | undefined {
  const match = /^\/dev\/pts\/([0-9]+)$/.exec(tty);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * Most recently active first; equally recent (activity is in whole seconds) the later-started
 * client (higher PID) first, so that the same state always gives the same plan.
 */
function byRecency(a: TmuxAttachedClient, b: TmuxAttachedClient): number {
  return b.activity - a.activity || b.pid - a.pid;
}

/**
 * Decides how to bring the pane in front, from what tmux reported; no I/O. The pane's window
 * and the pane are selected on its server in every case, then:
 * - a client shows the pane's session → that client (the most recently active if several);
 * - clients are attached but none shows it → the most recently active one is switched to it;
 * - no client → the command to attach, since no terminal exists to focus. Never a guess.
 * Control-mode clients and clients without a tty are not terminals and are left alone.
 * Throws `TmuxStaleError` when the pane does not hold the process (`checkPaneHoldsProcess`).
 */
export function planTmuxSwitch(
  location: TmuxLocation,
  pane: TmuxPane,
  clients: readonly TmuxAttachedClient[],
): TmuxSwitchPlan {
  const mismatch = checkPaneHoldsProcess(location, pane);
  if (mismatch !== undefined) throw mismatch;
  const select: TmuxStep[] = [
    { kind: 'select-window', sessionId: pane.sessionId, windowId: pane.windowId },
    { kind: 'select-pane', paneId: pane.paneId },
  ];
  const terminals = clients.filter((client) => !client.controlMode && client.tty.startsWith('/dev/')).sort(byRecency);
  const showing = terminals.find((client) => client.sessionId === pane.sessionId);
  if (showing !== undefined) {
    return { socketPath: location.socketPath, pane, steps: select, outcome: { kind: 'shown', client: showing } };
  }
  const latest = terminals[0];
  if (latest !== undefined) {
    return {
      socketPath: location.socketPath,
      pane,
      steps: [...select, { kind: 'switch-client', clientTty: latest.tty, sessionId: pane.sessionId }],
      outcome: {
        kind: 'moved',
        client: { ...latest, sessionId: pane.sessionId, sessionName: pane.sessionName },
        fromSessionId: latest.sessionId,
        fromSessionName: latest.sessionName,
      },
    };
  }
  const argv = attachCommand(location.socketPath, pane);
  return {
    socketPath: location.socketPath,
    pane,
    steps: select,
    outcome: { kind: 'attach', argv, commandLine: argv.map(shellQuote).join(' ') },
  };
}

/**
 * `tmux -S <socket> attach -t <session>`. A plain name is what the user knows and, existing,
 * matches exactly (tmux tries exact names before prefixes and patterns); any other name is
 * replaced by the session id, which cannot match another session.
 */
export function attachCommand(socketPath: string, pane: Pick<TmuxPane, 'sessionId' | 'sessionName'>): string[] {
  const target = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(pane.sessionName) ? pane.sessionName : pane.sessionId;
  return ['tmux', '-S', socketPath, 'attach', '-t', target];
}

/** What a terminal would act on or reorder if printed: C0 and C1 controls, DEL, bidirectional controls. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * One word for a POSIX shell, safe to print: left alone when it holds only safe characters, else
 * single-quoted. A word holding a control character (a socket path under a hostile folder name)
 * is written `$'…'` with that character as its bytes in octal (`\033`), which bash, zsh, ksh
 * and POSIX.1-2024 sh read back as the same word, so the printed command still works.
 */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  if (!UNPRINTABLE.test(word)) return `'${word.replaceAll("'", `'\\''`)}'`;
  let quoted = '';
  for (const c of word) {
    if (c === '\\' || c === "'") quoted += `\\${c}`;
    else if (UNPRINTABLE.test(c)) for (const byte of Buffer.from(c, 'utf8')) quoted += `\\${byte.toString(8).padStart(3, '0')}`;
    else quoted += c;
  }
  return `$'${quoted}'`;
}
