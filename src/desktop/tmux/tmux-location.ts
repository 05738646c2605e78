import { readEnviron, readProcFile } from '../../sessions/proc-reader.js';
import { processAncestry } from '../process-ancestry.js';

/** What tmux writes into `$TMUX` for every process it starts in a pane: `<socket path>,<server pid>,<session id>`. */
export interface TmuxVariable {
  /** The server's socket, for `tmux -S`. */
  readonly socketPath: string;
  /** PID of the server that started the pane; another PID on the same socket is another server. */
  readonly serverPid: number;
  /** Number of the session (`$N`) the pane was started in; -1 when tmux wrote none. The pane may have moved since. */
  readonly sessionNumber: number;
}

/** Where a process runs in tmux, as its environment (or its nearest ancestor's) says. */
export interface TmuxLocation extends TmuxVariable {
  /** `%N`, from `$TMUX_PANE`: unique on its server, never reused while the server runs. */
  readonly paneId: string;
  /** The process whose environment held `TMUX` and `TMUX_PANE`: the PID asked about or one of its ancestors. */
  readonly envPid: number;
  /** The PID asked about and its ancestors, nearest first: the pane's own process must be one of them. */
  readonly ancestry: readonly number[];
  /** `/dev/pts/N` number of the process's controlling terminal; undefined when it has none or not a pty. */
  readonly ptsNumber: number | undefined;
}

/** Major device numbers of Unix 98 pty slaves (`/dev/pts/N`) in Linux. */
const PTS_FIRST_MAJOR = 136;
const PTS_LAST_MAJOR = 143;

/**
 * Parses `$TMUX`. The socket path may itself hold commas, so the two numbers are taken from
 * the right.
 */
export function parseTmuxVariable(value: string): TmuxVariable | undefined {
  const match = /^(\/.*),([0-9]+),(-1|[0-9]+)$/.exec(value);
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) return undefined;
  const serverPid = Number(match[2]);
  const sessionNumber = Number(match[3]);
  if (!Number.isSafeInteger(serverPid) || serverPid <= 0 || !Number.isSafeInteger(sessionNumber)) return undefined;
  return { socketPath: match[1], serverPid, sessionNumber };
}

/** `$TMUX_PANE` is `%` and the pane's number; anything else is not a pane id and is never passed to tmux. */
export function parsePaneId(value: string): string | undefined {
  return /^%[0-9]+$/.test(value) ? value : undefined;
}

/** Both variables, or nothing: `TMUX` alone (a `run-shell` job, a hook) names no pane. */
export function tmuxVariablesOf(env: ReadonlyMap<string, string>): (TmuxVariable & { readonly paneId: string }) | undefined {
  const tmux = env.get('TMUX');
  const pane = env.get('TMUX_PANE');
  const variable = tmux === undefined ? undefined : parseTmuxVariable(tmux);
  const paneId = pane === undefined ? undefined : parsePaneId(pane);
  return variable === undefined || paneId === undefined ? undefined : { ...variable, paneId };
}

/**
 * The pts number of a `tty_nr` from `/proc/<pid>/stat` (field 7), in the kernel's encoding:
 * major in bits 8–19, minor in bits 0–7 and 20–31. Undefined for no terminal or a non-pty one.
 */
export function ptsNumberOfTtyNr(ttyNr: number): number | undefined {
  if (!Number.isSafeInteger(ttyNr) || ttyNr <= 0) return undefined;
  const major = (ttyNr >>> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >>> 12) & 0xfff00);
  if (major < PTS_FIRST_MAJOR || major > PTS_LAST_MAJOR) return undefined;
  return (major - PTS_FIRST_MAJOR) * 256 + minor;
}

/** `tty_nr` (field 7) of a `/proc/<pid>/stat` text, counted from the last `)` as the name may hold anything. */
export function parseTtyNr(statText: string): number | undefined {
  const close = statText.lastIndexOf(')');
  if (close < 0) return undefined;
  const field = statText.slice(close + 2).split(' ')[7 - 3];
  return field !== undefined && /^-?[0-9]+$/.test(field) ? Number(field) : undefined;
}

/**
 * Where a process (a Claude Code session) runs in tmux, from `/proc`: its own `TMUX` and
 * `TMUX_PANE`, else those of its nearest ancestor that has both (a launcher may clear its
 * child's environment). Undefined when the process is gone, not ours, or not under tmux.
 * This is only what the environment claims; `planTmuxSwitch` checks it against tmux.
 */
export function readTmuxLocation(procRoot: string, pid: number, clientPane?: string): TmuxLocation | undefined {
  const ancestry = processAncestry(pid, procRoot);
  if (ancestry.length === 0) return undefined;
  const stat = readProcFile(procRoot, pid, 'stat');
  const ttyNr = stat === undefined ? undefined : parseTtyNr(stat);
  const ptsNumber = ttyNr === undefined ? undefined : ptsNumberOfTtyNr(ttyNr);
  // The pane the client reports itself (2.1.332+) is exact; the environment still names the server.
  const reportedPane = clientPane === undefined ? undefined : parsePaneId(clientPane);
  for (const envPid of ancestry) {
    const env = readEnviron(procRoot, envPid);
    if (env === undefined) continue;
    const variables = tmuxVariablesOf(env);
    if (variables !== undefined) return { ...variables, ...(reportedPane ? { paneId: reportedPane } : {}), envPid, ancestry, ptsNumber };
    const server = reportedPane === undefined ? undefined : parseTmuxVariable(env.get('TMUX') ?? '');
    if (server !== undefined && reportedPane !== undefined) return { ...server, paneId: reportedPane, envPid, ancestry, ptsNumber };
  }
  return undefined;
}
