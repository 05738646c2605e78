import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it, test } from 'node:test';
import { capturedIo, type CapturedIo } from '../../test/support/captured-io.js';
import { startFakeClaude, writeSessionFile, type FakeClaude } from '../../test/support/fake-claude.js';
import { HOSTILE, HOSTILE_CLEANED, RAW_CONTROL } from '../../test/support/hostile-text.js';
import { fixtureClaude, type WmHarness } from '../../test/support/i3-xvfb.js';
import { installFakeClaude, privateTmux, waitUntil } from '../../test/support/private-tmux.js';
import { outsideTheDesktop, skippedWithout, withRealWm } from '../../test/support/require-wm.js';
import { runVmux, VMUX } from '../../test/support/run-vmux.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Daemon } from '../daemon/daemon.js';
import { silentLogger } from '../daemon/logger.js';
import { vmuxHomeFrom } from '../home/vmux-home.js';
import type { Response } from '../protocol/messages.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { requestDaemon } from '../protocol/socket-client.js';
import { runCli } from './run-cli.js';

/**
 * `vmux switch` against real window managers and a real tmux: the focus moves to the terminal of
 * the session asked for, as the WM itself reports. With VMUX_REQUIRE_WM=1 a missing WM fails.
 */

const root = tempDir('vmux-switch-');
// Claude Code's folder exists, as it does for anyone running it: a missing one is warned about.
mkdirSync(join(root, 'claude'), { recursive: true });
const started: FakeClaude[] = [];
after(async () => Promise.all(started.map((p) => p.stop('SIGKILL'))));

