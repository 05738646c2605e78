import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOSTILE, HOSTILE_CLEANED, RAW_CONTROL } from '../../test/support/hostile-text.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { barView, disconnectedView } from './bar-view.js';
import { sessionInfo } from '../../test/support/session-info.js';

const NOW = new Date('2026-11-30T12:00:00Z');
const minutesBefore = (n: number) => new Date(NOW.getTime() - n * 60_000).toISOString();

let pids = 100;
function session(fields: Partial<SessionInfo>): SessionInfo {
  return sessionInfo(++pids, fields);
}

test('bar view: counts each session once, unseen apart from the others that need you', () => {
  const view = barView(
    [
      session({ state: 'needs_input', unseen: true, waiting_since: minutesBefore(1) }),
      session({ state: 'needs_input', waiting_since: minutesBefore(2) }),
      session({ state: 'needs_input', waiting_since: minutesBefore(3) }),
      session({ state: 'working' }),
      session({ state: 'idle' }),
      session({ state: 'unknown' }),
    ],
    NOW,
  );
  assert.equal(view.kind, 'sessions');
  if (view.kind !== 'sessions') return;
  assert.deepEqual(view.counts, { unseen: 1, waiting: 2, working: 1, idle: 1, unknown: 1 });
  assert.equal(view.condition, 'unseen');
});

test('bar view: unseen first, then the longest waiting, then working, idle, unknown', () => {
  const view = barView(
    [
      session({ label: 'idle one', state: 'idle' }),
      session({ label: 'short wait', state: 'needs_input', waiting_since: minutesBefore(1) }),
      session({ label: 'worker', state: 'working' }),
      session({ label: 'long wait', state: 'needs_input', waiting_since: minutesBefore(9) }),
      session({ label: 'new', state: 'needs_input', unseen: true, waiting_since: minutesBefore(0) }),
    ],
    NOW,
  );
  assert.ok(view.kind === 'sessions');
  assert.deepEqual(
    view.entries.map((e) => e.name),
    ['new', 'long wait', 'short wait', 'worker', 'idle one'],
  );
  assert.equal(view.entries[1]?.waitedMs, 9 * 60_000);
  assert.equal(view.entries[3]?.waitedMs, undefined, 'only a session that needs you has waited');
});

test('bar view: the condition is the most pressing state present', () => {
  const conditionOf = (sessions: SessionInfo[]) => barView(sessions, NOW).condition;
  assert.equal(conditionOf([session({ state: 'needs_input' }), session({ state: 'working' })]), 'needs-input');
  assert.equal(conditionOf([session({ state: 'working' }), session({ state: 'idle' })]), 'working');
  assert.equal(conditionOf([session({ state: 'idle' }), session({ state: 'unknown' })]), 'idle');
  assert.equal(conditionOf([]), 'empty');
  assert.equal(disconnectedView('vmuxd is not running').condition, 'disconnected');
});

test('bar view: names are the label, else the folder; outside text is cleaned to one short line', () => {
  const view = barView(
    [
      session({ cwd: `/home/u/${HOSTILE}`, reason: `waiting\nfor ${HOSTILE}`, state: 'needs_input' }),
      session({ label: 'x'.repeat(300), state: 'working' }),
      // An older vmuxd sends no `unseen`: it counts as seen.
      { ...session({ state: 'needs_input' }), unseen: undefined as unknown as boolean },
    ],
    NOW,
  );
  assert.ok(view.kind === 'sessions');
  const [hostile, , long] = view.entries;
  assert.equal(hostile?.name, HOSTILE_CLEANED);
  assert.equal(hostile?.reason, `waiting for ${HOSTILE_CLEANED}`);
  assert.doesNotMatch(JSON.stringify(view.entries), RAW_CONTROL);
  assert.ok((long?.name.length ?? 0) <= 40);
  assert.equal(view.counts.unseen, 0);
  const lost = disconnectedView(`lost ${HOSTILE}`);
  assert.ok(lost.kind === 'disconnected');
  assert.equal(lost.why, `lost ${HOSTILE_CLEANED}`);
});

test('bar view: a waiting time in the future (a wrong clock) counts as none, not negative', () => {
  const view = barView([session({ state: 'needs_input', waiting_since: new Date(NOW.getTime() + 60_000).toISOString() })], NOW);
  assert.ok(view.kind === 'sessions');
  assert.equal(view.entries[0]?.waitedMs, 0);
});
