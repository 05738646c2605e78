import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { startFakeClaude, writeSessionFile, type FakeClaude } from '../../test/support/fake-claude.js';
import { tempDir } from '../../test/support/temp-dir.js';
import type { SessionInfo } from '../protocol/session-info.js';
import type { CliIo } from './cli-io.js';
import { runCli } from './run-cli.js';
import { VMUX } from '../../test/support/run-vmux.js';

const run = promisify(execFile);

const root = tempDir();
const claudeDir = join(root, 'claude');
const started: FakeClaude[] = [];
after(async () => Promise.all(started.map((p) => p.stop('SIGKILL'))));

function captured(env: Record<string, string> = {}, isTTY = false): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    // A home of its own: a daemon running on this machine must not answer for the test.
    env: { CLAUDE_CONFIG_DIR: claudeDir, VMUX_HOME: join(root, 'vmux-home'), ...env },
    stdout: { write: (text: string) => (out += text), isTTY, columns: 120 },
    stderr: { write: (text: string) => (err += text) },
    out: () => out,
    err: () => err,
  };
}

async function waitingSession(): Promise<FakeClaude> {
  const cwd = join(root, 'project');
  mkdirSync(cwd, { recursive: true });
  const proc = await startFakeClaude({ cwd, binDir: cwd });
  started.push(proc);
  writeSessionFile(claudeDir, proc.pid, {
    sessionId: '11111111-0000-4000-8000-000000000001', cwd, status: 'waiting', waitingFor: 'permission prompt',
  });
  return proc;
}

test('vmux list --json prints the seed fields for each session', async () => {
  const proc = await waitingSession();
  const io = captured();
  assert.equal(await runCli(['list', '--json'], io), 0);
  const sessions = JSON.parse(io.out()) as SessionInfo[];
  const mine = sessions.find((s) => s.pid === proc.pid);
  assert.ok(mine, 'the session started by this test is listed');
  assert.deepEqual(Object.keys(mine).sort(), ['cwd', 'git_branch', 'pid', 'preview', 'reason', 'session_id', 'state', 'waiting_since', 'workspace']);
  assert.equal(mine.state, 'needs_input');
  assert.equal(mine.workspace, '');
  assert.match(mine.waiting_since ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.equal(mine.label, undefined);
});

test('vmux list prints a table; colour only on a terminal and never with NO_COLOR', async () => {
  await waitingSession();
  const piped = captured();
  await runCli(['list'], piped);
  assert.match(piped.out(), /^STATE +SESSION/);
  assert.doesNotMatch(piped.out(), /\u001b\[/);

  const tty = captured({ TERM: 'xterm' }, true);
  await runCli(['list'], tty);
  assert.match(tty.out(), /\u001b\[/);

  const noColor = captured({ TERM: 'xterm', NO_COLOR: '1' }, true);
  await runCli(['list'], noColor);
  assert.doesNotMatch(noColor.out(), /\u001b\[/);
});

test('usage errors exit 2 with a message on stderr', async () => {
  const unknownCommand = captured();
  assert.equal(await runCli(['frobnicate'], unknownCommand), 2);
  assert.match(unknownCommand.err(), /unknown command 'frobnicate'/);
  const unknownOption = captured();
  assert.equal(await runCli(['list', '--jsn'], unknownOption), 2);
  assert.match(unknownOption.err(), /--jsn/);
  assert.equal(unknownOption.out(), '');
});

test('help is printed for vmux, vmux --help and vmux list --help', async () => {
  for (const argv of [[], ['--help'], ['help'], ['list', '--help'], ['list', '-h']]) {
    const io = captured();
    assert.equal(await runCli(argv, io), 0);
    assert.match(io.out(), /^Usage: vmux/);
  }
});

test('commands of later versions fail plainly rather than pretend', async () => {
  const io = captured();
  assert.equal(await runCli(['explain', 'x'], io), 1);
  assert.match(io.err(), /not available/);
});

test('the vmux executable lists sessions as JSON', async () => {
  const proc = await waitingSession();
  const { stdout } = await run(process.execPath, [VMUX, 'list', '--json'], {
    env: { ...process.env, CLAUDE_CONFIG_DIR: claudeDir, VMUX_HOME: join(root, 'vmux-home') },
  });
  const sessions = JSON.parse(stdout) as SessionInfo[];
  assert.equal(sessions.find((s) => s.pid === proc.pid)?.state, 'needs_input');
});

test('vmux label without a daemon writes labels.json, and vmux list shows the label', async () => {
  const proc = await waitingSession();
  const io = captured();
  assert.equal(await runCli(['label', String(proc.pid), 'review', 'MR'], io), 0, io.err());
  assert.match(io.out(), /Labelled 11111111 \(pid \d+\): review MR/);
  const listed = captured();
  await runCli(['list', '--json'], listed);
  assert.equal((JSON.parse(listed.out()) as SessionInfo[]).find((s) => s.pid === proc.pid)?.label, 'review MR');
  const cleared = captured();
  assert.equal(await runCli(['label', String(proc.pid), '--clear'], cleared), 0, cleared.err());
  const after = captured();
  await runCli(['list', '--json'], after);
  assert.equal((JSON.parse(after.out()) as SessionInfo[]).find((s) => s.pid === proc.pid)?.label, undefined);
});

test('vmux label: a query that matches nothing exits 2 and lists the sessions', async () => {
  await waitingSession();
  const io = captured();
  assert.equal(await runCli(['label', 'no-such-session', 'x'], io), 2);
  assert.match(io.err(), /no session matches 'no-such-session'/);
});

test('daemon commands without a daemon say so and how to start one, exit 1', async () => {
  for (const command of ['status', 'stop', 'watch']) {
    const io = captured();
    assert.equal(await runCli([command], io), 1);
    assert.match(io.err(), /vmuxd is not running.*vmux daemon/);
  }
});
