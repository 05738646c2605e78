import type { Session } from '../sessions/session.js';
import type { SessionState } from '../session-state.js';
import { rfc3339 } from '../text/rfc3339.js';
import { cleanLabel } from './label-text.js';

/**
 * A session as the socket protocol and `vmux list --json` carry it. The field names are the
 * seed's contract (SPEC §5) and do not change; new optional fields may be added.
 */
export interface SessionInfo {
  readonly pid: number;
  readonly session_id: string;
  readonly cwd: string;
  readonly git_branch: string;
  readonly state: SessionState;
  readonly preview: string;
  /** Name of the i3/sway workspace holding the session's window; empty when unknown. */
  readonly workspace: string;
  /** Omitted when the session has no label. */
  readonly label?: string;
  /** RFC 3339; omitted when the session is not waiting. */
  readonly waiting_since?: string;
  readonly reason: string;
  readonly worktree?: string;
  /** A background session's job id (`claude --bg`; `claude attach <id>` shows it); omitted for the others. */
  readonly background_job?: string;
  /** The tmux pane (`%N`) the session runs in, as its client reports it; omitted when it does not. */
  readonly tmux_pane?: string;
  /** Entered `needs_input` while not in front of the user, and not looked at since. */
  readonly unseen: boolean;
  /** In front of the user: its window has focus (its tmux pane active there), as vmuxd follows it. */
  readonly focused: boolean;
}

export interface SessionExtras {
  readonly label?: string;
  readonly workspace?: string;
  /** What vmuxd knows of the user's attention; a scan without it knows neither (false). */
  readonly unseen?: boolean;
  readonly focused?: boolean;
}

/**
 * A session as served. Its label is cleaned again here: labels.json may hold one saved before
 * labels were cleaned when set, or written by hand.
 */
export function toSessionInfo(session: Session, extras: SessionExtras = {}): SessionInfo {
  const label = extras.label === undefined ? '' : cleanLabel(extras.label);
  return {
    pid: session.pid,
    session_id: session.sessionId,
    cwd: session.cwd,
    git_branch: session.gitBranch,
    state: session.state,
    preview: session.preview,
    workspace: extras.workspace ?? '',
    ...(label ? { label } : {}),
    ...(session.state === 'needs_input' && session.waitingSince
      ? { waiting_since: rfc3339(session.waitingSince) }
      : {}),
    reason: session.reason,
    ...(session.worktree ? { worktree: session.worktree } : {}),
    ...(session.tmuxPane ? { tmux_pane: session.tmuxPane } : {}),
    ...(session.backgroundJob ? { background_job: session.backgroundJob } : {}),
    unseen: extras.unseen === true && session.state === 'needs_input',
    focused: extras.focused === true,
  };
}

/**
 * Unseen sessions first, the rest after them; each part keeps its order (by attention, as
 * listed: longest waiting first), so `vmux next` and every list reach an unseen one first.
 */
export function unseenFirst(sessions: readonly SessionInfo[]): SessionInfo[] {
  return [...sessions.filter((s) => s.unseen), ...sessions.filter((s) => !s.unseen)];
}
