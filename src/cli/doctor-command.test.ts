import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startFakeClaude, waitFor, writeSessionFile, type FakeClaude } from '../../test/support/fake-claude.js';
import { startFakeWm } from '../../test/support/fake-wm-server.js';
import { installFakeClaude, privateTmux } from '../../test/support/private-tmux.js';
import { withRealWm } from '../../test/support/require-wm.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { startVmuxd } from '../../test/support/vmuxd-process.js';
import type { CliIo } from './cli-io.js';
import type { Check, SessionFacts } from './doctor-checks.js';
import { runCli } from './run-cli.js';
import { skippedWithout } from '../../test/support/require-wm.js';

const root = tempDir('vmux-doctor-');
const started: (FakeClaude | ChildProcess)[] = [];
after(async () => {
  for (const proc of started) {
    if ('stop' in proc) await proc.stop('SIGKILL');
    else proc.kill('SIGKILL');
  }
});

let count = 0;
/**
 * A machine of the test's own: a Claude folder, a vmux home, no config file, and a proc root that
 * holds only the processes given (links to their /proc entries), so sessions running elsewhere on
 * this machine do not count.
 */
function machine(pids: readonly number[] = [], options: { claudeDir?: boolean } = {}) {
  const dir = join(root, `m${++count}`);
  const procRoot = join(dir, 'proc');
  mkdirSync(procRoot, { recursive: true });
  symlinkSync('/proc/stat', join(procRoot, 'stat'));
  for (const pid of pids) symlinkSync(`/proc/${pid}`, join(procRoot, String(pid)));
  const claudeDir = join(dir, 'claude');
  if (options.claudeDir !== false) {
    mkdirSync(join(claudeDir, 'sessions'), { recursive: true });
    mkdirSync(join(claudeDir, 'projects'), { recursive: true });
  }
  return {
    dir,
    claudeDir,
    env: { HOME: dir, PATH: '/usr/bin:/bin', CLAUDE_CONFIG_DIR: claudeDir, VMUX_HOME: join(dir, 'vmux-home'), XDG_CONFIG_HOME: join(dir, 'config'), VMUX_PROC_ROOT: procRoot },
    addProcess: (pid: number) => symlinkSync(`/proc/${pid}`, join(procRoot, String(pid))),
  };
}

interface DoctorRun {
  readonly code: number;
  readonly out: string;
  readonly checks: Check[];
  check(name: string): Check;
}

async function doctor(env: Record<string, string>): Promise<DoctorRun> {
  let out = '';
  let json = '';
  const io = (write: (text: string) => void): CliIo => ({ env, stdout: { write }, stderr: { write: (text: string) => assert.fail(text) } });
  const code = await runCli(['doctor'], io((text) => (out += text)));
  const jsonCode = await runCli(['doctor', '--json'], io((text) => (json += text)));
  assert.equal(jsonCode, code, 'the same exit code with --json');
  const report = JSON.parse(json) as { ok: boolean; checks: Check[] };
  assert.equal(report.ok, code === 0);
  return {
    code,
    out,
    checks: report.checks,
    check(name) {
      const found = report.checks.find((check) => check.name === name);
      assert.ok(found, `no check ${name} in ${report.checks.map((c) => c.name).join(', ')}`);
      return found;
    },
  };
}

/** A copy of /bin/sleep named `claude`, run with this environment (what the shell gave it). */
async function sleeperNamedClaude(dir: string, env: Record<string, string>, args: readonly string[] = ['infinity']): Promise<number> {
  const path = installFakeClaude(dir);
  const child = spawn(path, args, { env, stdio: 'ignore' });
  started.push(child);
  const pid = child.pid ?? assert.fail('no pid');
  await waitFor(() => commOf(pid) === 'claude', `pid ${pid} to run as claude`);
  return pid;
}

/**
 * startFakeClaude with CLAUDE_CONFIG_DIR set in the fake's environment, as a real session of
 * this Claude folder has it (the fixture passes this process's environment on).
 */
async function fakeClaudeOf(claudeDir: string, options: Parameters<typeof startFakeClaude>[0]): Promise<FakeClaude> {
  const before = process.env['CLAUDE_CONFIG_DIR'];
  process.env['CLAUDE_CONFIG_DIR'] = claudeDir;
  try {
    const proc = await startFakeClaude(options);
    started.push(proc);
    return proc;
  } finally {
    if (before === undefined) delete process.env['CLAUDE_CONFIG_DIR'];
    else process.env['CLAUDE_CONFIG_DIR'] = before;
  }
}

function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

