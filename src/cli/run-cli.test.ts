import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { capturedIo, type CapturedIo } from '../../test/support/captured-io.js';
import { startFakeClaude, writeSessionFile, type FakeClaude } from '../../test/support/fake-claude.js';
import { tempDir } from '../../test/support/temp-dir.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { runCli } from './run-cli.js';
import { VMUX } from '../../test/support/run-vmux.js';

const run = promisify(execFile);

const root = tempDir();
const claudeDir = join(root, 'claude');
const started: FakeClaude[] = [];
after(async () => Promise.all(started.map((p) => p.stop('SIGKILL'))));

function captured(env: Record<string, string> = {}, isTTY = false): CapturedIo {
  // A home of its own: a daemon running on this machine must not answer for the test.
  return capturedIo({ CLAUDE_CONFIG_DIR: claudeDir, VMUX_HOME: join(root, 'vmux-home'), ...env }, { isTTY, columns: 120 });
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
  assert.deepEqual(Object.keys(mine).sort(), ['cwd', 'focused', 'git_branch', 'pid', 'preview', 'reason', 'session_id', 'state', 'unseen', 'waiting_since', 'workspace']);
  assert.equal(mine.state, 'needs_input');
  assert.equal(mine.workspace, '');
  assert.match(mine.waiting_since ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.deepEqual([mine.unseen, mine.focused], [false, false], 'without vmuxd nothing follows your attention');
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

test('commands of later versions are a wrong call (exit 2) and say so plainly', async () => {
  const io = captured();
  assert.equal(await runCli(['hooks', 'install'], io), 2);
  assert.match(io.err(), /not available/);
});

test('the vmux executable lists sessions as JSON', async () => {
  const proc = await waitingSession();
  const { stdout } = await run(process.execPath, [VMUX, 'list', '--json'], {
    // A home of its own: the runner's caches, config and variables stay out of it.
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: root, CLAUDE_CONFIG_DIR: claudeDir, VMUX_HOME: join(root, 'vmux-home') },
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

// ---------------------------------------------------------------------------------------------
// Every wrong setting is told: one test per row of the README's table

const emptyProc = join(root, 'no-proc');
mkdirSync(emptyProc, { recursive: true });
mkdirSync(claudeDir, { recursive: true });
/** A listing that looks at no process: the settings are what is tested. */
const quiet = (env: Record<string, string>) => captured({ VMUX_PROC_ROOT: emptyProc, HOME: root, XDG_CONFIG_HOME: join(root, 'no-config'), ...env });

test('wrong setting: CLAUDE_CONFIG_DIR naming a missing folder is warned about, and the listing goes on', async () => {
  const io = quiet({ CLAUDE_CONFIG_DIR: join(root, 'no-such-claude') });
  assert.equal(await runCli(['list'], io), 0);
  assert.match(io.err(), /^vmux: warning: CLAUDE_CONFIG_DIR=.*no-such-claude does not exist: vmux sees Claude Code processes but not their sessions, states or labels/);
});

test('wrong setting: VMUX_IDLE_MINUTES that is not a positive number stops with exit 2 and the fix', async () => {
  for (const value of ['abc', '-5']) {
    const io = quiet({ VMUX_IDLE_MINUTES: value });
    assert.equal(await runCli(['list'], io), 2, value);
    assert.match(io.err(), new RegExp(`^vmux: VMUX_IDLE_MINUTES=${value} is not a number of minutes .*set it to e\\.g\\. VMUX_IDLE_MINUTES=10`));
    assert.equal(io.out(), '');
  }
});

test('wrong setting: an empty HOME stops with exit 2 and creates nothing in the current folder', async () => {
  const io = captured({ HOME: '', VMUX_PROC_ROOT: emptyProc });
  delete (io.env as Record<string, string | undefined>)['VMUX_HOME'];
  assert.equal(await runCli(['label', 'x', 'y'], io), 2);
  assert.match(io.err(), /HOME is empty; set HOME to your home folder/);
});

test('wrong setting: a relative VMUX_HOME stops with exit 2', async () => {
  const io = quiet({ VMUX_HOME: 'relative/home' });
  assert.equal(await runCli(['status'], io), 2);
  assert.match(io.err(), /VMUX_HOME=relative\/home is not an absolute path/);
});

test('wrong setting: vmux status with a VMUX_HOME that is a file says so, not ENOTDIR', async () => {
  const file = join(root, 'home-is-a-file');
  writeFileSync(file, '');
  const io = quiet({ VMUX_HOME: file });
  assert.equal(await runCli(['status'], io), 2);
  assert.match(io.err(), /VMUX_HOME=.*home-is-a-file is a file, not a folder; remove the file or set VMUX_HOME to a folder/);
  assert.doesNotMatch(io.err(), /ENOTDIR/);
});

test('wrong setting: a config file with an error names the file, the line and the problem', async () => {
  const xdg = join(root, 'bad-config');
  mkdirSync(join(xdg, 'vmux'), { recursive: true });
  writeFileSync(join(xdg, 'vmux', 'config.toml'), 'idle_minutes = 5\nidle_minuts = 7\n');
  const io = quiet({ XDG_CONFIG_HOME: xdg });
  assert.equal(await runCli(['list'], io), 2);
  assert.match(io.err(), /config\.toml: line 2: unknown setting 'idle_minuts' \(did you mean 'idle_minutes'\?\)/);
});

test('wrong call: vmuxd --version prints the version', async () => {
  const io = quiet({});
  assert.equal(await runCli(['daemon', '--version'], io), 0);
  assert.match(io.out(), /^vmuxd \d+\.\d+\.\d+/);
});

test('wrong call: vmux help <command> shows that command, and a typo gets a suggestion', async () => {
  const io = quiet({});
  assert.equal(await runCli(['help', 'switch'], io), 0);
  assert.match(io.out(), /^Usage: vmux switch \[<query>\]/);
  assert.match(io.out(), /Examples:\n {2}vmux switch api/);
  const typo = quiet({});
  assert.equal(await runCli(['help', 'swich'], typo), 2);
  assert.match(typo.err(), /no command 'swich' \(did you mean 'switch'\?\)/);
});

test('wrong call: an unknown option names the command and the closest option, never a placeholder', async () => {
  const io = quiet({});
  assert.equal(await runCli(['list', '--jsn'], io), 2);
  assert.equal(io.err(), "vmux: vmux list has no option --jsn (did you mean '--json'?); run 'vmux list --help'\n");
  assert.doesNotMatch(io.err(), /<command>/);
});

test('wrong call: an unknown command gets a suggestion and exit 2', async () => {
  const io = quiet({});
  assert.equal(await runCli(['lsit'], io), 2);
  assert.match(io.err(), /unknown command 'lsit' \(did you mean 'list'\?\)/);
});

// ---------------------------------------------------------------------------------------------
// One exit-code table: every row

test('exit codes: 0 done, 1 could not reach what it needs, 2 wrong call or no match, 3 nothing chosen', async () => {
  assert.equal(await runCli(['list', '--json'], quiet({})), 0);
  const noDaemon = quiet({});
  assert.equal(await runCli(['status'], noDaemon), 1, 'vmuxd not running');
  assert.match(noDaemon.err(), /vmuxd is not running/);
  const noLauncher = quiet({ PATH: join(root, 'empty-path') });
  await waitingSession();
  assert.equal(await runCli(['switch', '--dmenu'], { ...noLauncher, env: { ...noLauncher.env, VMUX_PROC_ROOT: '/proc' } }), 1, 'no launcher found');
  assert.match(noLauncher.err(), /no launcher found/);
  assert.equal(await runCli(['switch', 'nothing-is-called-this'], quiet({})), 2, 'no match');
  assert.equal(await runCli(['hooks'], quiet({})), 2, 'a command this version does not have');
  // 3 (nothing chosen) is proven with a real launcher in switch-command.test.ts.
  const help = quiet({});
  await runCli(['--help'], help);
  assert.match(help.out(), /Exit codes:\n {2}0 {3}done\n {2}1 {3}vmux failed[\s\S]* {2}2 {3}a wrong call[\s\S]* {2}3 {3}nothing chosen/);
});