function captured(env: Record<string, string>): CapturedIo {
  // A home and a Claude folder of its own: no daemon, no labels of the machine's user.
  return capturedIo({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', VMUX_HOME: join(root, 'vmux-home'), CLAUDE_CONFIG_DIR: join(root, 'claude'), ...env });
}

async function switchesFocus(harness: WmHarness): Promise<void> {
  const claude = fixtureClaude(harness);
  const folder = (name: string): string => {
    const path = join(harness.dir, name);
    mkdirSync(path, { recursive: true, mode: 0o755 });
    return path;
  };
  const first = await harness.openTerminal({ workspace: '1', command: [claude, '600'], cwd: folder('vmux-switch-alpha') });
  const second = await harness.openTerminal({ workspace: '2', command: [claude, '601'], cwd: folder('vmux-switch-beta') });
  try {
    // Every listing names the workspace of each session's window.
    const listed = captured(harness.env);
    assert.equal(await runCli(['list', '--json'], listed), 0, listed.err());
    const sessions = JSON.parse(listed.out()) as SessionInfo[];
    assert.equal(sessions.find((s) => s.pid === first.commandPid)?.workspace, first.workspace);
    assert.equal(sessions.find((s) => s.pid === second.commandPid)?.workspace, second.workspace);

    const byQuery = new Map([[first.conId, String(first.commandPid)], [second.conId, 'switch-beta']]);
    for (const [target, other] of [[first, second], [second, first]] as const) {
      const io = captured(harness.env);
      // By PID, then by a word of the folder (fuzzy).
      assert.equal(await runCli(['switch', byQuery.get(target.conId) ?? ''], io), 0, io.err());
      assert.match(io.out(), new RegExp(`workspace ${target.workspace}`));
      assert.equal(await harness.focusedConId(), target.conId);
      assert.notEqual(await harness.focusedConId(), other.conId);
    }
    // A query that matches every fixture session is ambiguous: exit 2, nothing moves.
    const before = await harness.focusedConId();
    const io = captured(harness.env);
    assert.equal(await runCli(['switch', 'vmux-switch'], io), 2);
    assert.match(io.err(), /matches \d+ sessions/);
    assert.equal(await harness.focusedConId(), before);
  } finally {
    await first.close();
    await second.close();
  }
}

/**
 * `vmux next` on a real WM: two sessions wait for permission and one works; repeated calls visit
 * the two waiting ones in turn, never the working one. First scanning by itself, then through a
 * vmuxd started without any of the desktop's variables (as a systemd unit may be): the bundled
 * `vmux` sends its own, and `vmux switch` through the daemon goes to the working session.
 */
async function nextWalksWaitingSessions(harness: WmHarness): Promise<void> {
  const claude = fixtureClaude(harness);
  const claudeDir = join(harness.dir, 'claude-next');
  const terminals = [
    await harness.openTerminal({ workspace: '1', command: [claude, '600'] }),
    await harness.openTerminal({ workspace: '2', command: [claude, '601'] }),
    await harness.openTerminal({ workspace: '3', command: [claude, '602'] }),
  ];
  const [first, second, working] = terminals;
  if (first === undefined || second === undefined || working === undefined) throw new Error('three terminals');
  terminals.forEach((terminal, i) =>
    writeSessionFile(claudeDir, terminal.commandPid, {
      sessionId: `5e550000-0000-4000-8000-00000000000${i}`,
      cwd: harness.dir,
      ...(terminal === working ? { status: 'busy' } : { status: 'waiting', waitingFor: 'permission prompt' }),
    }),
  );
  const waitingConIds = new Set([first.conId, second.conId]);
  let daemon: Daemon | undefined;
  try {
    const env = { ...harness.env, CLAUDE_CONFIG_DIR: claudeDir, VMUX_HOME: join(harness.dir, 'next-home') };
    const visited = async (next: () => Promise<void>): Promise<number[]> => {
      const seen: number[] = [];
      for (let i = 0; i < 3; i++) {
        await next();
        const focused = await harness.focusedConId();
        assert.ok(focused !== undefined && waitingConIds.has(focused), `vmux next focused a waiting session's terminal (got ${focused})`);
        seen.push(focused);
      }
      return seen;
    };
    const scanning = await visited(async () => {
      const io = captured(env);
      assert.equal(await runCli(['next'], io), 0, io.err());
      assert.match(io.out(), /^Switched to .* on workspace [12]\.\n$/);
    });
    assert.notEqual(scanning[0], scanning[1], 'the second call goes on to the other waiting session');
    assert.equal(scanning[2], scanning[0], 'and round again');

    daemon = await Daemon.start({ home: vmuxHomeFrom(env), env: outsideTheDesktop(harness, { CLAUDE_CONFIG_DIR: claudeDir }), pollMs: 60_000, logger: silentLogger, version: 'test' });
    const throughDaemon = await visited(async () => {
      const run = await runVmux(['next'], env);
      assert.equal(run.code, 0, run.stderr);
    });
    assert.equal(new Set(throughDaemon).size, 2, 'vmuxd walks both waiting sessions too');
    const run = await runVmux(['switch', String(working.commandPid)], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`on workspace ${working.workspace}\\.`));
    assert.equal(await harness.focusedConId(), working.conId);
  } finally {
    await daemon?.stop('test');
    for (const terminal of terminals) await terminal.close();
  }
}

describe('vmux switch and the workspace column on real window managers', () => {
  it('i3 under Xvfb: focus moves to the terminal of the session asked for', async (t) => {
    await withRealWm(t, 'i3', switchesFocus);
  });

  it('i3: a WINDOWID that names no window (left from another terminal) is passed over: the window owning the session by _NET_WM_PID is focused', async (t) => {
    await withRealWm(t, 'i3', async (harness) => {
      const claude = fixtureClaude(harness);
      const stale = await harness.openTerminal({ workspace: '2', command: ['env', 'WINDOWID=4242', claude, '600'] });
      const other = await harness.openTerminal({ workspace: '1', command: [claude, '601'] });
      assert.equal(await harness.focusedConId(), other.conId);
      const io = captured(harness.env);
      assert.equal(await runCli(['switch', String(stale.commandPid)], io), 0, io.err());
      assert.match(io.out(), /on workspace 2\.\n$/);
      assert.equal(await harness.focusedConId(), stale.conId);
    });
  });

  it('i3: a session in tmux shown in a terminal window: its pane is selected and that window focused', async (t) => {
    if (skippedWithout(t, 'tmux')) return;
    await withRealWm(t, 'i3', async (harness) => {
      const dir = tempDir('vmux-switch-tmux-i3-');
      const tmux = privateTmux(dir, installFakeClaude(dir));
      try {
        const pane = await tmux.newSession('shown', { kind: 'claude' });
        await tmux.newWindow(pane.sessionId, { kind: 'idle' });
        const pid = await tmux.claudeIn(pane.paneId);
        // The tmux client runs in an xterm on workspace 2; focus starts on workspace 1.
        const client = await harness.openTerminal({ workspace: '2', command: ['tmux', '-S', tmux.socketPath, 'attach', '-t', pane.sessionId] });
        const other = await harness.openTerminal({ workspace: '1', command: [fixtureClaude(harness), '600'] });
        assert.equal(await harness.focusedConId(), other.conId);
        const listed = captured(harness.env);
        await runCli(['list', '--json'], listed);
        assert.equal((JSON.parse(listed.out()) as SessionInfo[]).find((s) => s.pid === pid)?.workspace, '2', 'the listing knows where the tmux session is shown');
        const io = captured(harness.env);
        assert.equal(await runCli(['switch', String(pid)], io), 0, io.err());
        assert.match(io.out(), /workspace 2, in its tmux pane/);
        assert.equal(await harness.focusedConId(), client.conId);
        assert.equal(await tmux.show(pane.paneId, '#{window_active} #{pane_active}'), '1 1');
      } finally {
        await tmux.close();
      }
    });
  });

  it('i3: a hostile label is matched as text and never reaches a command', async (t) => {
    await withRealWm(t, 'i3', async (harness) => {
      const claudeDir = join(root, 'claude-hostile');
      const canary = join(root, 'pwned');
      const claude = fixtureClaude(harness);
      const target = await harness.openTerminal({ workspace: '2', command: [claude, '600'], title: `]; exec touch ${canary} [` });
      const other = await harness.openTerminal({ workspace: '1', command: [claude, '601'] });
      writeSessionFile(claudeDir, target.commandPid, { sessionId: 'hhhhhhhh-0000-4000-8000-000000000001', cwd: harness.dir, status: 'idle' });
      const hostile = `]; exec touch ${canary} [ "$(touch ${canary})" \u001b[2J`;
      const env = { ...harness.env, CLAUDE_CONFIG_DIR: claudeDir };
      const labelled = captured(env);
      assert.equal(await runCli(['label', String(target.commandPid), hostile], labelled), 0, labelled.err());
      assert.doesNotMatch(labelled.out(), /\u001b/, 'the label is echoed without escape sequences');
      assert.equal(await harness.focusedConId(), other.conId);
      const io = captured(env);
      assert.equal(await runCli(['switch', hostile], io), 0, io.err());
      assert.equal(await harness.focusedConId(), target.conId);
      assert.equal(existsSync(canary), false, 'nothing of the label or the title ran');
    });
  });

  it('i3: vmux next visits the waiting sessions in turn, by itself and through vmuxd', async (t) => {
    await withRealWm(t, 'i3', nextWalksWaitingSessions);
  });

  it('headless sway: vmux next visits the waiting sessions in turn, by itself and through vmuxd', async (t) => {
    await withRealWm(t, 'sway', nextWalksWaitingSessions);
  });

  it('headless sway: focus moves to the terminal of the session asked for', async (t) => {
    await withRealWm(t, 'sway', switchesFocus);
  });
});

test('a session in a tmux session no terminal shows: its pane is selected, exit 2 with the attach command', async (t) => {
  if (skippedWithout(t, 'tmux')) return;
  const dir = tempDir('vmux-switch-tmux-');
  const tmux = privateTmux(dir, installFakeClaude(dir));
  try {
    const pane = await tmux.newSession('work', { kind: 'claude' });
    await tmux.newWindow(pane.sessionId, { kind: 'idle' });
    const pid = await tmux.claudeIn(pane.paneId);
    // No window manager here: the tmux part must still work.
    const io = captured({ I3SOCK: join(dir, 'no-wm.sock'), SWAYSOCK: '' });
    assert.equal(await runCli(['switch', String(pid)], io), 2, io.err());
    assert.match(io.err(), /attach with:\n {2}tmux -S .* attach -t/);
    assert.equal(await tmux.show(pane.paneId, '#{window_active} #{pane_active}'), '1 1');
  } finally {
    await tmux.close();
  }
});

test('a session in tmux that a terminal shows, and no window manager: its pane is selected, exit 0, no WM diagnostics', async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  const dir = tempDir('vmux-switch-tmux-only-');
  const tmux = privateTmux(dir, installFakeClaude(dir));
  try {
    const pane = await tmux.newSession('shown', { kind: 'claude' });
    const other = await tmux.newWindow(pane.sessionId, { kind: 'idle' });
    await tmux.tmux(['select-window', '-t', other.windowId]);
    const pid = await tmux.claudeIn(pane.paneId);
    await tmux.attach(pane.sessionId);
    // A tmux user over ssh or on a console: no i3 or sway anywhere.
    const io = captured({});
    assert.equal(await runCli(['switch', String(pid)], io), 0, io.err());
    assert.equal(io.err(), '');
    assert.match(io.out(), new RegExp(`^Switched to .* \\(pid ${pid}\\) in its tmux pane\\.\\n$`));
    assert.equal(await tmux.show(pane.paneId, '#{window_active} #{pane_active}'), '1 1');
    // Why no window was focused is for who asks for it.
    const debugged = await runVmux(['switch', String(pid)], { ...io.env, NODE_DEBUG: 'vmux:wm' });
    assert.equal(debugged.code, 0, debugged.stderr);
    assert.match(debugged.stderr, /no window focused: no i3 or sway IPC socket found/);
  } finally {
    await tmux.close();
  }
});

