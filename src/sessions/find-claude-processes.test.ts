import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startFakeClaude, type FakeClaude } from '../../test/support/fake-claude.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { findClaudeProcesses, recognizeProcess } from './find-claude-processes.js';
import { ProcessFacts } from './process-memory.js';

const root = tempDir();
const started: FakeClaude[] = [];
after(async () => {
  await Promise.all(started.map((p) => p.stop('SIGKILL')));
});

async function start(name: string, options: Partial<Parameters<typeof startFakeClaude>[0]> = {}): Promise<FakeClaude> {
  const cwd = join(root, name);
  const binDir = join(root, `${name}-bin`);
  mkdirSync(cwd, { recursive: true });
  mkdirSync(binDir, { recursive: true });
  const proc = await startFakeClaude({ cwd, binDir, ...options });
  started.push(proc);
  return proc;
}

function findOnly(pids: number[], knownSessionPids?: Set<number>) {
  return findClaudeProcesses('/proc', { onlyPids: new Set(pids), ...(knownSessionPids ? { knownSessionPids } : {}) });
}

test('findClaudeProcesses finds a real process named claude, with its cwd and argv', async () => {
  const proc = await start('plain', { args: ['--model', 'opus'] });
  const [found] = findOnly([proc.pid]);
  assert.equal(found?.pid, proc.pid);
  assert.equal(found?.cwd, proc.cwd);
  assert.deepEqual(found?.cmd.slice(-2), ['--model', 'opus']);
  assert.equal(found?.ppid, process.pid);
  assert.match(found?.startTicks ?? '', /^[0-9]+$/);
  assert.equal(found?.uid, process.geteuid?.());
});

test('findClaudeProcesses finds a client started from a versions folder (comm is the version)', async () => {
  const proc = await start('versions', { shape: 'versions' });
  assert.deepEqual(findOnly([proc.pid]).map((p) => p.pid), [proc.pid]);
});

test('findClaudeProcesses finds the older Node build (comm claude, exe node, argv overwritten)', async () => {
  const proc = await start('node-build', { shape: 'node-build' });
  const [found] = findOnly([proc.pid]);
  assert.equal(found?.pid, proc.pid);
  assert.deepEqual(found?.cmd, ['claude']);
});

test('findClaudeProcesses skips non-session subcommands', async () => {
  const mcp = await start('mcp', { args: ['mcp', 'serve'] });
  const version = await start('version', { args: ['--version'] });
  assert.deepEqual(findOnly([mcp.pid, version.pid]), []);
});

test('findClaudeProcesses skips processes that are not claude', async () => {
  const other = await start('other', { name: 'not-claude' });
  assert.deepEqual(findOnly([other.pid, process.pid]), []);
});

test('findClaudeProcesses takes a process named otherwise when its sessions file vouches for it', async () => {
  const other = await start('renamed', { name: 'cc' });
  assert.deepEqual(findOnly([other.pid], new Set([other.pid])).map((p) => p.pid), [other.pid]);
});

test('a launcher and the client it runs are one session: the child, unless the parent has the sessions file', async () => {
  const launcher = await start('launcher', { launchesChild: true });
  const child = launcher.childPid ?? 0;
  assert.deepEqual(findOnly([launcher.pid, child]).map((p) => p.pid), [child]);
  // A sessions file that names the parent makes it the session.
  assert.deepEqual(findOnly([launcher.pid, child], new Set([launcher.pid])).map((p) => p.pid), [launcher.pid]);
});

test('a session forking a tool is one session: the fork, named claude until it execs, is not a session and hides nothing', async () => {
  const session = await start('forking', { forksChild: true });
  const fork = session.childPid ?? 0;
  assert.notEqual(fork, 0);
  assert.deepEqual(findOnly([session.pid, fork]).map((p) => p.pid), [session.pid]);
});

test('findClaudeProcesses skips processes that vanish mid-scan', async () => {
  const proc = await start('vanishing');
  await proc.stop('SIGKILL');
  assert.deepEqual(findOnly([proc.pid, 2 ** 22 + 4321]), []);
});

test('findClaudeProcesses reads a fake proc root and survives unreadable entries', () => {
  const fakeRoot = tempDir();
  mkdirSync(join(fakeRoot, '123'));
  mkdirSync(join(fakeRoot, 'self'));
  assert.deepEqual(findClaudeProcesses(fakeRoot), []);
});

test('a tool Claude Code forks, read in the middle of its exec (named claude, then running /bin/sh -c …), is no session', () => {
  const procRoot = tempDir();
  const dir = join(procRoot, '4242');
  mkdirSync(dir);
  writeFileSync(join(dir, 'comm'), 'claude\n');
  writeFileSync(join(dir, 'cmdline'), ['/bin/sh', '-c', 'ps aux | grep code', ''].join('\0'));
  const facts = new ProcessFacts(procRoot, 4242);
  // The fork's name, read before its exec…
  assert.equal(facts.comm(), 'claude');
  // …and its new program's, which the exec sets before the new argv can be read.
  writeFileSync(join(dir, 'comm'), 'sh\n');
  assert.deepEqual(recognizeProcess(facts, false), { kind: 'not-claude' });
  assert.equal(facts.comm(), 'sh', 'name and argv are read again until they show one program');
});
