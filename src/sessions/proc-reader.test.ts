import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { pollUntil } from '../../test/support/vmuxd-process.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/support/temp-dir.js';
import { childRuns, parseProcStat, readChildPids, readCmdline, readComm, readProcStat, readProcUid } from './proc-reader.js';

test('parseProcStat reads ppid and start time past a command name with spaces and parentheses', () => {
  const stat = '4242 (a) b (c) S 17 4242 4242 0 -1 4194560 100 0 0 0 5 1 0 0 20 0 1 0 987654 1000 200 18446744073709551615';
  assert.deepEqual(parseProcStat(stat), { state: 'S', ppid: 17, startTicks: '987654' });
});

test('parseProcStat rejects a truncated stat line', () => {
  assert.equal(parseProcStat('12 (x) S 1 2'), undefined);
  assert.equal(parseProcStat('garbage'), undefined);
});

test('our own process reads back from the real /proc', () => {
  assert.equal(readComm('/proc', process.pid), 'node');
  assert.ok((readCmdline('/proc', process.pid) ?? []).length > 0);
  assert.equal(readProcStat('/proc', process.pid)?.ppid, process.ppid);
  assert.equal(readProcUid('/proc', process.pid), process.geteuid?.());
});

test('a vanished process reads as undefined, not an error', () => {
  assert.equal(readComm('/proc', 2 ** 22 + 12345), undefined);
  assert.equal(readProcStat('/proc', 2 ** 22 + 12345), undefined);
  assert.equal(readProcUid('/proc', 2 ** 22 + 12345), undefined);
});

test('a command line longer than a page reads back whole', async () => {
  const long = 'x'.repeat(20_000);
  // A program that runs on whatever its arguments (sleep would refuse the long one, and end).
  const argv = [process.execPath, '-e', 'setInterval(() => {}, 60_000)', long];
  const child = spawn(argv[0] ?? '', argv.slice(1), { stdio: 'ignore' });
  try {
    const pid = child.pid;
    assert.ok(pid !== undefined);
    // spawn may return while the kernel still sets up the new program's arguments, which read as
    // none meanwhile (a scan takes such a process for one between the steps of its exec).
    await pollUntil(() => (readCmdline('/proc', pid) ?? []).length > 0, 'the program to have its arguments');
    assert.deepEqual(readCmdline('/proc', pid), argv);
  } finally {
    child.kill('SIGKILL');
  }
});

test('childRuns: a child whose command line holds the text; the other children do not count', () => {
  const procRoot = tempDir('vmux-proc-children-');
  const child = (pid: number, argv: readonly string[]) => {
    mkdirSync(join(procRoot, String(pid)), { recursive: true });
    writeFileSync(join(procRoot, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
  };
  // Threads 100 and 101 of the client: each thread's children are listed apart.
  mkdirSync(join(procRoot, '100', 'task', '100'), { recursive: true });
  mkdirSync(join(procRoot, '100', 'task', '101'), { recursive: true });
  writeFileSync(join(procRoot, '100', 'task', '100', 'children'), '200 ');
  writeFileSync(join(procRoot, '100', 'task', '101', 'children'), '');
  child(200, ['/bin/sh', '-c', 'npm config get prefix']);
  assert.deepEqual(readChildPids(procRoot, 100), [200]);
  assert.equal(childRuns(procRoot, 100, 'npm run migrate'), false);
  writeFileSync(join(procRoot, '100', 'task', '101', 'children'), '300');
  child(300, ['/bin/bash', '-c', "source snapshot.sh && eval 'npm run migrate' < /dev/null"]);
  assert.equal(childRuns(procRoot, 100, 'npm run migrate'), true);
  assert.equal(childRuns(procRoot, 999, 'npm run migrate'), undefined, 'a process that is gone tells nothing');
});

test('readChildPids: a real process and the child it started', async (t) => {
  const parent = spawn(process.execPath, ['-e', 'require("child_process").spawn("sleep", ["30.25"], { stdio: "ignore" }); setTimeout(() => {}, 30_000)'], { stdio: 'ignore' });
  t.after(() => {
    const children = parent.pid === undefined ? [] : (readChildPids('/proc', parent.pid) ?? []);
    for (const child of children) process.kill(child, 'SIGKILL');
    parent.kill('SIGKILL');
  });
  const pid = parent.pid ?? 0;
  await pollUntil(() => (readChildPids('/proc', pid) ?? []).some((child) => readComm('/proc', child) === 'sleep'), 'the child sleep', 5000);
  assert.equal(childRuns('/proc', pid, '30.25'), true);
  assert.equal(childRuns('/proc', pid, 'npm run migrate'), false);
});
