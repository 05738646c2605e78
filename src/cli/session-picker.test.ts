import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionInfo } from '../protocol/session-info.js';
import { decodeKeys, filterSessions, pickerStep, renderPicker, type PickerState } from './session-picker.js';
import { palette } from './style.js';

function session(pid: number, fields: Partial<SessionInfo> = {}): SessionInfo {
  return { pid, session_id: `s${pid}`, cwd: `/work/p${pid}`, git_branch: 'main', state: 'idle', preview: '', workspace: '', reason: 'r', unseen: false, focused: false, ...fields };
}

const sessions = [
  session(11, { state: 'needs_input', cwd: '/work/api', reason: 'waiting for permission: Bash', preview: 'Bash: npm run migrate' }),
  session(12, { cwd: '/work/web', label: 'review MR' }),
  session(13, { cwd: '/work/docs', git_branch: 'guide' }),
];
const start: PickerState = { sessions, filter: '', selected: 0 };

test('keys from a raw terminal: text, arrows, Enter, Backspace, Esc and Ctrl-C', () => {
  assert.deepEqual(decodeKeys('ab'), [{ kind: 'text', text: 'a' }, { kind: 'text', text: 'b' }]);
  assert.deepEqual(decodeKeys('\u001b[A\u001b[B\u001bOA'), [{ kind: 'up' }, { kind: 'down' }, { kind: 'up' }]);
  assert.deepEqual(decodeKeys('\r\u007f\u0003'), [{ kind: 'enter' }, { kind: 'backspace' }, { kind: 'cancel' }]);
  assert.deepEqual(decodeKeys('\u001b'), [{ kind: 'cancel' }]);
  assert.deepEqual(decodeKeys('\u001b[5~é🎉'), [{ kind: 'text', text: 'é' }, { kind: 'text', text: '🎉' }]);
});

test('the filter keeps sessions holding every word, in their order', () => {
  assert.deepEqual(filterSessions(sessions, '').map((s) => s.pid), [11, 12, 13]);
  assert.deepEqual(filterSessions(sessions, 'REVIEW').map((s) => s.pid), [12]);
  assert.deepEqual(filterSessions(sessions, 'needs migrate').map((s) => s.pid), [11]);
  assert.deepEqual(filterSessions(sessions, '13').map((s) => s.pid), [13]);
  assert.deepEqual(filterSessions(sessions, 'nothing-like-this'), []);
});

test('typing filters, arrows move within the matches, Enter chooses, Esc gives up', () => {
  let state = start;
  for (const key of decodeKeys('work\u001b[B\u001b[B\u001b[B')) {
    const step = pickerStep(state, key);
    assert.equal(step.kind, 'continue');
    if (step.kind === 'continue') state = step.state;
  }
  assert.equal(state.selected, 2, 'the cursor stops at the last match');
  const chosen = pickerStep(state, { kind: 'enter' });
  assert.ok(chosen.kind === 'chosen' && chosen.session.pid === 13);
  assert.equal(pickerStep(state, { kind: 'cancel' }).kind, 'cancelled');
  const narrowed = pickerStep({ ...state, filter: 'web' }, { kind: 'enter' });
  assert.ok(narrowed.kind === 'continue', 'the cursor was past the only match: Enter waits');
});

test('the screen shows the filter and the matches, cut to the terminal, without escape sequences from sessions', () => {
  const hostile = [session(21, { label: 'evil\u001b]0;pwned\u0007', preview: 'x\u001b[2Jy' })];
  const text = renderPicker({ sessions: hostile, filter: '', selected: 0 }, { columns: 40, rows: 10 }, palette(false));
  assert.doesNotMatch(text, /\u001b/);
  for (const line of text.split('\n')) assert.ok([...line].length <= 40, line);
  const none = renderPicker({ ...start, filter: 'zzz' }, { columns: 80, rows: 10 }, palette(false));
  assert.match(none, /vmux › zzz\n {2}no session matches/);
});

test('a long list scrolls so the selection stays on screen', () => {
  const many = Array.from({ length: 30 }, (_, i) => session(100 + i));
  const text = renderPicker({ sessions: many, filter: '', selected: 25 }, { columns: 80, rows: 10 }, palette(false));
  const lines = text.split('\n');
  assert.equal(lines.length, 9);
  assert.ok(lines.some((line) => line.startsWith('› ')), 'the selected line is shown');
});
