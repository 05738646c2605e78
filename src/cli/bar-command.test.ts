import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test, type TestContext } from 'node:test';
import { atExit } from '../../test/support/at-exit.js';
import { capturedIo } from '../../test/support/captured-io.js';
import { startFakeClaude, writeSessionFile, type FakeClaude } from '../../test/support/fake-claude.js';
import { findProgram, requiredByCi } from '../../test/support/programs.js';
import { startPolybar } from '../../test/support/polybar-xvfb.js';
import { skippedWithout } from '../../test/support/require-wm.js';
import { startSwayHeadless } from '../../test/support/sway-headless.js';
import { startWaybar } from '../../test/support/waybar-sway.js';
import { VMUX } from '../../test/support/run-vmux.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { pollUntil, startVmuxd, type VmuxdProcess } from '../../test/support/vmuxd-process.js';
import type { BarClick } from '../bar/bar-clicks.js';
import { runBar } from './bar-command.js';
import { runCli } from './run-cli.js';

/**
 * `vmux bar` as a bar runs it: the bundled `vmux` as a child process reading a real vmuxd (also a
 * child) on a real socket in a temp VMUX_HOME, with a real process named `claude` as the session.
 * vmuxd sees every Claude Code process of this user on the machine, so assertions look for this
 * file's session by its folder's name, never at the totals.
 */

const root = tempDir('vmux-bar-');
const claudeDir = join(root, 'claude');
mkdirSync(claudeDir, { recursive: true });
const FOLDER = `bar-fixture-${process.pid}`;
const cwd = join(root, FOLDER);
mkdirSync(cwd, { recursive: true });
const SESSION_ID = 'ba000000-0000-4000-8000-000000000001';

const sessions: FakeClaude[] = [];
const daemons: VmuxdProcess[] = [];
const bars = new Set<ChildProcess>();
after(async () => {
  for (const bar of bars) bar.kill('SIGKILL');
  await Promise.all(daemons.map((daemon) => daemon.stop()));
  await Promise.all(sessions.map((session) => session.stop('SIGKILL')));
});
atExit(() => {
  for (const bar of bars) bar.kill('SIGKILL');
});

/** Every wait has a deadline that leaves room for a loaded 2-core machine. */
const LIMIT = { timeout: 60_000 };
const LINE_TIMEOUT_MS = 15_000;

let homes = 0;
function freshHome(): string {
  return join(root, `vmux-home-${++homes}`);
}

function barEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: root, VMUX_HOME: home, CLAUDE_CONFIG_DIR: claudeDir, ...extra };
}

async function fixtureSession(status: string, waitingFor?: string): Promise<FakeClaude> {
  const session = await startFakeClaude({ cwd, binDir: cwd });
  sessions.push(session);
  writeSessionFile(claudeDir, session.pid, { sessionId: SESSION_ID, cwd, status, ...(waitingFor ? { waitingFor } : {}) });
  return session;
}

