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
  /** What each process last did with a tool call: asked permission for it, or ran it. */
  private readonly toolPhases = new Map<ProcessKey, ToolPhase>();

  update(session: Session, now: Date): RegistryChange {
    const key = processKeyOf(session);
    const previous = this.sessions.get(key);
    const waitingSince =
      session.state !== 'needs_input'
        ? undefined
        : (session.waitingSince ?? (previous?.state === 'needs_input' ? previous.waitingSince : undefined) ?? now);
    const { waitingSince: _, ...seen } = session;
    // Kept through the moments between (a tool result, 'finishing the turn'); a new turn forgets it.
    const newTurn = /^(working on your prompt|answering a background task's result)/.test(session.reason);
    const phase = toolPhaseOf(session.reason) ?? (newTurn ? undefined : this.toolPhases.get(key));
    if (phase === undefined) this.toolPhases.delete(key);
    else this.toolPhases.set(key, phase);
    const rest = { ...seen, reason: refinedReason(session, previous, phase) };
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
      this.toolPhases.delete(key);
      removed.push(session);
    }
    return removed;
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** A tool call the registry saw waiting for permission, or running. */
interface ToolPhase {
  readonly tool: string;
  readonly phase: 'permission' | 'running';
}

function toolPhaseOf(reason: string): ToolPhase | undefined {
  const permission = /^waiting for permission: (.+)$/.exec(reason);
  if (permission?.[1]) return { tool: permission[1], phase: 'permission' };
  const running = /^running tool: ([^;\u00b7]+?)(?:;| \u00b7|$)/.exec(reason);
  if (running?.[1]) return { tool: running[1], phase: 'running' };
  return undefined;
}

/**
 * What only a registry can tell: the transcript of a declined permission and of Esc during a
 * running tool are the same, but what the registry saw before was not. One that saw the call wait
 * for permission says "you declined Bash"; one that saw it run says "you interrupted Bash".
 */
function refinedReason(session: Session, previous: Session | undefined, phase: ToolPhase | undefined): string {
  const stopped = /^you stopped (.+)$/.exec(session.reason);
  if (stopped === null) return session.reason;
  const tool = stopped[1] ?? '';
  if (previous !== undefined && previous.sessionId === session.sessionId && (previous.reason === `you declined ${tool}` || previous.reason === `you interrupted ${tool}`)) {
    return previous.reason;
  }
  if (phase?.tool !== tool) return session.reason;
  return phase.phase === 'permission' ? `you declined ${tool}` : `you interrupted ${tool}`;
}
