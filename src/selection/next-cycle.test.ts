import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { callInChild } from '../../test/support/call-in-child.js';
import { tempDir } from '../../test/support/temp-dir.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { nextInCycle, takeNext } from './next-cycle.js';
import { vmuxHomeFrom } from '../home/vmux-home.js';

function session(pid: number, state: SessionInfo['state'] = 'needs_input'): SessionInfo {
  return { pid, session_id: `s${pid}`, cwd: '/w', git_branch: '', state, preview: '', workspace: '', reason: 'r', unseen: false, focused: false };
}

test('vmux next walks the waiting sessions, longest waiting first, and round again', () => {
  const waiting = [11, 12, 13].map((pid) => session(pid));
  const now = 1_000_000;
  assert.equal(nextInCycle(waiting, undefined, now).pid, 11);
  assert.equal(nextInCycle(waiting, { pid: 11, sessionId: 's11', at: now - 1000 }, now).pid, 12);
  assert.equal(nextInCycle(waiting, { pid: 13, sessionId: 's13', at: now - 1000 }, now).pid, 11);
  // Long ago, or a session no longer waiting: start again from the longest waiting.
  assert.equal(nextInCycle(waiting, { pid: 12, sessionId: 's12', at: now - 3_600_000 }, now).pid, 11);
  assert.equal(nextInCycle(waiting, { pid: 99, sessionId: 'gone', at: now - 1000 }, now).pid, 11);
});

test('takeNext skips sessions that do not wait, remembers its walk in the vmux home, and survives a bad file', () => {
  const home = vmuxHomeFrom({ VMUX_HOME: join(tempDir('vmux-next-'), 'home') });
  const listed = [session(1, 'working'), session(2), session(3, 'idle'), session(4)];
  const now = 5_000_000;
  assert.deepEqual([0, 1, 2, 3].map((i) => takeNext(listed, home, now + i).pid), [2, 4, 2, 4]);
  assert.ok(existsSync(join(home.dir, 'next.json')));
  writeFileSync(join(home.dir, 'next.json'), '{"pid": "not a number"');
  assert.equal(takeNext(listed, home, now + 10).pid, 2);
  assert.throws(() => takeNext([session(1, 'working')], home, now), { code: 'NO_MATCH', message: /nothing is waiting/ });
});

test('a FIFO, a device link or a link elsewhere at next.json is neither waited on, read nor written through', () => {
  const root = tempDir('vmux-next-');
  const home = vmuxHomeFrom({ VMUX_HOME: join(root, 'home') });
  mkdirSync(home.dir, { mode: 0o700 });
  const path = join(home.dir, 'next.json');
  const listed = [session(2), session(4)];
  const now = 5_000_000;
  const elsewhere = join(root, 'elsewhere.json');
  writeFileSync(elsewhere, JSON.stringify({ pid: 2, sessionId: 's2', at: now }));
  const plants: Array<[string, () => void]> = [
    ['a FIFO', () => assert.equal(spawnSync('mkfifo', [path]).status, 0)],
    ['a link to /dev/zero', () => symlinkSync('/dev/zero', path)],
    ['a link to a file elsewhere', () => symlinkSync(elsewhere, path)],
  ];
  for (const [what, plant] of plants) {
    rmSync(path, { force: true });
    plant();
    // In a child: a read or write waiting on the FIFO must fail the test, not freeze it.
    const { value } = callInChild(new URL('./next-cycle.js', import.meta.url).href, 'takeNext', [listed, home, now + 1]);
    assert.equal((value as SessionInfo).pid, 2, `with ${what}, the walk starts from the longest waiting`);
    assert.ok(lstatSync(path).isFile(), `${what} was replaced by vmux's own file`);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, 2);
  }
  assert.equal(JSON.parse(readFileSync(elsewhere, 'utf8')).at, now, 'the file a link led to is untouched');
});
