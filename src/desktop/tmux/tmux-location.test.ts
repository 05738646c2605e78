import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { processAncestry } from '../process-ancestry.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { cleanEnv, installFakeClaude, privateTmux, waitUntil } from '../../../test/support/private-tmux.js';
import { skippedWithout } from '../../../test/support/require-wm.js';
import {
  parsePaneId,
  parseTmuxVariable,
  parseTtyNr,
  ptsNumberOfTtyNr,
  readTmuxLocation,
  tmuxVariablesOf,
} from './tmux-location.js';

test('parseTmuxVariable reads socket, server pid and session number', () => {
  assert.deepEqual(parseTmuxVariable('/tmp/tmux-1000/default,4242,3'), {
    socketPath: '/tmp/tmux-1000/default',
    serverPid: 4242,
    sessionNumber: 3,
  });
});

test('parseTmuxVariable takes the numbers from the right: socket paths may hold commas and spaces', () => {
  assert.deepEqual(parseTmuxVariable('/run/user/1000/my,odd dir/sock,et,17,0'), {
    socketPath: '/run/user/1000/my,odd dir/sock,et',
    serverPid: 17,
    sessionNumber: 0,
  });
  assert.equal(parseTmuxVariable('/tmp/x,1,-1')?.sessionNumber, -1);
});

test('parseTmuxVariable rejects what tmux never writes', () => {
  for (const bad of ['', 'default,1,2', '/tmp/s,0,1', '/tmp/s,abc,1', '/tmp/s,1', '/tmp/s,1,2\n', '/tmp/s,1,x', '/tmp/s,-5,1']) {
    assert.equal(parseTmuxVariable(bad), undefined, bad);
  }
});

test('parsePaneId accepts only %N', () => {
  assert.equal(parsePaneId('%0'), '%0');
  assert.equal(parsePaneId('%123'), '%123');
  for (const bad of ['', '%', '0', '%1;kill-server', '%1 ', '$1', '@1', '%-1']) assert.equal(parsePaneId(bad), undefined, bad);
});

test('tmuxVariablesOf needs both TMUX and TMUX_PANE', () => {
  const env = new Map([
    ['TMUX', '/tmp/s,10,2'],
    ['TMUX_PANE', '%7'],
  ]);
  assert.deepEqual(tmuxVariablesOf(env), { socketPath: '/tmp/s', serverPid: 10, sessionNumber: 2, paneId: '%7' });
  assert.equal(tmuxVariablesOf(new Map([['TMUX', '/tmp/s,10,2']])), undefined);
  assert.equal(tmuxVariablesOf(new Map([['TMUX_PANE', '%7']])), undefined);
  assert.equal(tmuxVariablesOf(new Map([['TMUX', '/tmp/s,10,2'], ['TMUX_PANE', 'seven']])), undefined);
});

test('ptsNumberOfTtyNr decodes pty slaves in both minor encodings, nothing else', () => {
  assert.equal(ptsNumberOfTtyNr((136 << 8) | 3), 3);
  // Minor 300 on major 136: the low byte in bits 0-7, the rest from bit 20.
  assert.equal(ptsNumberOfTtyNr((136 << 8) | (300 & 0xff) | ((300 & ~0xff) << 12)), 300);
  assert.equal(ptsNumberOfTtyNr((137 << 8) | 4), 260);
  assert.equal(ptsNumberOfTtyNr(0), undefined);
  assert.equal(ptsNumberOfTtyNr((4 << 8) | 1), undefined, '/dev/tty1 is not a pty');
});

test('parseTtyNr counts fields after the last parenthesis', () => {
  assert.equal(parseTtyNr('12 (a) b (c)) S 1 12 12 34817 12 4194560 ...'), 34817);
  assert.equal(parseTtyNr('garbage'), undefined);
});

