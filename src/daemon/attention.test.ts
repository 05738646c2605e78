import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionState } from '../session-state.js';
import { Attention } from './attention.js';

const inFrontOf = (...pids: number[]) => (pid: number) => pids.includes(pid);
const sessions = (...states: [number, SessionState][]) => states.map(([pid, state]) => ({ pid, state }));

test('attention: a session that starts waiting while you look elsewhere is unseen until it is in front of you', () => {
  const attention = new Attention();
  attention.update(sessions([1, 'working'], [2, 'working']), inFrontOf(2));
  attention.update(sessions([1, 'needs_input'], [2, 'working']), inFrontOf(2));
  assert.equal(attention.isUnseen(1), true);
  attention.update(sessions([1, 'needs_input'], [2, 'working']), inFrontOf(2));
  assert.equal(attention.isUnseen(1), true, 'the next scans change nothing');
  attention.update(sessions([1, 'needs_input'], [2, 'working']), inFrontOf(1));
  assert.equal(attention.isUnseen(1), false, 'its window got the focus');
  attention.update(sessions([1, 'needs_input'], [2, 'working']), inFrontOf(2));
  assert.equal(attention.isUnseen(1), false, 'looked at once: seen, though it still waits');
});

test('attention: a session that starts waiting in front of you is never unseen', () => {
  const attention = new Attention();
  attention.update(sessions([1, 'working']), inFrontOf(1));
  attention.update(sessions([1, 'needs_input']), inFrontOf(1));
  attention.update(sessions([1, 'needs_input']), inFrontOf());
  assert.equal(attention.isUnseen(1), false);
});

test('attention: leaving needs_input clears unseen; waiting again makes it unseen again', () => {
  const attention = new Attention();
  attention.update(sessions([1, 'needs_input']), inFrontOf());
  assert.equal(attention.isUnseen(1), true, 'already waiting when first seen: nobody told you');
  attention.update(sessions([1, 'working']), inFrontOf());
  assert.equal(attention.isUnseen(1), false);
  attention.update(sessions([1, 'needs_input']), inFrontOf());
  assert.equal(attention.isUnseen(1), true);
});

test('attention: switching to a session through vmux sees it; a session gone is forgotten', () => {
  const attention = new Attention();
  attention.update(sessions([1, 'needs_input'], [2, 'needs_input']), inFrontOf());
  attention.seen(1);
  assert.equal(attention.isUnseen(1), false);
  attention.update(sessions([1, 'needs_input'], [2, 'needs_input']), inFrontOf());
  assert.equal(attention.isUnseen(1), false, 'still seen at the next scan');
  attention.update(sessions([1, 'needs_input']), inFrontOf());
  assert.equal(attention.isUnseen(2), false, 'gone');
  attention.update(sessions([1, 'needs_input'], [2, 'needs_input']), inFrontOf());
  assert.equal(attention.isUnseen(2), true, 'a new process with that PID is news');
});
