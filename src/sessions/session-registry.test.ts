import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionState } from '../session-state.js';
import type { Session } from './session.js';
import { processKeyOf, SessionRegistry } from './session-registry.js';

const at = (iso: string): Date => new Date(`2025-06-01T${iso}Z`);

function session(pid: number, state: SessionState, fields: Partial<Session> = {}): Session {
  return {
    pid,
    procStart: `${pid}00`,
    sessionId: `5e550000-0000-4000-8000-${String(pid).padStart(12, '0')}`,
    cwd: `/work/p${pid}`,
    gitBranch: 'main',
    state,
    reason: state,
    preview: '',
    ...fields,
  };
}

test('registry update', () => {
  const registry = new SessionRegistry();
  registry.update(session(1, 'working', { preview: 'first' }), at('10:00:00'));
  assert.equal(registry.size, 1);
  assert.deepEqual(registry.list().map((s) => [s.pid, s.state, s.preview]), [[1, 'working', 'first']]);

  // The same process again replaces its row rather than adding one.
  registry.update(session(1, 'idle', { preview: 'second' }), at('10:00:05'));
  assert.equal(registry.size, 1);
  assert.deepEqual(registry.list().map((s) => [s.pid, s.state, s.preview]), [[1, 'idle', 'second']]);

  registry.update(session(2, 'needs_input'), at('10:00:05'));
  assert.deepEqual(registry.list().map((s) => s.pid), [2, 1], 'a session that needs the user comes first');
});

test('registry waiting since', () => {
  const registry = new SessionRegistry();
  const find = () => registry.list()[0];

  registry.update(session(1, 'working'), at('10:00:00'));
  assert.equal(find()?.waitingSince, undefined, 'a working session waits for nobody');

  // working → needs_input, the scan knows no time: the registry records when it first saw it.
  registry.update(session(1, 'needs_input'), at('10:00:05'));
  assert.deepEqual(find()?.waitingSince, at('10:00:05'));

  // Still waiting on later scans: the first time stays.
  registry.update(session(1, 'needs_input'), at('10:00:10'));
  registry.update(session(1, 'needs_input'), at('10:05:00'));
  assert.deepEqual(find()?.waitingSince, at('10:00:05'));

  // Back to working clears it.
  registry.update(session(1, 'working', { waitingSince: at('09:00:00') }), at('10:06:00'));
  assert.equal(find()?.waitingSince, undefined, 'not waiting: no time, even when the scan passed one');

  // working → needs_input with the transcript's time of the answer: that time, not the scan's.
  registry.update(session(1, 'needs_input', { waitingSince: at('10:06:30') }), at('10:06:40'));
  assert.deepEqual(find()?.waitingSince, at('10:06:30'));
  registry.update(session(1, 'needs_input', { waitingSince: at('10:06:30') }), at('10:07:00'));
  assert.deepEqual(find()?.waitingSince, at('10:06:30'));

  // idle is not waiting either.
  registry.update(session(1, 'idle'), at('10:20:00'));
  assert.equal(find()?.waitingSince, undefined);
  registry.update(session(1, 'needs_input'), at('10:21:00'));
  assert.deepEqual(find()?.waitingSince, at('10:21:00'), 'a new wait starts at its own time');
});

test('registry waiting since: the longest waiting comes first', () => {
  const registry = new SessionRegistry();
  registry.update(session(1, 'needs_input', { waitingSince: at('10:05:00') }), at('10:10:00'));
  registry.update(session(2, 'needs_input', { waitingSince: at('10:01:00') }), at('10:10:00'));
  registry.update(session(3, 'working'), at('10:10:00'));
  registry.update(session(4, 'needs_input'), at('10:10:00'));
  assert.deepEqual(registry.list().map((s) => s.pid), [2, 1, 4, 3]);
});