test('the attach hint for a tmux socket under a hostile folder name: no control character is printed, and the command attaches', async (t) => {
  if (skippedWithout(t, 'tmux client', 'bash')) return;
  const dir = join(tempDir('vmux-switch-tmux-hostile-'), HOSTILE);
  mkdirSync(dir);
  const tmux = privateTmux(dir, installFakeClaude(dir));
  try {
    const pane = await tmux.newSession('work', { kind: 'claude' });
    const pid = await tmux.claudeIn(pane.paneId);
    const io = captured({});
    assert.equal(await runCli(['switch', String(pid)], io), 2, io.err());
    assert.doesNotMatch(io.err(), RAW_CONTROL);
    const line = /attach with:\n {2}(.*)\n/.exec(io.err())?.[1] ?? '';
    assert.ok(line.startsWith("tmux -S $'"), io.err());
    // A shell reads the printed line back into the words that attach to the session.
    const words = execFileSync('bash', ['-c', `printf '%s\\0' ${line}`]).toString('utf8').split('\0').slice(0, -1);
    assert.deepEqual(words, ['tmux', '-S', tmux.socketPath, 'attach', '-t', 'work']);
    await tmux.attachWith(words, pane.sessionId);
  } finally {
    await tmux.close();
  }
});

test('no match or a tie: vmux switch and vmux label list the candidates without control characters from folder names', async () => {
  const dir = tempDir('vmux-switch-candidates-');
  const claudeDir = join(dir, 'claude');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const n of [1, 2]) {
    const cwd = join(dir, `${HOSTILE}-${n}`);
    mkdirSync(cwd);
    const proc = await startFakeClaude({ cwd, binDir: bin });
    started.push(proc);
    writeSessionFile(claudeDir, proc.pid, { sessionId: `ca0d0000-0000-4000-8000-00000000000${n}`, cwd, status: 'idle' });
  }
  const calls: Array<[string[], RegExp]> = [
    [['switch', 'no such session anywhere'], /no session matches 'no such session anywhere'; running sessions:/],
    [['switch', 'pwned'], /'pwned' matches \d+ sessions equally well:/],
    [['label', 'no-such-session', 'x'], /no session matches 'no-such-session'/],
  ];
  for (const [argv, message] of calls) {
    const io = captured({ CLAUDE_CONFIG_DIR: claudeDir });
    assert.equal(await runCli(argv, io), 2, io.err());
    assert.match(io.err(), message);
    assert.match(io.err(), new RegExp(`ca0d0000  pid \\d+  ${dir}/${HOSTILE_CLEANED}-1\n`));
    assert.doesNotMatch(io.err(), RAW_CONTROL);
  }
});

