import { messageOf } from '../errors.js';
import type { Notification, NotificationSink, SinkEvent } from '../desktop/notifications/notification-sink.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { describeWait, sessionTitle, urgencyRank, type WaitDescription } from './notification-text.js';
import { silentLogger, type Logger } from './logger.js';

/**
 * Transitions this close together make one notification: five sessions finishing at once are one
 * popup naming all five, not five popups. The first of them is shown at once, the others replace it.
 */
export const BURST_MS = 1000;

/** The click's label, where the server shows action labels (in a menu). */
const ACTION_LABEL = 'Switch to this session';

export interface NotifierOptions {
  /** Milliseconds clock (default `Date.now`). */
  readonly now?: () => number;
  readonly logger?: Logger;
  /** The user clicked a notification: take them to this session (the `vmux switch` path). */
  readonly onActivate?: (sessionId: string, pid: number) => void;
  readonly burstMs?: number;
}

/** One notification on screen (or being put there) and the sessions it names. */
interface Shown {
  /** The sink's id, once it answered. */
  id: number | undefined;
  /** The sessions named, in arrival order, as last seen. */
  readonly members: SessionInfo[];
  readonly openedAt: number;
  /** The server took it away (the user dismissed it, it expired): nothing more is added to it. */
  ended: boolean;
}

/** What the policy remembers of a session between two lists. */
interface Remembered {
  readonly state: SessionInfo['state'];
  readonly waitingSince: string | undefined;
  readonly wait: string;
  readonly unseen: boolean;
}

/**
 * vmuxd's notification policy, a pure function of the session lists it is fed (and its clock):
 * - one notification per transition into `needs_input`, never for a list that merely repeats
 *   (each poll, each rescan): a session notifies again only after it left `needs_input`, or when
 *   it waits anew for something else (a later `waiting_since` and another request);
 * - none while the session is focused; none for what already waited when vmuxd started;
 * - titled with the label (else folder and branch), the reason in the user's words, an urgency
 *   by what it waits for (`notification-text.ts`);
 * - the session's notification is replaced, not stacked, and closed when the session is seen
 *   (`unseen` turns false), focused, leaves `needs_input` or ends; when what it waits for is
 *   told more exactly during the same wait, its text is replaced in place;
 * - transitions within `BURST_MS` of the notification that opened a burst join it: it is replaced
 *   by one naming them all, most urgent first (never dropped);
 * - a click on it calls `onActivate` with the session it names first.
 * The sink's calls are made one after the other, in order; a sink that fails is reported once
 * (`problem`, and a warning in the log), and the policy goes on.
 */
export class Notifier {
  readonly #sink: NotificationSink;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #onActivate: (sessionId: string, pid: number) => void;
  readonly #burstMs: number;
  /** Undefined until the first list: what waits then was not seen entering `needs_input`. */
  #remembered: Map<number, Remembered> | undefined;
  /** The notification naming each session (by PID). */
  readonly #shownFor = new Map<number, Shown>();
  /** The latest notification opened, which transitions may join while its burst lasts. */
  #burst: Shown | undefined;
  #queue: Promise<void> = Promise.resolve();
  #problem: string | undefined;
  #closed = false;

