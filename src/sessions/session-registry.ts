import { byAttention, type Session } from './session.js';

/** A process is one row of the picture whatever conversation it holds: PID plus start time. */
export type ProcessKey = string;

export function processKeyOf(session: Pick<Session, 'pid' | 'procStart'>): ProcessKey {
  return `${session.pid}:${session.procStart}`;
}

/** What an update changed that the daemon acts on. */
export interface RegistryChange {
  /** The process moved to another conversation (`/clear`, `/compact`, resume): the one it left. */
  readonly previousSessionId?: string;
}

/**
 * The live sessions between scans, with the one thing a single scan cannot know: since when a
 * session has been waiting. `waiting_since` is the transcript time of the record that made the
 * session wait when the scan knows it, else the time the registry first saw it waiting; it is
 * cleared when the session stops waiting (SPEC §3).
 */
export class SessionRegistry {
  private readonly sessions = new Map<ProcessKey, Session>();

  update(session: Session, now: Date): RegistryChange {
    const key = processKeyOf(session);
    const previous = this.sessions.get(key);
    const waitingSince =
      session.state !== 'needs_input'
        ? undefined
        : (session.waitingSince ?? (previous?.state === 'needs_input' ? previous.waitingSince : undefined) ?? now);
    const { waitingSince: _, ...seen } = session;
    const rest = { ...seen, reason: refinedReason(session, previous) };
    this.sessions.set(key, waitingSince === undefined ? rest : { ...rest, waitingSince });
    const moved = previous !== undefined && previous.sessionId !== '' && previous.sessionId !== session.sessionId;
    return moved ? { previousSessionId: previous.sessionId } : {};
  }

  /** Sessions that need the user first, longest waiting first. */
  list(): Session[] {
    return [...this.sessions.values()].sort(byAttention);
  }

  /** Drops the sessions the latest scan did not see; returns them. */
  removeStale(active: ReadonlySet<ProcessKey>): Session[] {
    const removed: Session[] = [];
    for (const [key, session] of this.sessions) {
      if (active.has(key)) continue;
      this.sessions.delete(key);
      removed.push(session);
    }
    return removed;
  }

  get size(): number {
    return this.sessions.size;
  }
}

/**
 * What only a registry can tell: the transcript of a declined permission and of Esc during a
 * running tool are the same, but the state before was not. A registry that saw the session wait
 * for permission says "you declined Bash"; one that saw the tool run says "you interrupted Bash".
 */
function refinedReason(session: Session, previous: Session | undefined): string {
  const stopped = /^you stopped (.+)$/.exec(session.reason);
  if (stopped === null || previous === undefined || previous.sessionId !== session.sessionId) return session.reason;
  const tool = stopped[1] ?? '';
  if (previous.reason === `you declined ${tool}` || previous.reason === `you interrupted ${tool}`) return previous.reason;
  if (previous.state === 'needs_input' && previous.reason.startsWith('waiting for permission')) return `you declined ${tool}`;
  if (previous.state === 'working' && previous.reason.startsWith(`running tool: ${tool}`)) return `you interrupted ${tool}`;
  return session.reason;
}