test('vmux next with nothing waiting exits 2 and says so', async () => {
  const io = captured({ CLAUDE_CONFIG_DIR: join(root, 'empty-claude'), VMUX_PROC_ROOT: join(root, 'empty-proc') });
  mkdirSync(join(root, 'empty-proc'), { recursive: true });
  assert.equal(await runCli(['next'], io), 2);
  assert.match(io.err(), /nothing is waiting/);
});

test('the vmux executable: its own bundle for `switch <query>` and `next`, the full CLI for help and for a switch without a query', async () => {
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: root, VMUX_HOME: join(root, 'routes-home'), CLAUDE_CONFIG_DIR: join(root, 'claude'), VMUX_PROC_ROOT: join(root, 'empty-proc') };
  mkdirSync(env.VMUX_PROC_ROOT, { recursive: true });
  const calls: Array<[string[], number, RegExp]> = [
    [['switch', 'nothing runs'], 2, /no Claude Code session is running/],
    [['next'], 2, /nothing is waiting/],
    [['switch', '--help'], 0, /^Usage: vmux switch/],
    [['next', '-h'], 0, /^Usage: vmux next/],
    [['switch'], 2, /name the session to switch to/],
    [['next', 'extra'], 2, /vmux next takes no argument extra/],
  ];
  for (const [argv, code, said] of calls) {
    const run = await runVmux(argv, env);
    assert.equal(run.code, code, `${argv.join(' ')}: ${run.stderr}`);
    assert.match(code === 0 ? run.stdout : run.stderr, said, argv.join(' '));
  }
});

