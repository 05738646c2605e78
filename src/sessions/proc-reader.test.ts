import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { pollUntil } from '../../test/support/vmuxd-process.js';
import { parseProcStat, readCmdline, readComm, readProcStat, readProcUid } from './proc-reader.js';

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
