import { join } from 'node:path';
import { VmuxError } from '../errors.js';
import { readRegularTextFile } from '../files/read-regular-file.js';
import { replaceFile } from '../files/replace-file.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { prepareVmuxHome, type VmuxHome } from '../home/vmux-home.js';

/** Repeated `vmux next` calls this close together walk down the waiting sessions. */
const NEXT_CYCLE_MS = 60_000;

/** `next.json` holds one small object; a larger file is not the one vmux wrote. */
const MAX_LAST_NEXT_BYTES = 4 * 1024;

/** The session `vmux next` went to last, kept in the vmux home so the CLI and vmuxd share the walk. */
export interface LastNext {
  readonly pid: number;
  readonly sessionId: string;
  readonly at: number;
}

/**
 * Where `vmux next` goes among the waiting sessions (sorted for attention: longest waiting
 * first): the first, or after the one it went to last (if recent and still waiting) the one
 * after it, and round again.
 */
export function nextInCycle(waiting: readonly SessionInfo[], last: LastNext | undefined, now: number): SessionInfo {
  const first = waiting[0];
  if (first === undefined) throw new VmuxError('NO_MATCH', 'nothing is waiting for you');
  if (last === undefined || now - last.at > NEXT_CYCLE_MS) return first;
  const index = waiting.findIndex((s) => s.pid === last.pid && s.session_id === last.sessionId);
  return index < 0 ? first : (waiting[(index + 1) % waiting.length] ?? first);
}

/** Picks the session `vmux next` goes to now, and remembers it for the next call. */
export function takeNext(sessions: readonly SessionInfo[], home: VmuxHome, now = Date.now()): SessionInfo {
  const target = nextInCycle(
    sessions.filter((s) => s.state === 'needs_input'),
    readLastNext(home),
    now,
  );
  writeLastNext(home, { pid: target.pid, sessionId: target.session_id, at: now });
  return target;
}

function lastNextPath(home: VmuxHome): string {
  return join(home.dir, 'next.json');
}

function readLastNext(home: VmuxHome): LastNext | undefined {
  try {
    // vmux writes this file itself: a symbolic link, FIFO or device in its place is not read.
    const raw: unknown = JSON.parse(readRegularTextFile(lastNextPath(home), { maxBytes: MAX_LAST_NEXT_BYTES, noFollow: true }));
    if (typeof raw !== 'object' || raw === null) return undefined;
    const { pid, sessionId, at } = raw as Record<string, unknown>;
    return typeof pid === 'number' && typeof sessionId === 'string' && typeof at === 'number' ? { pid, sessionId, at } : undefined;
  } catch {
    // Missing, unreadable or not a file: the walk starts again from the longest waiting.
    return undefined;
  }
}

/** Written beside and renamed over: whatever stands at `next.json` (a link, a FIFO) is replaced, never written through. */
function writeLastNext(home: VmuxHome, last: LastNext): void {
  prepareVmuxHome(home);
  replaceFile(lastNextPath(home), `${JSON.stringify(last)}\n`, 0o600);
}