/** A bar's output, line by line, as the bar reading it would get it. */
class BarOutput {
  private buffer = '';
  private readonly lines: string[] = [];
  private wake: (() => void) | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => {
      this.buffer += text;
      const parts = this.buffer.split('\n');
      this.buffer = parts.pop() ?? '';
      this.lines.push(...parts);
      this.wake?.();
    });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Lines printed so far. */
  get printed(): readonly string[] {
    return this.lines;
  }

  /** The first line from `from` on that satisfies `matches`, and its index. */
  async lineWhere(matches: (line: string) => boolean, what: string, from = 0): Promise<{ line: string; index: number }> {
    const deadline = Date.now() + LINE_TIMEOUT_MS;
    for (;;) {
      const index = this.lines.findIndex((line, i) => i >= from && matches(line));
      const line = this.lines[index];
      if (line !== undefined) return { line, index };
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no bar line ${what} within ${LINE_TIMEOUT_MS} ms; lines: ${this.lines.join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

function startBar(args: readonly string[], env: Record<string, string>): BarOutput {
  const child = spawn(process.execPath, [VMUX, 'bar', ...args], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  bars.add(child);
  child.once('exit', () => bars.delete(child));
  return new BarOutput(child);
}

interface JsonPicture {
  readonly connected: boolean;
  readonly sessions?: readonly { readonly name: string; readonly state: string }[];
}

const picture = (line: string) => JSON.parse(line) as JsonPicture;
const mineIs = (state: string) => (line: string) => picture(line).sessions?.some((s) => s.name === FOLDER && s.state === state) === true;

test('vmux bar: a line at once, one per change, "no vmuxd" while it is stopped (still running), and back when it starts again', LIMIT, async () => {
  const session = await fixtureSession('busy');
  const home = freshHome();
  daemons.push(await startVmuxd({ home, claudeDir, userHome: root, pollSeconds: 1 }));
  const bar = startBar(['--format', 'json'], barEnv(home));

  const first = await bar.lineWhere(mineIs('working'), 'showing the session working');
  writeSessionFile(claudeDir, session.pid, { sessionId: SESSION_ID, cwd, status: 'waiting', waitingFor: 'permission prompt' });
  const waiting = await bar.lineWhere(mineIs('needs_input'), 'showing the session waiting for you', first.index + 1);
  assert.deepEqual(
    bar.printed.filter((line, i) => i > 0 && line === bar.printed[i - 1]),
    [],
    'a line is printed only when it differs from the last',
  );

  await daemons[0]?.stop();
  const down = await bar.lineWhere((line) => !picture(line).connected, 'saying vmuxd is not running', waiting.index + 1);
  assert.equal(bar.child.exitCode, null, 'the bar waits for vmuxd instead of exiting');
  assert.equal(bar.child.signalCode, null);

  daemons.push(await startVmuxd({ home, claudeDir, userHome: root, pollSeconds: 1 }));
  await bar.lineWhere(mineIs('needs_input'), 'showing the sessions again once vmuxd is back', down.index + 1);

  bar.child.kill('SIGTERM');
  assert.deepEqual(await bar.exited, { code: 0, signal: null }, 'SIGTERM from the bar ends it cleanly');
  await daemons[1]?.stop();
});

test('vmux bar: ends with exit 0 when its reader goes away (the next line meets a closed pipe) and on SIGINT', LIMIT, async () => {
  const home = freshHome();
  const bar = startBar(['--format', 'waybar'], barEnv(home));
  const first = await bar.lineWhere((line) => line.includes('"disconnected"'), 'saying vmuxd is not running');
  assert.match(first.line, /"text":"no vmuxd"/);
  bar.child.stdout?.destroy();
  const daemon = await startVmuxd({ home, claudeDir, userHome: root });
  daemons.push(daemon);
  assert.deepEqual(await bar.exited, { code: 0, signal: null });

  const interrupted = startBar(['--format', 'tmux'], barEnv(home));
  await interrupted.lineWhere((line) => line.startsWith('#[fg='), 'the tmux line');
  interrupted.child.kill('SIGINT');
  assert.deepEqual(await interrupted.exited, { code: 0, signal: null });
  await daemon.stop();
});

test('vmux bar: a wrong call exits 2 and names the formats', async () => {
  const missing = capturedIo(barEnv(freshHome()));
  assert.equal(await runCli(['bar'], missing), 2);
  assert.match(missing.err(), /vmux bar needs --format with one of waybar, i3blocks, polybar, tmux, json/);
  const unknown = capturedIo(barEnv(freshHome()));
  assert.equal(await runCli(['bar', '--format', 'xmobar\u001b[31m'], unknown), 2);
  assert.match(unknown.err(), /no format 'xmobar\?\[31m'; choose one of waybar/);
  const help = capturedIo(barEnv(freshHome()));
  assert.equal(await runCli(['bar', '--help'], help), 0);
  assert.match(help.out(), /^Usage: vmux bar --format waybar\|i3blocks\|polybar\|tmux\|json/);
});

test('vmux bar --format i3blocks: clicks on its input run next (left) and the picker (right); the end of its input ends it', LIMIT, async () => {
  const clicks: BarClick[] = [];
  const input = new PassThrough();
  const io = { ...capturedIo(barEnv(freshHome(), { BLOCK_INTERVAL: 'persist' })), standardInput: () => input };
  const running = runBar(['--format', 'i3blocks'], io, {
    backoff: { firstMs: 50, maxMs: 200 },
    onClick: async (click) => {
      clicks.push(click);
    },
  });
  await pollUntil(() => io.out().includes('no vmuxd'), 'the first line');
  input.write('{"":"","name":"vmux","button":1,"x":10,"y":5}\n');
  input.write('{"":"","name":"vmux","button":2}\n3\n');
  input.end();
  assert.equal(await running, 0);
  assert.deepEqual(clicks, ['next', 'pick']);
  assert.match(io.out(), /^\{"full_text":"no vmuxd"/);
});

test('vmux bar --format i3blocks under i3blocks 1.4 (no BLOCK_INTERVAL) leaves standard input alone: it is i3blocks\' own', LIMIT, async () => {
  const input = new PassThrough();
  const stop = new AbortController();
  const io = { ...capturedIo(barEnv(freshHome())), standardInput: () => input };
  const running = runBar(['--format', 'i3blocks'], io, { stop: stop.signal, backoff: { firstMs: 50, maxMs: 200 } });
  input.write('{"name":"other block","button":1}\n');
  input.end();
  stop.abort();
  assert.equal(await running, 0);
  assert.ok(input.readableLength > 0, 'what was written there is still unread');
});

test('vmux bar under a real i3blocks: the block shows the line and its colour in the i3bar protocol', LIMIT, async (t: TestContext) => {
  if (findProgram('i3blocks') === undefined) {
    assert.ok(!requiredByCi(), 'VMUX_REQUIRE_WM=1 but i3blocks is not on PATH');
    t.skip('not on PATH: i3blocks (Debian package i3blocks); set VMUX_REQUIRE_WM=1 to make this a failure');
    return;
  }
  await fixtureSession('busy');
  const home = freshHome();
  const daemon = await startVmuxd({ home, claudeDir, userHome: root });
  daemons.push(daemon);
  const config = join(root, `i3blocks-${homes}.conf`);
  // i3blocks runs the command with sh; the paths are this test's own.
  writeFileSync(config, `[vmux]\ncommand='${process.execPath}' '${VMUX}' bar --format i3blocks --ascii\ninterval=persist\nformat=json\n`);
  // In a process group of its own, as i3bar starts it: i3bar stops it with killpg, and i3blocks
  // 1.4 waits for its blocks to end before it exits.
  const child = spawn('i3blocks', ['-c', config], { env: barEnv(home), stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  bars.add(child);
  const i3bar = new BarOutput(child);
  const header = await i3bar.lineWhere((line) => line.startsWith('{'), 'the i3bar protocol header');
  assert.match(header.line, /"version":1/);
  const { line } = await i3bar.lineWhere((l) => /"full_text":"[*!>\-?]\d/.test(l), 'the vmux block');
  const block = (JSON.parse(line.replace(/^,/, '')) as Record<string, unknown>[]).find((b) => b['name'] === 'vmux');
  assert.ok(block, line);
  assert.match(String(block['full_text']), /^(?:[*!>\-?]\d+ ?)+$/);
  assert.match(String(block['color']), /^#[0-9a-f]{6}$/i);
  process.kill(-(child.pid ?? 0), 'SIGTERM');
  assert.deepEqual(await i3bar.exited, { code: 0, signal: null });
  await daemon.stop();
});

test('vmux bar under a real polybar: drawn with its click actions; a label holding polybar tags shows as text, and clicks on it run vmux next or the picker, nothing else', LIMIT, async (t: TestContext) => {
  if (skippedWithout(t, 'polybar')) return;
  await fixtureSession('waiting', 'permission prompt');
  const home = freshHome();
  const daemon = await startVmuxd({ home, claudeDir, userHome: root });
  daemons.push(daemon);
  // Stopped with the test, before the file's folder is removed: vmuxd writes its bar files there.
  t.after(() => daemon.stop());
  // A label that would be an action running `vmux x`, were it taken as polybar markup.
  const labelled = await daemon.request({ action: 'label', args: { session_id: SESSION_ID, label: '%{A1:vmux x:}go%{A}' } });
  assert.equal(labelled['ok'], true, JSON.stringify(labelled));
  // The commands a click runs, found through polybar's PATH: recorded, not run.
  const bin = join(root, 'polybar-bin');
  mkdirSync(bin, { recursive: true });
  const ran = join(root, 'polybar-ran');
  writeFileSync(join(bin, 'vmux'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${ran}'\n`, { mode: 0o755 });
  const lines = join(root, 'polybar-lines');
  // polybar runs exec with sh; tee keeps the lines polybar was given.
  // --ascii: the test's font (DejaVu Sans Mono) has no ⏸ or ⏵, and polybar warns of each it drops.
  const exec = `'${process.execPath}' '${VMUX}' bar --format polybar --ascii --name | tee '${lines}'`;
  const polybar = await startPolybar({ exec, env: barEnv(home, { PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}` }) });
  t.after(() => polybar.stop());
  const given = await pollUntilValue(() => {
    const text = existsSync(lines) ? readFileSync(lines, 'utf8') : '';
    return text.includes('vmux x:}go') ? text : undefined;
  }, 'the line with the label');
  assert.ok(given.includes('% {A1:vmux x:}go% {A}'), `the label's tags are written so that polybar cannot take them as tags: ${given}`);
  await pollUntilValue(() => {
    const drawn = polybar.drawnWidth();
    // The counts alone are a few characters: wider is the line with the label.
    return drawn !== undefined && drawn > 150 ? drawn : undefined;
  }, 'polybar to draw the label');

  // Left clicks over the end of the line, where the label is, measured from what polybar drew
  // last: the counts before it change as other sessions on the machine come and go.
  for (let offset = 3; offset < 160; offset += 7) await polybar.click(1, (polybar.drawnWidth() ?? 0) - offset);
  await polybar.click(3, 2);
  // polybar starts the commands of clicks in order, the right click's last; each writes a line.
  const recorded = await pollUntilValue(() => {
    const started = polybar.commandsRun();
    const lines = existsSync(ran) ? readFileSync(ran, 'utf8').trim().split('\n') : [];
    return started.at(-1) === 'vmux switch --dmenu' && lines.length === started.length ? lines : undefined;
  }, 'the commands of the clicks to run');
  assert.deepEqual(new Set(recorded), new Set(['next', 'switch --dmenu']), polybar.commandsRun().join('\n'));
  assert.deepEqual(
    polybar.log().split('\n').filter((line) => /polybar\|(warn|error)/.test(line) && !/No monitor specified/.test(line)),
    [],
    'polybar found nothing wrong with the line',
  );
});

test('vmux bar --format waybar under a real waybar (headless sway): its JSON and Pango markup are taken as they are, a label holding markup included', LIMIT, async (t: TestContext) => {
  if (skippedWithout(t, 'sway', 'waybar')) return;
  await fixtureSession('waiting', 'permission prompt');
  const home = freshHome();
  const daemon = await startVmuxd({ home, claudeDir, userHome: root });
  daemons.push(daemon);
  t.after(() => daemon.stop());
  const label = '<b>ship & "go"</b>';
  const labelled = await daemon.request({ action: 'label', args: { session_id: SESSION_ID, label } });
  assert.equal(labelled['ok'], true, JSON.stringify(labelled));
  const bar = startBar(['--format', 'waybar', '--name'], barEnv(home));
  const { line } = await bar.lineWhere((l) => l.includes('ship'), 'the line with the label');
  bar.child.kill('SIGTERM');
  const harness = await startSwayHeadless();
  t.after(() => harness.stop());
  // Beside vmux's line, the same label unescaped: what GTK says of markup that is not valid.
  const waybar = await startWaybar(harness, { vmux: line, unescaped: JSON.stringify({ text: label, tooltip: label }) });
  t.after(() => waybar.stop());
  const complaint = (text: string) => `Failed to set text '${text}' from markup`;
  await pollUntil(() => waybar.log().includes(complaint(label)), 'GTK to refuse the unescaped label', LINE_TIMEOUT_MS);
  const problems = waybar.log().split('\n').filter((l) => /Failed to set text|\[error\]|\[critical\]/.test(l) && !l.includes(complaint(label)));
  assert.deepEqual(problems, [], `waybar took vmux's line as it is:\n${line}`);
});

/** Polls `probe` until it gives a value, within the file's line deadline. */
async function pollUntilValue<T>(probe: () => T | undefined, what: string): Promise<T> {
  let value: T | undefined;
  await pollUntil(() => (value = probe()) !== undefined, what, LINE_TIMEOUT_MS);
  return value as T;
}