test('vmux switch --dmenu: the launcher gets one line per session and the chosen line is switched to', async (t) => {
  if (skippedWithout(t, 'tmux')) return;
  const dir = tempDir('vmux-switch-dmenu-');
  const tmux = privateTmux(dir, installFakeClaude(dir));
  try {
    const pane = await tmux.newSession('dmenu', { kind: 'claude' });
    const pid = await tmux.claudeIn(pane.paneId);
    // A stand-in launcher: picks the line of the PID it is told, as a person would pick a line.
    const launcher = join(dir, 'pick');
    writeFileSync(launcher, '#!/bin/sh\ngrep "^$PICK_PID "\n');
    chmodSync(launcher, 0o755);
    const io = captured({ PICK_PID: String(pid), I3SOCK: join(dir, 'no-wm.sock') });
    assert.equal(await runCli(['switch', '--dmenu', '--launcher', launcher], io), 2, io.err());
    assert.match(io.err(), new RegExp(`pid ${pid}\\) runs in a tmux session no terminal shows`));
    // Dismissed (no line chosen): nothing happens, exit 1, no message.
    const dismissed = captured({ PICK_PID: '0' });
    assert.equal(await runCli(['switch', '--dmenu', '--launcher', launcher], dismissed), 3, 'nothing chosen has its own exit code');
    assert.equal(dismissed.err(), '');
  } finally {
    await tmux.close();
  }
});