test('doctor lists each Claude Code process with its version and whether it writes its status', async () => {
  const m = machine();
  const cwd = join(m.dir, 'project');
  mkdirSync(cwd);
  // 2.1.x native, with a status in its sessions file.
  const native = await fakeClaudeOf(m.claudeDir, { cwd, binDir: join(m.dir, 'native'), shape: 'versions' });
  writeSessionFile(m.claudeDir, native.pid, { sessionId: '11111111-0000-4000-8000-000000000001', cwd, status: 'busy' });
  // The Node build 2.1.100: its title overwrote its argv, the shell's $_ still names its cli.js.
  const pkg = join(m.dir, 'lib', 'node_modules', '@anthropic-ai', 'claude-code');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@anthropic-ai/claude-code', version: '2.1.100' }));
  writeFileSync(join(pkg, 'cli.js'), '');
  const nodeBuild = spawn(process.execPath, ['-e', 'process.title = "claude"; setInterval(() => {}, 1 << 30)'], { env: { HOME: m.dir, CLAUDE_CONFIG_DIR: m.claudeDir, _: join(pkg, 'cli.js') }, stdio: 'ignore' });
  started.push(nodeBuild);
  const nodePid = nodeBuild.pid ?? assert.fail('no pid');
  await waitFor(() => commOf(nodePid) === 'claude', 'the Node build to set its title');
  writeFileSync(join(m.claudeDir, 'sessions', `${nodePid}.json`), JSON.stringify({ pid: nodePid, sessionId: '22222222-0000-4000-8000-000000000002', cwd, startedAt: Date.now(), kind: 'interactive' }));
  // A -p run: no sessions file.
  mkdirSync(join(m.dir, 'print'));
  const print = await fakeClaudeOf(m.claudeDir, { cwd, binDir: join(m.dir, 'print'), args: ['-p', 'say hi'] });
  for (const pid of [native.pid, nodePid, print.pid]) m.addProcess(pid);

  const run = await doctor({ ...m.env, HOME: m.dir });
  const check = run.check('claude_code');
  assert.equal(check.state, 'ok', check.summary);
  assert.equal(check.summary, '3 sessions running');
  const sessions = (check.data?.['sessions'] ?? []) as SessionFacts[];
  const of = (pid: number) => sessions.find((s) => s.pid === pid);
  assert.deepEqual(of(native.pid), { pid: native.pid, version: '2.1.197', build: 'native', print: false, sessions_file: true, writes_status: true, status_note: 'writes its status' });
  assert.deepEqual(of(nodePid), { pid: nodePid, version: '2.1.100', build: 'node', print: false, sessions_file: true, writes_status: false, status_note: 'the Node build writes no status: its state comes from its transcript' });
  assert.equal(of(print.pid)?.print, true);
  assert.equal(of(print.pid)?.writes_status, false);
  assert.match(run.out, new RegExp(`^ok +Claude Code +3 sessions running\\n +pid ${native.pid}: 2\\.1\\.197 \\(native\\), writes its status$`, 'm'));
  assert.match(run.out, new RegExp(`pid ${nodePid}: 2\\.1\\.100 \\(Node build\\), the Node build writes no status`));
  assert.match(run.out, new RegExp(`pid ${print.pid}: version unknown \\(native, -p\\), a -p run writes no status`));
  assert.equal(run.code, 0, run.out);

  // The version in the executable's path, when no sessions file says it; a 2.1 without one is looked for elsewhere.
  const bare = machine();
  const fresh = await fakeClaudeOf(bare.claudeDir, { cwd, binDir: join(bare.dir), shape: 'versions' });
  bare.addProcess(fresh.pid);
  const unseen = (await doctor(bare.env)).check('claude_code');
  const versions = (unseen.data?.['sessions'] ?? []) as SessionFacts[];
  assert.equal(versions[0]?.version, '2.1.197');
  assert.equal(versions[0]?.sessions_file, false);
  assert.equal(versions[0]?.writes_status, true);
  assert.equal(unseen.state, 'warning');
  assert.match(unseen.summary, /1 of them writes no sessions file where vmux looks/);
});