  constructor(sink: NotificationSink, options: NotifierOptions = {}) {
    this.#sink = sink;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? silentLogger;
    this.#onActivate = options.onActivate ?? (() => {});
    this.#burstMs = options.burstMs ?? BURST_MS;
    sink.listen((event) => this.#onSinkEvent(event));
  }

  /** The latest failure to show a notification (one line), until one is shown again. */
  get problem(): string | undefined {
    return this.#problem;
  }

  /** The sessions as they are now, after any change. */
  update(sessions: readonly SessionInfo[]): void {
    if (this.#closed) return;
    const now = this.#now();
    const before = this.#remembered;
    this.#remembered = new Map(sessions.map((session) => [session.pid, remember(session)]));
    if (before === undefined) return;

    const changed = new Set<Shown>();
    const present = new Set(sessions.map((session) => session.pid));
    for (const pid of [...this.#shownFor.keys()]) {
      if (!present.has(pid)) this.#leave(pid, changed);
    }
    const arrivals: SessionInfo[] = [];
    for (const session of sessions) {
      const previous = before.get(session.pid);
      const current = this.#remembered.get(session.pid);
      const entered = session.state === 'needs_input' && (previous === undefined || previous.state !== 'needs_input' || waitsAnew(previous, current));
      const shown = this.#shownFor.get(session.pid);
      if (shown !== undefined) {
        const seen = previous?.unseen === true && !session.unseen;
        if (entered || seen || session.focused || session.state !== 'needs_input') {
          this.#leave(session.pid, changed);
        } else {
          // Kept up to date (a new label) for the next time it is rendered; not shown again for it,
          // but told more exactly in place: the client reports a prompt a moment before its
          // transcript names the tool ("asks for permission", then "wants to run Bash: …").
          const index = shown.members.findIndex((member) => member.pid === session.pid);
          if (index >= 0) shown.members[index] = session;
          if (previous !== undefined && current !== undefined && current.wait !== previous.wait) changed.add(shown);
        }
      }
      if (entered && !session.focused) arrivals.push(session);
    }
    if (arrivals.length > 0) {
      const burst = this.#burst;
      const joinable = burst !== undefined && !burst.ended && burst.members.length > 0 && now - burst.openedAt <= this.#burstMs;
      const target = joinable ? burst : { id: undefined, members: [], openedAt: now, ended: false };
      if (!joinable) this.#burst = target;
      for (const session of arrivals) {
        target.members.push(session);
        this.#shownFor.set(session.pid, target);
      }
      changed.add(target);
    }
    for (const shown of changed) this.#render(shown);
  }

  /** Closes what it shows and lets go of the sink; `update` does nothing afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return this.#queue;
    this.#closed = true;
    const open = new Set(this.#shownFor.values());
    this.#shownFor.clear();
    for (const shown of open) {
      shown.members.length = 0;
      this.#render(shown);
    }
    this.#enqueue(() => this.#sink.dispose());
    return this.#queue;
  }

  /** Settles when every sink call asked for so far has settled. */
  idle(): Promise<void> {
    return this.#queue;
  }

  #leave(pid: number, changed: Set<Shown>): void {
    const shown = this.#shownFor.get(pid);
    if (shown === undefined) return;
    this.#shownFor.delete(pid);
    const index = shown.members.findIndex((member) => member.pid === pid);
    if (index >= 0) shown.members.splice(index, 1);
    changed.add(shown);
  }

  /** Puts `shown` on screen as it is now: replaced when it names sessions, closed when it names none. */
  #render(shown: Shown): void {
    if (shown.ended) return;
    if (shown.members.length === 0) {
      shown.ended = true;
      this.#enqueue(async () => {
        if (shown.id !== undefined) await this.#sink.close(shown.id);
      });
      return;
    }
    const notification = compose(shown.members);
    this.#enqueue(async () => {
      shown.id = await this.#sink.show(notification, shown.id);
      this.#recovered();
    });
  }

  #enqueue(call: () => Promise<void>): void {
    this.#queue = this.#queue.then(call).catch((error: unknown) => this.#failed(error));
  }

  #failed(error: unknown): void {
    const message = messageOf(error);
    if (message === this.#problem) return;
    this.#problem = message;
    this.#logger.warn(`notifications: ${message}`);
  }

  #recovered(): void {
    if (this.#problem === undefined) return;
    this.#problem = undefined;
    this.#logger.info(`notifications: shown again (${this.#sink.kind})`);
  }

  #onSinkEvent(event: SinkEvent): void {
    const shown = [...new Set(this.#shownFor.values())].find((candidate) => candidate.id === event.id);
    if (shown === undefined) return;
    switch (event.kind) {
      case 'activated': {
        const target = ordered(shown.members)[0];
        if (target === undefined) return;
        try {
          this.#onActivate(target.session.session_id, target.session.pid);
        } catch (error) {
          this.#logger.warn(`notifications: could not switch to the session clicked: ${messageOf(error)}`);
        }
        return;
      }
      case 'closed':
        // Dismissed or expired: its sessions are told of again only at their next transition.
        shown.ended = true;
        for (const member of shown.members) this.#shownFor.delete(member.pid);
        return;
    }
  }
}

function remember(session: SessionInfo): Remembered {
  return { state: session.state, waitingSince: session.waiting_since, wait: session.state === 'needs_input' ? describeWait(session).phrase : '', unseen: session.unseen };
}

/**
 * Still `needs_input`, but waiting for something new since the last list (vmuxd missed the moment
 * between: a second permission prompt right after the first). Both must change: a later
 * `waiting_since` alone may be a client rewriting its status file, another phrase alone may be
 * the age in "turn ended 1 min ago" (which the phrase leaves out anyway).
 */
function waitsAnew(previous: Remembered, now: Remembered | undefined): boolean {
  if (now === undefined || previous.waitingSince === undefined || now.waitingSince === undefined) return false;
  return Date.parse(now.waitingSince) > Date.parse(previous.waitingSince) && now.wait !== previous.wait;
}

/** The sessions of one notification with what each waits for, most urgent first (then in arrival order). */
function ordered(members: readonly SessionInfo[]): { session: SessionInfo; wait: WaitDescription }[] {
  return members
    .map((session) => ({ session, wait: describeWait(session) }))
    .sort((a, b) => urgencyRank(b.wait.urgency) - urgencyRank(a.wait.urgency));
}

/** One notification for one session, or one naming a burst of them. */
export function compose(members: readonly SessionInfo[]): Notification {
  const sessions = ordered(members);
  const first = sessions[0];
  if (first === undefined) throw new Error('BUG: a notification for no session');
  const named = sessions.map(({ session }) => ({
    sessionId: session.session_id,
    pid: session.pid,
    ...(session.tmux_pane ? { tmuxPane: session.tmux_pane } : {}),
  }));
  if (sessions.length === 1) {
    return { title: sessionTitle(first.session), body: first.wait.phrase, urgency: first.wait.urgency, actionLabel: ACTION_LABEL, sessions: named };
  }
  return {
    title: `${sessions.length} sessions need you`,
    body: sessions.map(({ session, wait }) => `${sessionTitle(session)}: ${wait.phrase}`).join('\n'),
    urgency: first.wait.urgency,
    actionLabel: `Switch to ${sessionTitle(first.session)}`,
    sessions: named,
  };
}
