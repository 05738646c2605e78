import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VmuxError } from '../errors.js';
import type { SessionInfo } from './session-info.js';
import { resolveSession } from './resolve-session.js';

function session(pid: number, sessionId: string, label?: string): SessionInfo {
  return {
    pid, session_id: sessionId, cwd: `/work/p${pid}`, git_branch: 'main', state: 'idle', preview: '', workspace: '', reason: 'r',
    ...(label ? { label } : {}),
  };
}

const sessions = [
  session(101, 'aaaa1111-0000-4000-8000-000000000001', 'review MR'),
  session(102, 'aaaa2222-0000-4000-8000-000000000002'),
  session(103, 'bbbb3333-0000-4000-8000-000000000003', 'docs'),
];

test('a session is found by its id, a unique start of its id, its PID or its label', () => {
  assert.equal(resolveSession('aaaa2222-0000-4000-8000-000000000002', sessions).pid, 102);
  assert.equal(resolveSession('bbbb', sessions).pid, 103);
  assert.equal(resolveSession('101', sessions).pid, 101);
  assert.equal(resolveSession('review MR', sessions).pid, 101);
});

test('an id prefix shared by several sessions is ambiguous and lists them', () => {
  assert.throws(
    () => resolveSession('aaaa', sessions),
    (error: unknown) => error instanceof VmuxError && error.code === 'AMBIGUOUS' && /aaaa1111/.test(error.message) && /aaaa2222/.test(error.message),
  );
});

test('no match says so and lists the running sessions', () => {
  assert.throws(() => resolveSession('zzzz', sessions), (error: unknown) => error instanceof VmuxError && error.code === 'NO_MATCH' && /pid 103/.test(error.message));
  assert.throws(() => resolveSession('anything', []), /no Claude Code session is running/);
});

test('a label with escape sequences is listed without them', () => {
  const hostile = [session(201, 'cccc', 'x\u001b]0;pwned\u0007'), session(202, 'cccd')];
  assert.throws(() => resolveSession('nope', hostile), (error: unknown) => error instanceof Error && !/\u001b/.test(error.message));
});