test('vmuxd switch and next requests: same rules over the socket, and they say where they went', async (t) => {
  if (skippedWithout(t, 'tmux')) return;
  const dir = tempDir('vmux-switch-daemon-');
  const tmux = privateTmux(dir, installFakeClaude(dir));
  const home = vmuxHomeFrom({ VMUX_HOME: join(dir, 'vmux-home') });
  let daemon: Daemon | undefined;
  t.after(() => daemon?.stop('test'));
  const pane = await tmux.newSession('socket', { kind: 'claude' });
  const pid = await tmux.claudeIn(pane.paneId);
  // Started after the session, so its first scan knows it.
  daemon = await Daemon.start({ home, env: { CLAUDE_CONFIG_DIR: join(dir, 'claude') }, pollMs: 60_000, logger: silentLogger, version: 'test' });
  try {
    const response: Response = await requestDaemon(home.socketPath, { action: 'switch', args: { query: String(pid) } });
    assert.equal(response.ok, true, response.error);
    assert.equal(response.switched?.pid, pid);
    assert.match(response.switched?.attach ?? '', /tmux -S .* attach -t/);
    const bad = await requestDaemon(home.socketPath, { action: 'switch', args: { query: 'no such session at all' } });
    assert.equal(bad.ok, false);
    assert.match(bad.error ?? '', /no session matches/);
    assert.equal(bad.code, 'NO_MATCH', 'a program can tell "no match" from a failure');
    const next = await requestDaemon(home.socketPath, { action: 'next', args: {} });
    assert.deepEqual([next.ok, next.code], [false, 'NO_MATCH']);
    assert.match(next.error ?? '', /nothing is waiting/);
    // The bundled `vmux` asks the daemon and says what it said, with the same exit codes.
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', VMUX_HOME: home.dir, CLAUDE_CONFIG_DIR: join(dir, 'no-claude-here') };
    const attached = await runVmux(['switch', String(pid)], env);
    assert.equal(attached.code, 2);
    assert.match(attached.stderr, new RegExp(`pid ${pid}\\) runs in a tmux session no terminal shows.*\\n  tmux -S .* attach -t`, 's'));
    const unmatched = await runVmux(['switch', 'no such session at all'], env);
    assert.deepEqual([unmatched.code, unmatched.stdout], [2, '']);
    assert.match(unmatched.stderr, /^vmux: no session matches/);
    const nothing = await runVmux(['next'], env);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /nothing is waiting/);
  } finally {
    await daemon.stop('test');
    await tmux.close();
  }
});

test('vmux switch with no query on a terminal: type to filter, Enter goes to the session', async (t) => {
  if (skippedWithout(t, 'tmux')) return;
  const dir = tempDir('vmux-switch-picker-');
  const tmux = privateTmux(dir, installFakeClaude(dir));
  // The picker runs in a pane of a second private server, as a person runs it in a terminal.
  const screen = join(dir, 'screen.sock');
  const screenTmux = (args: readonly string[]) => execFileText('tmux', ['-S', screen, '-f', '/dev/null', ...args]);
  t.after(() => screenTmux(['kill-server']).catch(() => ''));
  try {
    const pane = await tmux.newSession('picked', { kind: 'claude' });
    const pid = await tmux.claudeIn(pane.paneId);
    const env = { ...captured({}).env, TERM: 'xterm-256color' };
    // A fixed command: paths are this test's own temp files.
    await execFileText('tmux', ['-S', screen, '-f', '/dev/null', 'new-session', '-d', '-x', '160', '-y', '30', '-s', 'picker', '--',
      'sh', '-c', `'${process.execPath}' '${VMUX}' switch; echo EXIT=$?; sleep 60`], env);
    const capture = () => screenTmux(['capture-pane', '-p', '-t', 'picker']);
    await waitUntil(async () => (await capture()).includes('vmux ›'), 'the picker to show', 8000);
    await screenTmux(['send-keys', '-t', 'picker', '-l', String(pid)]);
    await waitUntil(async () => (await capture()).includes(`vmux › ${pid}`), 'the filter to show', 8000);
    await screenTmux(['send-keys', '-t', 'picker', 'Enter']);
    await waitUntil(async () => (await capture()).includes('EXIT='), 'vmux to finish', 8000);
    const shown = await capture();
    assert.match(shown, /attach with:/);
    assert.match(shown, /EXIT=2/);
    assert.equal(await tmux.show(pane.paneId, '#{window_active} #{pane_active}'), '1 1');
  } finally {
    await screenTmux(['kill-server']).catch(() => '');
    await tmux.close();
  }
});

function execFileText(file: string, args: readonly string[], env?: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: 5000, ...(env ? { env } : {}) }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}
