/**
 * How fast and how cheaply vmux follows the pane in front of a tmux user (`followTmuxFocus`), on a
 * private tmux server with a terminal attached through `script`, one pane printing a line and
 * retitling itself every 100 ms (as a working Claude Code does):
 *
 * - latency from a pane change to the report: the user's key (`C-b o` typed into the terminal)
 *   and a `tmux select-pane` run from outside, by events and by polling;
 * - CPU at rest (nobody switching) over a window of `--seconds` (default 60): the follower's own
 *   process, its control client, the processes it ran (polling), and the tmux server, against the
 *   same window without a follower; and the control client's RSS.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/bench-tmux-focus.js [--seconds 60] [--runs 40] [--poll-ms 2000] [--json]
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { followTmuxFocus, type TmuxFocusFollower } from '../src/desktop/tmux/follow-tmux-focus.js';
import type { ActiveClientPane } from '../src/desktop/tmux/active-client-panes.js';
import { findProgram } from '../test/support/programs.js';
import { Cleanup } from './cleanup.js';
import { readCpuNs } from './measure.js';
import { summarize, type Summary } from './stats.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    runs: { type: 'string', default: '40' },
    'poll-ms': { type: 'string', default: '2000' },
    json: { type: 'boolean', default: false },
  },
});
const restSeconds = Number(values.seconds);
const runs = Number(values.runs);
const pollMs = Number(values['poll-ms']);

const tmuxPath = findProgram('tmux');
const scriptPath = findProgram('script');
if (tmuxPath === undefined || scriptPath === undefined) {
  process.stderr.write('bench-tmux-focus: needs tmux and script (util-linux) on PATH\n');
  process.exit(1);
}
const tmuxVersion = await new Promise<string>((resolve) => execFile(tmuxPath, ['-V'], (_error, stdout) => resolve(stdout.trim())));

const cleanup = new Cleanup();
cleanup.installProcessHooks();
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'vmux-bench-tmux-')));
cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
const socketPath = join(dir, 'tmux.sock');
const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8' };
delete env['TMUX'];
delete env['TMUX_PANE'];

function tmux(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(tmuxPath ?? 'tmux', ['-u', '-S', socketPath, '-f', '/dev/null', ...args], { env, timeout: 5000 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`tmux ${args.join(' ')}: ${stderr.trim() || error.message}`));
    });
  });
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

// A pane that keeps printing and retitling itself: what a working Claude Code does all the time.
const BUSY = 'i=0; while :; do i=$((i+1)); printf "\\033]2;working %s\\033\\\\line %s\\n" $i $i; sleep 0.1; done';
const ids = (await tmux(['new-session', '-d', '-P', '-F', '#{session_id} #{pane_id} #{pid}', '-x', '160', '-y', '48', '--', 'sh', '-c', BUSY])).trim().split(' ');
const [sessionId = '', firstPane = '', serverPidText = ''] = ids;
const serverPid = Number(serverPidText);
cleanup.add(() => {
  try {
    process.kill(serverPid, 'SIGKILL');
  } catch {
    // Gone already.
  }
});
const secondPane = (await tmux(['split-window', '-d', '-P', '-F', '#{pane_id}', '-t', firstPane, '--', 'sleep', 'infinity'])).trim();

// The user's terminal: `tmux attach` in a pseudo-terminal. Its stdin is how the user's keys come in.
const terminal: ChildProcess = spawn(scriptPath, ['-qfec', `exec "$VMUX_TMUX" -u -S "$VMUX_SOCKET" attach -t "$VMUX_SESSION"`, '/dev/null'], {
  env: { ...env, VMUX_TMUX: tmuxPath, VMUX_SOCKET: socketPath, VMUX_SESSION: sessionId },
  stdio: ['pipe', 'ignore', 'ignore'],
});
cleanup.add(() => terminal.kill('SIGKILL'));
await until(async () => (await tmux(['list-clients', '-F', '#{client_control_mode}'])).split('\n').includes('0'), 'the terminal to attach');

async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A follower with a way to wait for the report that shows a given pane. */
function startFollower(method: 'auto' | 'polling') {
  let waiter: { pane: string; resolve: () => void } | undefined;
  const follower: TmuxFocusFollower = followTmuxFocus(
    socketPath,
    (panes: readonly ActiveClientPane[]) => {
      if (waiter !== undefined && panes.some((pane) => pane.paneId === waiter?.pane)) waiter.resolve();
    },
    { env, method, pollIntervalMs: pollMs },
  );
  return {
    follower,
    reportOf(pane: string): Promise<void> {
      return new Promise<void>((resolve) => (waiter = { pane, resolve }));
    },
  };
}

async function activePane(): Promise<string> {
  return (await tmux(['display-message', '-p', '-t', sessionId, '#{pane_id}'])).trim();
}

/**
 * ms from the change being asked for to the report that shows it, alternating between the two
 * panes; for a command, also how long the `tmux select-pane` process took to run (start to exit),
 * which is most of its figure. `spreadMs`: the next change comes at a random moment within it, so
 * that polls are met at every phase of their interval.
 */
