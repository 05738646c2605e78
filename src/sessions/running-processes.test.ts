import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { waitFor } from '../../test/support/fake-claude.js';
import { childrenOf, commOf } from '../../test/support/process-tree.js';
import { readProcStat } from './proc-reader.js';
import { RunningProcesses } from './running-processes.js';

/** A real child that waits; the caller ends it. */
function startSleeper() {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  const pid = child.pid;
  assert.ok(pid !== undefined);
  const stat = readProcStat('/proc', pid);
  assert.ok(stat !== undefined);
  return { child, seen: { pid, procStart: stat.startTicks } };
}

function openFiles(): number {
  return readdirSync('/proc/self/fd').length;
}

test('processes that run are told running, each asked through a file kept open', () => {
  const running = new RunningProcesses();
  const a = startSleeper();
  const b = startSleeper();
  try {
    const before = openFiles();
    assert.equal(running.allRun('/proc', [a.seen, b.seen]), true);
    assert.equal(openFiles(), before + 2);
    assert.equal(running.allRun('/proc', [a.seen, b.seen]), true);
    assert.equal(openFiles(), before + 2, 'the same files, read again');
    assert.equal(running.allRun('/proc', [a.seen]), true);
    assert.equal(openFiles(), before + 1, 'a process no longer asked about has its file closed');
    running.close();
    assert.equal(openFiles(), before);
  } finally {
    a.child.kill('SIGKILL');
    b.child.kill('SIGKILL');
  }
});

test('a process killed no longer runs, dead or reaped; another start time is another process', async () => {
  const running = new RunningProcesses();
  const a = startSleeper();
  assert.equal(running.allRun('/proc', [a.seen]), true);
  assert.equal(running.allRun('/proc', [{ pid: a.seen.pid, procStart: `${a.seen.procStart}1` }]), false, 'its PID under another start time');
  const exited = once(a.child, 'exit');
  a.child.kill('SIGKILL');
  // Dead: a zombie until Node reaps it, then gone.
  await waitFor(() => readProcStat('/proc', a.seen.pid) === undefined, `pid ${a.seen.pid} to die`);
  assert.equal(running.allRun('/proc', [a.seen]), false, 'dead');
  await exited;
  assert.equal(running.allRun('/proc', [a.seen]), false, 'reaped');
  running.close();
});

test('a zombie (killed, its parent not reaping it) no longer runs', async () => {
  // The shell runs a sleep in the background, then becomes a sleep itself, which never reaps it.
  const parent = spawn('sh', ['-c', 'sleep 600 & exec sleep 601'], { stdio: 'ignore' });
  try {
    let child: number | undefined;
    await waitFor(() => (child = childrenOf(parent.pid ?? 0)[0]) !== undefined && commOf(child) === 'sleep', 'the background sleep');
    assert.ok(child !== undefined);
    const stat = readProcStat('/proc', child);
    assert.ok(stat !== undefined);
    const running = new RunningProcesses();
    const seen = { pid: child, procStart: stat.startTicks };
    assert.equal(running.allRun('/proc', [seen]), true);
    process.kill(child, 'SIGKILL');
    await waitFor(() => /\) Z /.test(readFileSync(`/proc/${child}/stat`, 'latin1')), `pid ${child} to be a zombie`);
    assert.equal(running.allRun('/proc', [seen]), false);
    running.close();
  } finally {
    parent.kill('SIGKILL');
  }
});