test('doctor on a machine with nothing set up: no session is a warning, a missing Claude folder a problem (exit 1)', async () => {
  const empty = machine();
  const fine = await doctor(empty.env);
  assert.equal(fine.check('claude_code').state, 'warning');
  assert.equal(fine.check('claude_folder').state, 'ok');
  assert.deepEqual(
    fine.checks.map((c) => [c.name, c.state]),
    [
      ['claude_code', 'warning'],
      ['claude_folder', 'ok'],
      ['settings', 'ok'],
      ['vmuxd', 'not_used'],
      ['service', 'not_used'],
      ['window_manager', 'not_used'],
      ['tmux', 'not_used'],
      ['hooks', 'not_used'],
      ['session_bus', 'not_used'],
    ],
  );
  assert.equal(fine.code, 0, 'nothing the user uses is broken');
  assert.match(fine.out, /^not used +hooks +none are needed/m);
  assert.match(fine.out, /Nothing stands in the way of what you use\.\n$/);

  const noFolder = machine([], { claudeDir: false });
  const run = await doctor(noFolder.env);
  const folder = run.check('claude_folder');
  assert.equal(folder.state, 'problem');
  assert.match(folder.summary, /claude \(CLAUDE_CONFIG_DIR\) does not exist/);
  assert.match(folder.fix ?? '', /set CLAUDE_CONFIG_DIR to the folder your Claude Code uses/);
  assert.equal(run.code, 1);
  assert.match(run.out, /^problem +Claude folder +.*\n +fix: run Claude Code once/m);
});

test('doctor finds a session that uses another Claude folder, and says which CLAUDE_CONFIG_DIR to set', async () => {
  const m = machine();
  const elsewhere = join(m.dir, 'other-claude');
  const pid = await sleeperNamedClaude(m.dir, { HOME: m.dir, CLAUDE_CONFIG_DIR: elsewhere });
  m.addProcess(pid);
  const run = await doctor(m.env);
  const check = run.check('claude_code');
  assert.equal(check.state, 'problem');
  assert.match(check.summary, /1 of them uses another Claude folder/);
  assert.equal(check.fix?.startsWith(`set CLAUDE_CONFIG_DIR=${elsewhere} where you run vmux`), true, check.fix);
  assert.equal(run.code, 1);
});

test('doctor with a config file that has a mistake reports it as a problem and still runs every other check', async () => {
  const m = machine();
  mkdirSync(join(m.env.XDG_CONFIG_HOME, 'vmux'), { recursive: true });
  writeFileSync(join(m.env.XDG_CONFIG_HOME, 'vmux', 'config.toml'), 'poll_seconds = 0\n');
  const run = await doctor(m.env);
  const settings = run.check('settings');
  assert.equal(settings.state, 'problem');
  assert.match(settings.details?.[0] ?? '', /^error: .*config\.toml: line 1: poll_seconds must be a number of seconds from 0\.1 to 3600, not 0$/);
  assert.equal(run.checks.length, 9);
  assert.equal(run.code, 1);
});

test('doctor tells a running vmuxd, and an installed service that does not run as a problem', async () => {
  const m = machine();
  const daemon = await startVmuxd({ home: m.env.VMUX_HOME, claudeDir: m.claudeDir, userHome: m.dir });
  try {
    const check = (await doctor(m.env)).check('vmuxd');
    assert.equal(check.state, 'ok');
    assert.match(check.summary, new RegExp(`^vmuxd \\d+\\.\\d+\\.\\d+ runs \\(pid ${daemon.pid}\\) on `));
  } finally {
    await daemon.stop();
  }

  // systemctl is not vmux's: a stand-in tells that the installed unit failed.
  const bin = join(m.dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'systemctl'), '#!/bin/sh\ncase "$2" in\n  is-active) echo failed; exit 3 ;;\n  is-enabled) echo enabled ;;\nesac\n');
  chmodSync(join(bin, 'systemctl'), 0o755);
  const units = join(m.env.XDG_CONFIG_HOME, 'systemd', 'user');
  mkdirSync(units, { recursive: true });
  writeFileSync(join(units, 'vmuxd.service'), `[Service]\nExecStart=${process.execPath} /nonexistent/vmuxd.cjs\n`);
  const run = await doctor({ ...m.env, PATH: `${bin}:/usr/bin:/bin` });
  assert.equal(run.check('service').state, 'problem');
  assert.match(run.check('service').summary, /installed, but \/nonexistent\/vmuxd\.cjs no longer exists/);
  writeFileSync(join(units, 'vmuxd.service'), `[Service]\nExecStart=${process.execPath}\n`);
  const failed = await doctor({ ...m.env, PATH: `${bin}:/usr/bin:/bin` });
  assert.equal(failed.check('service').summary, 'installed, enabled, not running (failed)');
  assert.equal(failed.check('vmuxd').state, 'problem');
  assert.match(failed.check('vmuxd').summary, /not running, though its service is installed/);
  assert.equal(failed.code, 1);
});