test('registry remove stale', () => {
  const registry = new SessionRegistry();
  const [a, b, c] = [session(1, 'working'), session(2, 'idle'), session(3, 'needs_input')];
  for (const s of [a, b, c]) registry.update(s, at('10:00:00'));

  const removed = registry.removeStale(new Set([processKeyOf(a), processKeyOf(c)]));
  assert.deepEqual(removed.map((s) => s.pid), [2], 'the sessions dropped are returned');
  assert.deepEqual(registry.list().map((s) => s.pid).sort(), [1, 3]);

  assert.deepEqual(registry.removeStale(new Set([processKeyOf(a), processKeyOf(c)])), [], 'nothing more to drop');
  registry.removeStale(new Set());
  assert.equal(registry.size, 0);
});

test('registry remove stale: a reused PID with another start time is another process', () => {
  const registry = new SessionRegistry();
  const old = session(7, 'working', { procStart: '100' });
  const reused = session(7, 'idle', { procStart: '999', sessionId: 'another' });
  registry.update(old, at('10:00:00'));
  const change = registry.update(reused, at('10:00:05'));
  assert.deepEqual(change, {}, 'not a move: a different process');
  assert.equal(registry.size, 2);
  registry.removeStale(new Set([processKeyOf(reused)]));
  assert.deepEqual(registry.list().map((s) => s.procStart), ['999']);
});

test('registry reports the process moving to a new session id (/clear, /compact, resume)', () => {
  const registry = new SessionRegistry();
  const before = session(1, 'needs_input', { sessionId: 'old-conversation' });
  assert.deepEqual(registry.update(before, at('10:00:00')), {}, 'first sight is no move');
  assert.deepEqual(registry.update(before, at('10:00:05')), {}, 'same id, no move');

  const after = session(1, 'idle', { sessionId: 'new-conversation' });
  assert.deepEqual(registry.update(after, at('10:00:10')), { previousSessionId: 'old-conversation' });
  assert.deepEqual(registry.list().map((s) => s.sessionId), ['new-conversation'], 'one row for the process');
  assert.deepEqual(registry.update(after, at('10:00:15')), {}, 'reported once');
});

test('registry: a process that had no session id yet getting one is no move', () => {
  const registry = new SessionRegistry();
  registry.update(session(1, 'idle', { sessionId: '' }), at('10:00:00'));
  assert.deepEqual(registry.update(session(1, 'working', { sessionId: 'first-id' }), at('10:00:05')), {});
});

test('registry: a declined permission and Esc during a tool, told apart by what the registry saw before', () => {
  const registry = new SessionRegistry();
  const reasonOf = (pid: number) => registry.list().find((s) => s.pid === pid)?.reason;
  registry.update(session(1, 'needs_input', { reason: 'waiting for permission: Bash' }), at('10:00:00'));
  // A scan may catch the rejected result before the interrupt marker that follows it.
  registry.update(session(1, 'working', { reason: 'working on the tool result' }), at('10:00:01'));
  registry.update(session(1, 'idle', { reason: 'you stopped Bash' }), at('10:00:02'));
  assert.equal(reasonOf(1), 'you declined Bash');
  registry.update(session(1, 'idle', { reason: 'you stopped Bash' }), at('10:00:07'));
  assert.equal(reasonOf(1), 'you declined Bash', 'kept on the next scans');

  registry.update(session(2, 'working', { reason: 'running tool: Bash' }), at('10:00:00'));
  // The client says idle a moment before the interrupt reaches the transcript.
  registry.update(session(2, 'working', { reason: 'finishing the turn' }), at('10:00:01'));
  registry.update(session(2, 'idle', { reason: 'you stopped Bash' }), at('10:00:02'));
  assert.equal(reasonOf(2), 'you interrupted Bash');
  // A new prompt forgets the tool: a later stop of another call is told afresh.
  registry.update(session(2, 'working', { reason: 'working on your prompt' }), at('10:01:00'));
  registry.update(session(2, 'idle', { reason: 'you stopped Edit' }), at('10:01:02'));
  assert.equal(reasonOf(2), 'you stopped Edit');

  // Seen for the first time already stopped: the transcript alone cannot tell which.
  registry.update(session(3, 'idle', { reason: 'you stopped Bash' }), at('10:00:02'));
  assert.equal(reasonOf(3), 'you stopped Bash');
});
