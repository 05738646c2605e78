import type { SessionState } from '../session-state.js';

/** One running Claude Code session, as a scan sees it. */
export interface Session {
  readonly pid: number;
  /** Field 22 of `/proc/<pid>/stat`: with the PID, names this process across PID reuse. */
  readonly procStart: string;
  /** Empty when no conversation could be tied to the process. */
  readonly sessionId: string;
  readonly cwd: string;
  /** Empty outside git; `HEAD` when detached. */
  readonly gitBranch: string;
  /** Root of the linked git worktree the session runs in, if it does. */
  readonly worktree?: string;
  readonly state: SessionState;
  /** Why the state is what it is, for the user. */
  readonly reason: string;
  /**
   * Since when the session waits for the user; only for `needs_input`, and only when known from
   * the transcript or the client (a registry adds the time it first saw the session waiting).
   */
  readonly waitingSince?: Date;
  /** One line saying what the session is at, safe to print. */
  readonly preview: string;
  readonly transcriptPath?: string;
  /** Set for a background session (`claude --bg`): its job id, for `claude attach`. */
  readonly backgroundJob?: string;
  /** The tmux pane (`%N`) the client itself says it runs in, when it says (2.1.332+). */
  readonly tmuxPane?: string;
  /** The state may change by then with no file changing (see Classification): a daemon scans again then. */
  readonly decideAgainAt?: Date;
  /**
   * Its permission prompt is told by a Bash call that no child of it runs (a client that writes no
   * status): a child running this command, once allowed, changes its state with no file changing.
   */
  readonly toolCommand?: string;
}

const ATTENTION_RANK: Readonly<Record<SessionState, number>> = {
  needs_input: 0,
  working: 1,
  idle: 2,
  unknown: 3,
};

/** Sessions that need the user first, longest waiting first; then working, idle, unknown. */
export function byAttention(a: Session, b: Session): number {
  const rank = ATTENTION_RANK[a.state] - ATTENTION_RANK[b.state];
  if (rank !== 0) return rank;
  const waited = (a.waitingSince?.getTime() ?? 0) - (b.waitingSince?.getTime() ?? 0);
  return waited !== 0 ? waited : a.pid - b.pid;
}