test('doctor names the window manager that answers, and tells one that does not', async (t) => {
  const m = machine();
  const noWm = await doctor({ ...m.env, DISPLAY: ':987' });
  assert.equal(noWm.check('window_manager').state, 'warning');
  assert.match(noWm.check('window_manager').summary, /no i3 or sway found/);
  assert.equal(noWm.code, 0, 'another window manager, or none, does not stop vmux');

  const silent = await startFakeWm(m.dir, { 7: { hangUp: true } });
  try {
    const hungUp = (await doctor({ ...m.env, I3SOCK: silent.path })).check('window_manager');
    assert.equal(hungUp.state, 'problem');
    assert.match(hungUp.summary, /^found .*fake-wm-.*\.sock \(from \$I3SOCK\), but /);
  } finally {
    await silent.close();
  }

  await withRealWm(t, 'i3', async (harness) => {
    const check = (await doctor({ ...m.env, ...harness.env })).check('window_manager');
    assert.equal(check.state, 'ok', check.summary);
    assert.match(check.summary, /^i3 4\.\d+.* answers on .* \(from \$I3SOCK\)$/);
    assert.equal(check.data?.['wm'], 'i3');
    const viaDisplay = (await doctor({ ...m.env, DISPLAY: harness.env['DISPLAY'] ?? '' })).check('window_manager');
    assert.match(viaDisplay.summary, /\(from i3 --get-socketpath\)$/);
  });
});

test('doctor checks the tmux server of each session that runs in tmux', async (t) => {
  if (skippedWithout(t, 'tmux')) return;
  const m = machine();
  const tmux = privateTmux(m.dir, installFakeClaude(m.dir));
  const pane = await tmux.newSession('work', { kind: 'claude' });
  const pid = await tmux.claudeIn(pane.paneId);
  m.addProcess(pid);
  const run = await doctor(m.env);
  const check = run.check('tmux');
  assert.equal(check.state, 'ok', check.summary);
  assert.match(check.summary, /^1 session in tmux on 1 server, tmux \d/);
  assert.equal(check.details?.[0], `${tmux.socketPath}: answers (1 tmux session); Claude Code pid ${pid}`);

  const noTmux = (await doctor({ ...m.env, PATH: join(m.dir, 'empty') })).check('tmux');
  assert.equal(noTmux.state, 'problem');
  assert.match(noTmux.summary, /1 session run in tmux, but tmux is not on PATH/);
  await tmux.close();
});

test('doctor tells the session bus as not used yet, and whether its socket is there', async () => {
  const m = machine();
  const socket = join(m.dir, 'bus');
  const server = createServer().listen(socket);
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const there = (await doctor({ ...m.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${socket},guid=0123` })).check('session_bus');
    assert.equal(there.state, 'not_used');
    assert.match(there.summary, new RegExp(`^not used yet .*; the bus is at ${socket}: its socket is there$`));
  } finally {
    server.close();
  }
  const gone = (await doctor({ ...m.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(m.dir, 'no-bus')}` })).check('session_bus');
  assert.match(gone.summary, /no socket is there$/);
  const unset = (await doctor(m.env)).check('session_bus');
  assert.match(unset.summary, /DBUS_SESSION_BUS_ADDRESS is not set$/);
});

test('doctor prints what it read from outside without its escape sequences', async () => {
  const m = machine();
  const cwd = join(m.dir, 'p\u001b]0;owned\u0007');
  mkdirSync(cwd);
  mkdirSync(join(m.dir, 'b'));
  const proc = await fakeClaudeOf(m.claudeDir, { cwd, binDir: join(m.dir, 'b') });
  m.addProcess(proc.pid);
  writeFileSync(
    join(m.claudeDir, 'sessions', `${proc.pid}.json`),
    JSON.stringify({ pid: proc.pid, sessionId: '33333333-0000-4000-8000-000000000003', cwd, startedAt: Date.now(), version: '2.1.197\u001b[2J\u009b31m', status: 'idle' }),
  );
  let out = '';
  let json = '';
  const io = (write: (text: string) => void): CliIo => ({ env: m.env, stdout: { write }, stderr: { write } });
  await runCli(['doctor'], io((text) => (out += text)));
  await runCli(['doctor', '--json'], io((text) => (json += text)));
  assert.match(out, new RegExp(`pid ${proc.pid}: 2\\.1\\.197`));
  assert.doesNotMatch(out, /[\u001b\u009b]/);
  assert.doesNotMatch(json, /[\u001b\u009b]/);
  assert.equal(((JSON.parse(json) as { checks: Check[] }).checks[0]?.data?.['sessions'] as SessionFacts[])[0]?.version, '2.1.197\u001b[2J\u009b31m', 'JSON keeps the text exactly, escaped');
});