test('readTmuxLocation: a process without TMUX has its ancestors\' location; a vanished one none', async () => {
  const dir = tempDir('vmux-tmux-loc-');
  const child = spawn('sleep', ['infinity'], { env: cleanEnv(), stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    // Its environment has no TMUX; its ancestors are this test's, in tmux only when the tests run in tmux.
    const location = readTmuxLocation('/proc', child.pid ?? -1);
    assert.equal(location?.envPid === child.pid, false);
    assert.equal(location === undefined, readTmuxLocation('/proc', process.pid) === undefined);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  assert.equal(readTmuxLocation('/proc', child.pid ?? -1), undefined);
  assert.equal(readTmuxLocation(join(dir, 'no-proc'), process.pid), undefined);
});

test('readTmuxLocation reads a fake proc root', () => {
  const proc = tempDir('vmux-tmux-proc-');
  const stat = (pid: number, ppid: number, ttyNr: number) =>
    `${pid} (odd) name) S ${ppid} ${pid} ${pid} ${ttyNr} ${pid} 0 0 0 0 0 0 0 0 0 20 0 1 0 12345 0 0`;
  const write = (pid: number, ppid: number, env: string[], ttyNr: number) => {
    mkdirSync(join(proc, String(pid)), { recursive: true });
    writeFileSync(join(proc, String(pid), 'stat'), stat(pid, ppid, ttyNr));
    writeFileSync(join(proc, String(pid), 'environ'), env.map((e) => `${e}\0`).join(''));
  };
  const pts5 = (136 << 8) | 5;
  write(100, 1, ['HOME=/root'], 0);
  write(200, 100, ['TMUX=/tmp/t,c/sock,77,4', 'TMUX_PANE=%9'], pts5);
  write(300, 200, ['PATH=/bin'], pts5);
  assert.deepEqual(processAncestry(300, proc), [300, 200, 100]);
  assert.deepEqual(readTmuxLocation(proc, 300), {
    socketPath: '/tmp/t,c/sock',
    serverPid: 77,
    sessionNumber: 4,
    paneId: '%9',
    envPid: 200,
    ancestry: [300, 200, 100],
    ptsNumber: 5,
  });
  assert.equal(readTmuxLocation(proc, 100), undefined);

  // The pane the client reports itself in wins over an inherited TMUX_PANE; TMUX alone then names the server.
  assert.equal(readTmuxLocation(proc, 300, '%12')?.paneId, '%12');
  write(400, 1, ['TMUX=/tmp/other,88,1'], pts5);
  assert.deepEqual(readTmuxLocation(proc, 400, '%3'), { socketPath: '/tmp/other', serverPid: 88, sessionNumber: 1, paneId: '%3', envPid: 400, ancestry: [400], ptsNumber: 5 });
  assert.equal(readTmuxLocation(proc, 400), undefined, 'TMUX alone names no pane');
  assert.equal(readTmuxLocation(proc, 300, '%12; kill-server')?.paneId, '%9', 'a reported pane that is no pane id is ignored');
});

test('readTmuxLocation on real processes in panes of a private tmux server', async (t) => {
  if (skippedWithout(t, 'tmux')) return;
  const dir = tempDir('vmux-tmux-loc-');
  const claude = installFakeClaude(dir);
  const server = privateTmux(dir, claude);
  try {
    const direct = await server.newSession('direct', { kind: 'claude' });
    const underShell = await server.newWindow(direct.sessionId, { kind: 'shell' });
    const cleared = await server.splitWindow(underShell.paneId, { kind: 'shell-env-cleared' });
    const serverPid = Number(await server.show(direct.paneId, '#{pid}'));
    const sessionNumber = Number(direct.sessionId.slice(1));

    for (const [ids, viaParent] of [
      [direct, false],
      [underShell, false],
      [cleared, true],
    ] as const) {
      const pid = await server.claudeIn(ids.paneId);
      const panePid = Number(await server.show(ids.paneId, '#{pane_pid}'));
      const paneTty = await server.show(ids.paneId, '#{pane_tty}');
      await waitUntil(() => readTmuxLocation('/proc', pid) !== undefined, `environ of ${pid}`);
      const location = readTmuxLocation('/proc', pid);
      assert.equal(location?.socketPath, server.socketPath);
      assert.equal(location?.serverPid, serverPid);
      assert.equal(location?.sessionNumber, sessionNumber);
      assert.equal(location?.paneId, ids.paneId);
      assert.equal(location?.ancestry[0], pid);
      assert.ok(location?.ancestry.includes(panePid), 'the pane process is an ancestor (or the process itself)');
      assert.equal(`/dev/pts/${location?.ptsNumber}`, paneTty);
      // The cleared one has no TMUX of its own: the location comes from its parent, the pane's shell.
      assert.equal(location?.envPid, viaParent ? panePid : pid);
    }
  } finally {
    await server.close();
  }
});
