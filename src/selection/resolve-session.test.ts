import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VmuxError } from '../errors.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { resolveSession } from './resolve-session.js';

function session(pid: number, sessionId: string, label?: string): SessionInfo {
  return {
    pid, session_id: sessionId, cwd: `/work/p${pid}`, git_branch: 'main', state: 'idle', preview: '', workspace: '', reason: 'r', unseen: false, focused: false,
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

test('whole names before partial ones: exact id, then PID, then label, then the start of an id', () => {
  const clash = [
    session(4242, '42420000-0000-4000-8000-000000000001'),
    session(4243, 'cafe0000-0000-4000-8000-000000000002'),
    session(4244, '99990000-0000-4000-8000-000000000003', 'cafe'),
    session(4245, 'dddd0000-0000-4000-8000-000000000004', 'ops'),
  ];
  // 4242 is one session's PID and the start of another's id: the PID is the whole name.
  assert.equal(resolveSession('4242', [...clash, session(7, '42429999-0000-4000-8000-000000000005')]).pid, 4242);
  assert.equal(resolveSession('4242', clash).pid, 4242);
  // A label is a whole name too: it goes before an id that starts with it, named with more of it.
  assert.equal(resolveSession('cafe', clash).pid, 4244);
  assert.equal(resolveSession('cafe0', clash).pid, 4243);
  assert.equal(resolveSession('cafe0000-0000-4000-8000-000000000002', clash).pid, 4243);
  // A query is matched against labels as labels are stored: cleaned.
  assert.equal(resolveSession('\u001b[1mops\u001b[0m', clash).pid, 4245);
});

test('candidates are listed without escape sequences or C1 controls from folders, labels or ids', () => {
  const hostile = [
    { ...session(301, 'eeee\u001b[2J0000', 'x\u009b2Jy'), cwd: '/tmp/a\u001b]0;pwned\u0007b\u009d0;t\u009c\u202ec' },
    { ...session(302, 'eeee1111'), cwd: '/tmp/\u001b[31mred' },
  ];
  for (const query of ['nope', 'eeee']) {
    assert.throws(
      () => resolveSession(query, hostile, { fuzzy: true }),
      (error: unknown) => error instanceof VmuxError && !/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/.test(error.message) && /\/tmp\/ab/.test(error.message),
    );
  }
});