async function latencies(followed: ReturnType<typeof startFollower>, how: 'key' | 'command', count: number, spreadMs = 50): Promise<{ report: number[]; command: number[] }> {
  const report: number[] = [];
  const command: number[] = [];
  for (let i = 0; i < count; i++) {
    const next = (await activePane()) === firstPane ? secondPane : firstPane;
    const reported = followed.reportOf(next).then(() => performance.now());
    const started = performance.now();
    if (how === 'key') terminal.stdin?.write('\u0002o');
    else command.push(await tmux(['select-pane', '-t', next]).then(() => performance.now() - started));
    report.push((await reported) - started);
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * spreadMs));
  }
  return { report, command };
}

function childrenCpuNs(): number {
  // cutime + cstime (fields 16 and 17) of this process: the processes it ran and reaped (tmux list-clients).
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[16 - 3]) + Number(fields[17 - 3])) * 1e7;
}

interface RestCpu {
  readonly followerProcessPct: number;
  readonly controlClientPct: number;
  readonly childrenPct: number;
  readonly serverPct: number;
  readonly controlRssKib: number | undefined;
}

/** CPU (% of one core) over the rest window, with the follower (if any) running and nobody switching. */
async function restCpu(controlPid: number | undefined): Promise<RestCpu> {
  const ms = restSeconds * 1000;
  const self0 = process.cpuUsage();
  const children0 = childrenCpuNs();
  const server0 = readCpuNs(serverPid) ?? 0;
  const control0 = controlPid === undefined ? 0 : (readCpuNs(controlPid) ?? 0);
  await new Promise((resolve) => setTimeout(resolve, ms));
  const self = process.cpuUsage(self0);
  const pct = (ns: number) => (ns / 1e6 / ms) * 100;
  let controlRssKib: number | undefined;
  if (controlPid !== undefined) {
    const status = readFileSync(`/proc/${controlPid}/status`, 'utf8');
    controlRssKib = Number(/VmRSS:\s+([0-9]+)/.exec(status)?.[1]);
  }
  return {
    followerProcessPct: pct((self.user + self.system) * 1000),
    controlClientPct: controlPid === undefined ? 0 : pct((readCpuNs(controlPid) ?? 0) - control0),
    childrenPct: pct(childrenCpuNs() - children0),
    serverPct: pct((readCpuNs(serverPid) ?? 0) - server0),
    controlRssKib,
  };
}

const results: Record<string, unknown> = {};
const show = (name: string, summary: Summary) =>
  log(`${name.padEnd(42)} median ${summary.median.toFixed(1)} ms  p95 ${summary.p95.toFixed(1)} ms  max ${summary.max.toFixed(1)} ms  (n=${summary.n})`);

log(`${tmuxVersion}; ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; rest window ${restSeconds} s`);

log('CPU at rest without a follower…');
results['restWithout'] = await restCpu(undefined);

const events = startFollower('auto');
await until(() => events.follower.method === 'events', 'the control client');
const keyLatency = summarize((await latencies(events, 'key', runs)).report);
const byCommand = await latencies(events, 'command', runs);
const commandLatency = summarize(byCommand.report);
const commandRun = summarize(byCommand.command);
show('events: C-b o → report', keyLatency);
show('events: tmux select-pane → report', commandLatency);
show('   (the select-pane process alone)', commandRun);
results['eventsKey'] = keyLatency;
results['eventsCommand'] = commandLatency;
results['selectPaneProcess'] = commandRun;
log('CPU at rest following by events…');
results['restEvents'] = await restCpu(events.follower.controlPid);
await events.follower.close();

const polling = startFollower('polling');
const pollRuns = Math.max(5, Math.round(runs / 4));
const polledLatency = summarize((await latencies(polling, 'key', pollRuns, pollMs)).report);
show(`polling every ${pollMs} ms: C-b o → report`, polledLatency);
results['pollingKey'] = polledLatency;
log('CPU at rest following by polling…');
results['restPolling'] = await restCpu(undefined);
await polling.follower.close();

for (const key of ['restWithout', 'restEvents', 'restPolling'] as const) {
  const cpu = results[key] as RestCpu;
  log(
    `${key.padEnd(12)} follower process ${cpu.followerProcessPct.toFixed(3)} %  control client ${cpu.controlClientPct.toFixed(3)} %` +
      `  processes run ${cpu.childrenPct.toFixed(3)} %  tmux server ${cpu.serverPct.toFixed(3)} %` +
      (cpu.controlRssKib === undefined ? '' : `  control client RSS ${(cpu.controlRssKib / 1024).toFixed(1)} MiB`),
  );
}
if (values.json) process.stdout.write(`${JSON.stringify({ tmux: tmuxVersion, restSeconds, pollMs, ...results }, null, 2)}\n`);
await tmux(['kill-server']).catch(() => undefined);
process.exit(0);
