import { basename } from 'node:path';
import type { SessionInfo } from '../protocol/session-info.js';
import type { SessionState } from '../session-state.js';
import { oneLine } from '../text/sanitize-text.js';

/**
 * What a status bar shows, worked out once for every bar format: how many sessions are in each
 * state, which condition colours the module, and one entry per session for a tooltip. Pure: the
 * formats (`bar-formats.ts`) only spell it in their markup.
 */

/**
 * The condition of the whole module, most pressing first: a session that needs you and that you
 * have not looked at, one that needs you, one working, only idle ones, none at all, or no vmuxd
 * to ask. Spelt as CSS classes are (`needs-input`), since bars style by it.
 */
export type BarCondition = 'unseen' | 'needs-input' | 'working' | 'idle' | 'empty' | 'disconnected';

/** Sessions by what they ask of the user; each session is counted once. */
export interface BarCounts {
  /** Needs input and not looked at since. */
  readonly unseen: number;
  /** Needs input, already seen. */
  readonly waiting: number;
  readonly working: number;
  readonly idle: number;
  readonly unknown: number;
}

/** One session, as a tooltip line tells it. */
export interface BarEntry {
  readonly state: SessionState;
  readonly unseen: boolean;
  /** Its label, else its folder's name; cleaned, one line. */
  readonly name: string;
  /** Why it is in that state, in the screen's words; cleaned, one line. */
  readonly reason: string;
  /** How long it has waited for the user, while it needs input and vmuxd knows since when. */
  readonly waitedMs?: number;
  /** Since when (RFC 3339), with `waitedMs`. */
  readonly waitingSince?: string;
}

export type BarView =
  | {
      readonly kind: 'sessions';
      readonly condition: Exclude<BarCondition, 'disconnected'>;
      readonly counts: BarCounts;
      /** Unseen first, then those that waited longest, then working, idle, unknown. */
      readonly entries: readonly BarEntry[];
    }
  | {
      readonly kind: 'disconnected';
      readonly condition: 'disconnected';
      /** Why vmuxd cannot be asked (its own words, cleaned). */
      readonly why: string;
    };

/** Names and reasons longer than this would make a tooltip wider than a screen. */
const MAX_NAME_CHARS = 40;
const MAX_REASON_CHARS = 80;

const STATE_RANK: Readonly<Record<SessionState, number>> = { needs_input: 0, working: 1, idle: 2, unknown: 3 };

/** The bar's picture of `sessions` at `now`. */
export function barView(sessions: readonly SessionInfo[], now: Date): BarView {
  const entries = sessions.map((session) => entryOf(session, now)).sort(byUrgency);
  const counts: BarCounts = {
    unseen: entries.filter((e) => e.state === 'needs_input' && e.unseen).length,
    waiting: entries.filter((e) => e.state === 'needs_input' && !e.unseen).length,
    working: entries.filter((e) => e.state === 'working').length,
    idle: entries.filter((e) => e.state === 'idle').length,
    unknown: entries.filter((e) => e.state === 'unknown').length,
  };
  return { kind: 'sessions', condition: conditionOf(counts), counts, entries };
}

/** The bar's picture while vmuxd cannot be reached. */
export function disconnectedView(why: string): BarView {
  return { kind: 'disconnected', condition: 'disconnected', why: oneLine(why, 200) };
}

function entryOf(session: SessionInfo, now: Date): BarEntry {
  const since = session.state === 'needs_input' && session.waiting_since !== undefined ? Date.parse(session.waiting_since) : Number.NaN;
  return {
    state: session.state,
    unseen: session.state === 'needs_input' && session.unseen === true,
    name: oneLine(session.label || basename(session.cwd) || session.cwd, MAX_NAME_CHARS) || `pid ${session.pid}`,
    reason: oneLine(session.reason, MAX_REASON_CHARS),
    ...(Number.isFinite(since) ? { waitedMs: Math.max(0, now.getTime() - since), waitingSince: session.waiting_since } : {}),
  };
}

function byUrgency(a: BarEntry, b: BarEntry): number {
  const rank = STATE_RANK[a.state] - STATE_RANK[b.state];
  if (rank !== 0) return rank;
  if (a.unseen !== b.unseen) return a.unseen ? -1 : 1;
  return (b.waitedMs ?? 0) - (a.waitedMs ?? 0);
}

function conditionOf(counts: BarCounts): Exclude<BarCondition, 'disconnected'> {
  if (counts.unseen > 0) return 'unseen';
  if (counts.waiting > 0) return 'needs-input';
  if (counts.working > 0) return 'working';
  if (counts.idle + counts.unknown > 0) return 'idle';
  return 'empty';
}
