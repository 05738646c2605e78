import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { waitFor } from '../../test/support/fake-claude.js';
import { commOf } from '../../test/support/process-tree.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { findClaudeProcesses } from './find-claude-processes.js';
import { ProcessMemory, RECHECK_EVERY_SCANS } from './process-memory.js';

const root = tempDir();
const children: Array<{ kill: (signal: NodeJS.Signals) => boolean }> = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * A shell that waits for a line on its stdin, then `exec`s a program named `claude`: a process
 * that is not Claude Code when first seen and is later, under the same PID.
 */
async function shellThatBecomesClaude(name: string): Promise<{ pid: number; becomeClaude: () => Promise<void> }> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const claude = join(dir, 'claude');
  copyFileSync('/bin/sleep', claude);
  chmodSync(claude, 0o755);
  const child = spawn('/bin/sh', ['-c', `read _; exec '${claude}' 3600`], { cwd: dir, stdio: ['pipe', 'ignore', 'ignore'] });
  children.push(child);
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start sh');
  await waitFor(() => commOf(pid) === 'sh', `pid ${pid} to run sh`);
  return {
    pid,
    becomeClaude: async () => {
      child.stdin.write('\n');
      // The exec is over once the new argv shows: the name changes a moment before it.
      await waitFor(() => commOf(pid) === 'claude' && argvOf(pid)[0] === claude, `pid ${pid} to exec claude`);
    },
  };
}

function argvOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

function scan(memory: ProcessMemory, pid: number, known = false): number[] {
  const found = findClaudeProcesses('/proc', { onlyPids: new Set([pid]), memory, ...(known ? { knownSessionPids: new Set([pid]) } : {}) });
  memory.endRound();
  return found.map((proc) => proc.pid);
}

test('a process that execs Claude Code long after it started is found within RECHECK_EVERY_SCANS scans', async () => {
  const shell = await shellThatBecomesClaude('late-exec');
  const memory = new ProcessMemory();
  assert.deepEqual(scan(memory, shell.pid), []);
  assert.deepEqual(scan(memory, shell.pid), []);
  await shell.becomeClaude();
  let scans = 0;
  while (scan(memory, shell.pid).length === 0) {
    scans++;
    assert.ok(scans <= RECHECK_EVERY_SCANS, `not found in ${RECHECK_EVERY_SCANS} scans`);
  }
  assert.deepEqual(scan(memory, shell.pid), [shell.pid], 'and on every scan after');
});

test('a process that execs Claude Code right after it was first seen is found on the next scan', async () => {
  const shell = await shellThatBecomesClaude('quick-exec');
  const memory = new ProcessMemory();
  assert.deepEqual(scan(memory, shell.pid), []);
  await shell.becomeClaude();
  assert.deepEqual(scan(memory, shell.pid), [shell.pid]);
});

test('a process a sessions file names is looked at again on the next scan', async () => {
  const shell = await shellThatBecomesClaude('named');
  const memory = new ProcessMemory();
  assert.deepEqual(scan(memory, shell.pid), []);
  assert.deepEqual(scan(memory, shell.pid), []);
  await shell.becomeClaude();
  assert.deepEqual(scan(memory, shell.pid, true), [shell.pid]);
});
