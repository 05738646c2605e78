import { VmuxError, messageOf } from '../errors.js';
import type { LabelStore } from '../home/label-store.js';
import type { Response, SessionsEvent } from '../protocol/messages.js';
import { toSessionInfo, unseenFirst, type SessionInfo } from '../protocol/session-info.js';
import type { DiscoveryContext } from '../sessions/discovery-context.js';
import { ScanMemory } from '../sessions/scan-memory.js';
import { scanSessions } from '../sessions/scan-sessions.js';
import type { Session } from '../sessions/session.js';
import { processKeyOf, SessionRegistry } from '../sessions/session-registry.js';
import { printableJson } from '../text/printable-json.js';
import { Attention } from './attention.js';
import type { Logger } from './logger.js';

/** Where sessions are on the desktop, as far as vmuxd follows it. */
export interface SessionWhereabouts {
  workspaceOf(pid: number): string | undefined;
  isInFront(pid: number): boolean;
}

/** A client that takes every new picture as one line. */
export interface PictureSubscriber {
  sendLine(line: string, options: { readonly dropIfBehind?: boolean }): void;
}

/**
 * The picture vmuxd serves: the sessions of the latest scan (with what the registry remembers
 * between scans), their labels, their places on the desktop and whether the user has seen them,
 * as one list — and, when it changes, one line to every subscriber.
 */
export class SessionPicture {
  private readonly registry = new SessionRegistry();
  /** What one scan leaves for the next, so that a poll finding nothing changed costs little. */
  private readonly scanMemory = new ScanMemory(() => Date.now());
  private readonly attention = new Attention();
  private readonly subscribers = new Set<PictureSubscriber>();
  private list: SessionInfo[] = [];
  private published = '';

  constructor(
    private readonly labels: LabelStore,
    private readonly whereabouts: SessionWhereabouts,
    private readonly logger: Logger,
    /** Told each new list, once it is served (tmux indicators, notifications). */
    private readonly onPublished: (sessions: readonly SessionInfo[]) => void = () => {},
  ) {}

  /** The list served, unseen sessions first, then by attention. */
  get sessions(): readonly SessionInfo[] {
    return this.list;
  }

  /** The sessions of the latest scan, as discovery described them. */
  get scanned(): readonly Session[] {
    return this.registry.list();
  }

  get size(): number {
    return this.registry.size;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /**
   * Scans, and takes the result in: waiting-since times, labels following their conversation,
   * labels.json edited by hand. A scan that fails leaves the last picture and returns undefined.
   */
  scan(context: DiscoveryContext): readonly Session[] | undefined {
    let sessions: Session[];
    try {
      sessions = scanSessions(context, { memory: this.scanMemory });
    } catch (error) {
      this.logger.warn(`scan failed: ${messageOf(error)}`);
      return undefined;
    }
    // labels.json edited by hand while vmuxd runs: take the edit in rather than erase it later.
    try {
      if (this.labels.reloadIfChanged()) this.logger.info('labels.json changed on disk; its labels are in use now');
    } catch (error) {
      this.logger.warn(`could not read labels.json again: ${messageOf(error)}; the labels known before stay in use`);
    }
    const now = new Date();
    for (const session of sessions) {
      const change = this.registry.update(session, now);
      if (change.previousSessionId !== undefined) this.followConversation(change.previousSessionId, session.sessionId);
    }
    this.registry.removeStale(new Set(sessions.map(processKeyOf)));
    return sessions;
  }

  /** Rebuilds the list and tells subscribers, only when something they would see changed. */
  publish(): void {
    const scanned = this.registry.list();
    const inFront = new Set(scanned.flatMap((session) => (this.whereabouts.isInFront(session.pid) ? [session.pid] : [])));
    this.attention.update(scanned, (pid) => inFront.has(pid));
    const list = unseenFirst(
      scanned.map((session) => {
        const label = this.labels.get(session.sessionId);
        const workspace = this.whereabouts.workspaceOf(session.pid);
        return toSessionInfo(session, {
          ...(label ? { label } : {}),
          ...(workspace ? { workspace } : {}),
          unseen: this.attention.isUnseen(session.pid),
          focused: inFront.has(session.pid),
        });
      }),
    );
    // Serialized once for every subscriber. The same list again (most polls): the one served
    // stays, and the new one is garbage while young.
    const line = printableJson(this.event(list));
    if (line === this.published) return;
    this.list = list;
    this.published = line;
    for (const subscriber of this.subscribers) subscriber.sendLine(line, { dropIfBehind: true });
    this.onPublished(list);
  }

  /** From now on, `subscriber` gets every new picture; it gets the current one at once. */
  subscribe(subscriber: PictureSubscriber): void {
    this.subscribers.add(subscriber);
    subscriber.sendLine(printableJson(this.event()), { dropIfBehind: false });
  }

  unsubscribe(subscriber: PictureSubscriber): void {
    this.subscribers.delete(subscriber);
  }

  /** The user went to this session through vmux. */
  seen(pid: number): void {
    this.attention.seen(pid);
    this.publish();
  }

  /** Sets (or with an empty text, clears) the label of a running session; refused when it cannot be kept. */
  label(sessionId: string, label: string): Response {
    if (!this.list.some((session) => session.session_id === sessionId)) {
      return { ok: false, error: `no running session has id ${sessionId}; 'vmux list' shows them` };
    }
    try {
      this.labels.set(sessionId, label.trim());
    } catch (error) {
      // Not acknowledged: the client learns that its label was not kept, and why.
      return { ok: false, error: messageOf(error), ...(error instanceof VmuxError ? { code: error.code } : {}) };
    }
    this.publish();
    return { ok: true, sessions: this.list };
  }

  /** A label belongs to the conversation the user named: it follows the process to its new one. */
  private followConversation(previousId: string, newId: string): void {
    const label = this.labels.get(previousId);
    if (label === undefined || newId === '' || this.labels.get(newId) !== undefined) return;
    try {
      this.labels.set(newId, label);
      this.logger.debug(`label of session ${previousId} follows its process to session ${newId}`);
    } catch (error) {
      this.logger.warn(`could not carry the label to session ${newId}: ${messageOf(error)}`);
    }
  }

  private event(sessions = this.list): SessionsEvent {
    return { event: 'sessions', sessions };
  }
}
