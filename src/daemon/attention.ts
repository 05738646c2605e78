import type { SessionState } from '../session-state.js';

/** What the attention model needs of a session. */
export interface AttentionSubject {
  readonly pid: number;
  readonly state: SessionState;
}

/**
 * Which waiting sessions the user has not looked at yet (SPEC §7, seen and unseen). A session
 * becomes unseen when it enters `needs_input` while it is not in front of the user — also when
 * vmuxd first sees it already waiting, since nobody told the user — and stays unseen until its
 * window or pane is in front of the user, the user switches to it through vmux, or it leaves
 * `needs_input`.
 */
export class Attention {
  private readonly unseen = new Set<number>();
  private states = new Map<number, SessionState>();

  /** Takes in the sessions as they are now, and which of them are in front of the user. */
  update(sessions: readonly AttentionSubject[], inFront: (pid: number) => boolean): void {
    const states = new Map<number, SessionState>();
    for (const { pid, state } of sessions) {
      states.set(pid, state);
      if (state !== 'needs_input' || inFront(pid)) this.unseen.delete(pid);
      else if (this.states.get(pid) !== 'needs_input') this.unseen.add(pid);
    }
    for (const pid of this.unseen) if (!states.has(pid)) this.unseen.delete(pid);
    this.states = states;
  }

  /** The user went to this session through vmux: it is seen, even before its window gets the focus. */
  seen(pid: number): void {
    this.unseen.delete(pid);
  }

  isUnseen(pid: number): boolean {
    return this.unseen.has(pid);
  }
}
