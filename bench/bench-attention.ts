/**
 * What telling the user costs and how fast it is (`npm run bench -- --only attention`): vmuxd with
 * `--notify desktop` on a real session bus with dunst answering, and `vmux bar --format json`
 * following it, beside a vmuxd without notifications on the same fixture sessions.
 *
 * - Transition → notification on the bus: a fixture session's transcript gets a finished turn
 *   (→ needs_input); timed from just before the append to the `Notify` call as `dbus-monitor`
 *   timestamps it on the bus. Target p95 ≤ 100 ms.
 * - Transition → bar line: the same appends, to the line of `vmux bar` that shows the new state.
 *   Target p95 ≤ 100 ms.
 * - At rest afterwards (the notifications shown, then closed): RSS of the bar client and its CPU,
 *   beside a Node process that only waits (the floor of any Node client); RSS of both vmuxds, each
 *   with one subscriber (the bar, and a bare socket client).
 *
 * Each transition is the session going to work (a prompt) and then finishing its turn more than a
 * second later, so that each finished turn is a notification of its own, not one joined to a burst.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { TranscriptBuilder } from '../test/support/transcript-builder.js';
import { startDunst, startSessionBus, NOTIFICATION_SERVER_PROGRAMS } from '../test/support/notification-server.js';
import { missingPrograms } from '../test/support/programs.js';
import { LineClient, readRssKib, startVmuxd, type VmuxdProcess } from '../test/support/vmuxd-process.js';
import type { Cleanup } from './cleanup.js';
import { encodeCwd, killQuietly, procStartOf, startFixtureSessions, type FixtureSession } from './fixture-sessions.js';
import { readCpuNs } from './measure.js';
import type { Measurement } from './report.js';
import { summarize, type Summary } from './stats.js';

/** Targets: a transition reaches the bus, and the bar, within 100 ms (p95). */
const LATENCY_TARGET_MS = 100;
/** vmuxd's budget (50 MB), with notifications on too. */
const DAEMON_RSS_TARGET_MIB = 50e6 / 2 ** 20;
/** Beyond a burst: the notifier joins transitions less than a second apart into one notification. */
const BETWEEN_TRANSITIONS_MS = 1_100;
/** Longer than the daemon's 5 s poll: a transition that takes this long was missed by the watcher. */
const TRANSITION_TIMEOUT_MS = 8_000;
/** Left to every process after the transitions before the quiet window starts (V8's memory reducer runs ~8 s after allocations). */
const SETTLE_MS = 12_000;
const LABEL = 'bench-target';
const PROGRAMS = [...NOTIFICATION_SERVER_PROGRAMS, 'dbus-monitor'];

export interface AttentionOptions {
  readonly vmux: string;
  readonly scratch: string;
  readonly cleanup: Cleanup;
  readonly sessions: number;
  readonly transitions: number;
  readonly quietSeconds: number;
  readonly progress: (message: string) => void;
}

export async function benchAttention(options: AttentionOptions): Promise<{ measurements: Measurement[]; notes: string[] }> {
  const missing = missingPrograms(PROGRAMS);
  if (missing.length > 0) throw new Error(`the attention benchmark needs ${missing.join(', ')} (Debian: dbus-daemon dbus-bin dunst xvfb)`);
  const { cleanup, progress, scratch } = options;
  progress(`starting ${options.sessions} fixture sessions, a session bus, dunst, and two vmuxds (--notify desktop, and without)`);
  const fixture = await startFixtureSessions({ count: options.sessions, root: scratch, cleanup, seed: 31_337 });
  // Both are killed when the bench exits, whatever happens (notification-server.ts).
  const bus = await startSessionBus();
  const dunst = await startDunst(bus);
  const monitor = new NotifyMonitor(bus.address);
  cleanup.add(() => monitor.stop());
  const daemon = async (name: string, extraArgs: readonly string[]): Promise<VmuxdProcess> => {
    const started = await startVmuxd({ home: join(scratch, name), claudeDir: fixture.claudeDir, userHome: scratch, extraArgs, env: { ...bus.env } });
    cleanup.add(() => killQuietly(started.pid));
    return started;
  };
  const notifying = await daemon('vmux-home-notify', ['--notify', 'desktop']);
  const silent = await daemon('vmux-home-silent', []);
  const session = fixture.sessions.find((s) => s.hasSessionFile);
  if (session === undefined) throw new Error('no fixture session has a sessions file');
  const labelled = await notifying.request({ action: 'label', args: { session_id: session.sessionId, label: LABEL } });
  if (labelled['ok'] !== true) throw new Error(`could not label the session: ${JSON.stringify(labelled)}`);

  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: scratch, VMUX_HOME: notifying.home.dir, CLAUDE_CONFIG_DIR: fixture.claudeDir };
  const bar = new BarClient(spawn(process.execPath, [options.vmux, 'bar', '--format', 'json'], { env, stdio: ['ignore', 'pipe', 'inherit'] }));
  cleanup.add(() => killQuietly(bar.pid));
  // The vmuxd without notifications gets a subscriber too, so that the two differ in --notify alone.
  const silentSubscriber = await LineClient.connect(silent.home.socketPath);
  silentSubscriber.write('{"action":"subscribe"}\n');
  const idleNode = spawn(process.execPath, ['-e', 'setInterval(() => {}, 2 ** 30)'], { stdio: 'ignore' });
  cleanup.add(() => killQuietly(idleNode.pid));

  try {
    await monitor.ready();
    const latencies = await timeTransitions(options, fixture.claudeDir, session, bar, monitor);
    const shown = dunst.shown().length;
    progress(`at rest: RSS and CPU of the bar client and both vmuxds for ${options.quietSeconds} s`);
    await delay(SETTLE_MS);
    const rest = await sampleAtRest({ bar: bar.pid, idleNode: idleNode.pid ?? 0, notifying: notifying.pid, silent: silent.pid }, options.quietSeconds * 1000);
    const barPrivate = privateMib(bar.pid);
    const idlePrivate = privateMib(idleNode.pid ?? 0);
    const toBus = summarize(latencies.toBus);
    const toBar = summarize(latencies.toBar);
    return {
      measurements: [
        latency('transition-to-notification', `finished turn → Notify on the session bus (vmuxd --notify, dunst answering)`, toBus),
        latency('transition-to-bar-line', `finished turn → vmux bar prints the new state`, toBar),
        {
          id: 'bar-client-rss',
          title: `vmux bar at rest, RSS (${options.quietSeconds} s)`,
          unit: 'MiB',
          summary: rest.rss.bar,
          reference: `a Node process that only waits: ${rest.rss.idleNode.max.toFixed(1)} MiB; private memory ${barPrivate.toFixed(1)} vs ${idlePrivate.toFixed(1)} MiB`,
        },
        {
          id: 'bar-client-cpu',
          title: `vmux bar at rest, CPU (${options.quietSeconds} s)`,
          unit: '%',
          summary: summarize([rest.cpuPercent.bar]),
          reference: `a Node process that only waits: ${rest.cpuPercent.idleNode.toFixed(3)} %`,
        },
        {
          id: 'daemon-rss-notify',
          title: `vmuxd RSS at rest, notifications on (${options.sessions} sessions)`,
          unit: 'MiB',
          summary: rest.rss.notifying,
          targetOn: 'max',
          target: DAEMON_RSS_TARGET_MIB,
          met: rest.rss.notifying.max <= DAEMON_RSS_TARGET_MIB,
          reference: `notifications off: ${rest.rss.silent.median.toFixed(1)} MiB (max ${rest.rss.silent.max.toFixed(1)})`,
        },
      ],
      notes: [
        `attention: ${latencies.toBus.length} finished turns on one of ${options.sessions} fixture sessions, each after a prompt, ${BETWEEN_TRANSITIONS_MS} ms apart; ` +
          `dunst received ${shown} notifications; bus p95 ${toBus.p95.toFixed(1)} ms, bar p95 ${toBar.p95.toFixed(1)} ms; ` +
          `bar CPU ${rest.cpuPercent.bar.toFixed(3)} % of a core while quiet, ${bar.lines} bar lines in all`,
      ],
    };
  } finally {
    killQuietly(bar.pid);
    killQuietly(idleNode.pid);
    silentSubscriber.close();
    monitor.stop();
    await notifying.stop();
    await silent.stop();
    await dunst.stop();
    await bus.stop();
    fixture.stop();
  }
}

function latency(id: string, title: string, summary: Summary): Measurement {
  return { id, title, unit: 'ms', summary, targetOn: 'p95', target: LATENCY_TARGET_MS, met: summary.p95 <= LATENCY_TARGET_MS, reference: `p50 ${summary.median.toFixed(1)} ms, min ${summary.min.toFixed(1)} ms` };
}

/** Prompt (→ working, awaited on the bar), then a finished turn timed to the bus and to the bar. */
async function timeTransitions(
  options: AttentionOptions,
  claudeDir: string,
  session: FixtureSession,
  bar: BarClient,
  monitor: NotifyMonitor,
): Promise<{ toBus: number[]; toBar: number[] }> {
  // The sessions file without a status: the transcript decides the state, as for a client that writes none.
  writeFileSync(join(claudeDir, 'sessions', `${session.pid}.json`), JSON.stringify({ pid: session.pid, sessionId: session.sessionId, cwd: session.cwd, startedAt: Date.now(), procStart: procStartOf(session.pid) }));
  const transcript = new TranscriptBuilder(join(claudeDir, 'projects', encodeCwd(session.cwd), `${session.sessionId}.jsonl`), session.sessionId, session.cwd);
  const toBus: number[] = [];
  const toBar: number[] = [];
  options.progress(`${options.transitions} finished turns, each timed to its notification on the bus and to the bar line`);
  // The first round is not recorded: the daemons and the bar settle into a known state.
  for (let i = 0; i <= options.transitions; i++) {
    transcript.prompt(`benchmark prompt ${i}`, new Date());
    await bar.waitForState('working', performance.now());
    await delay(BETWEEN_TRANSITIONS_MS);
    const notifiesBefore = monitor.count;
    const start = performance.now();
    const startWall = performance.timeOrigin + start;
    transcript.assistantText(`benchmark answer ${i}`, new Date()).turnDuration(new Date());
    const barAt = await bar.waitForState('needs_input', start);
    const busAtWall = await monitor.waitForNotify(notifiesBefore);
    if (i === 0) continue;
    toBar.push(barAt - start);
    toBus.push(busAtWall - startWall);
  }
  return { toBus, toBar };
}

/** `vmux bar --format json`: the state of the labelled session in each line, and when it came. */
class BarClient {
  lines = 0;
  readonly pid: number;
  #latest: { state: string; at: number } | undefined;
  #waiter: { state: string; since: number; resolve: (at: number) => void } | undefined;
  #buffer = '';

  constructor(child: ChildProcess) {
    if (child.pid === undefined) throw new Error('could not start vmux bar');
    this.pid = child.pid;
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => {
      const at = performance.now();
      this.#buffer += text;
      for (let end = this.#buffer.indexOf('\n'); end >= 0; end = this.#buffer.indexOf('\n')) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 1);
        this.lines++;
        const state = (JSON.parse(line) as { sessions?: Array<{ name: string; state: string }> }).sessions?.find((s) => s.name === LABEL)?.state;
        if (state === undefined) continue;
        this.#latest = { state, at };
        if (this.#waiter && this.#waiter.state === state && at >= this.#waiter.since) {
          this.#waiter.resolve(at);
          this.#waiter = undefined;
        }
      }
    });
  }

  waitForState(state: string, since: number): Promise<number> {
    if (this.#latest?.state === state && this.#latest.at >= since) return Promise.resolve(this.#latest.at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`vmux bar showed no ${state} within ${TRANSITION_TIMEOUT_MS} ms (last: ${this.#latest?.state})`)), TRANSITION_TIMEOUT_MS);
      this.#waiter = {
        state,
        since,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
    });
  }
}

/** `dbus-monitor` on the bus, for the wall-clock time the bus saw each `Notify` call. */
class NotifyMonitor {
  readonly #child: ChildProcess;
  readonly #times: number[] = [];
  #output = '';
  #listening = false;

  constructor(address: string) {
    this.#child = spawn('dbus-monitor', ['--address', address, "type='method_call',interface='org.freedesktop.Notifications',member='Notify'"], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.#child.stdout?.setEncoding('utf8');
    this.#child.stdout?.on('data', (text: string) => {
      this.#output += text;
      const end = this.#output.lastIndexOf('\n');
      if (end < 0) return;
      const complete = this.#output.slice(0, end);
      this.#output = this.#output.slice(end + 1);
      // The monitor says it has started listening with a signal of its own (NameLost of itself).
      if (complete.includes('signal time=')) this.#listening = true;
      for (const match of complete.matchAll(/^method call time=(\d+\.\d+) .*member=Notify$/gm)) this.#times.push(Number(match[1]) * 1000);
    });
  }

  get count(): number {
    return this.#times.length;
  }

  async ready(): Promise<void> {
    const deadline = performance.now() + 5_000;
    while (!this.#listening) {
      if (performance.now() > deadline) throw new Error('dbus-monitor did not start listening');
      await delay(20);
    }
  }

  /** The time of the first Notify after the first `before` ones. */
  async waitForNotify(before: number): Promise<number> {
    const deadline = performance.now() + TRANSITION_TIMEOUT_MS;
    for (;;) {
      const at = this.#times[before];
      if (at !== undefined) return at;
      if (performance.now() > deadline) throw new Error(`no Notify on the bus within ${TRANSITION_TIMEOUT_MS} ms`);
      await delay(5);
    }
  }

  stop(): void {
    killQuietly(this.#child.pid);
  }
}

interface AtRest<T> {
  readonly bar: T;
  readonly idleNode: T;
  readonly notifying: T;
  readonly silent: T;
}

/** RSS every second and CPU over the whole window, for each process at once. */
async function sampleAtRest(pids: AtRest<number>, windowMs: number): Promise<{ rss: AtRest<Summary>; cpuPercent: AtRest<number> }> {
  const names = Object.keys(pids) as Array<keyof AtRest<number>>;
  const rss = Object.fromEntries(names.map((name) => [name, [] as number[]])) as unknown as AtRest<number[]>;
  const cpuAtStart = Object.fromEntries(names.map((name) => [name, readCpuNs(pids[name]) ?? 0])) as unknown as AtRest<number>;
  const started = performance.now();
  for (let second = 1; second * 1000 <= windowMs; second++) {
    await delay(Math.max(0, started + second * 1000 - performance.now()));
    for (const name of names) rss[name].push(readRssKib(pids[name]) / 1024);
  }
  const wallMs = performance.now() - started;
  const cpu = (name: keyof AtRest<number>): number => (((readCpuNs(pids[name]) ?? 0) - cpuAtStart[name]) / 1e6 / wallMs) * 100;
  return {
    rss: { bar: summarize(rss.bar), idleNode: summarize(rss.idleNode), notifying: summarize(rss.notifying), silent: summarize(rss.silent) },
    cpuPercent: { bar: cpu('bar'), idleNode: cpu('idleNode'), notifying: cpu('notifying'), silent: cpu('silent') },
  };
}

/** Memory no other process shares: what one more bar adds (`/proc/<pid>/smaps_rollup`). */
function privateMib(pid: number): number {
  const text = readFileSyncQuiet(`/proc/${pid}/smaps_rollup`);
  let kib = 0;
  for (const match of text.matchAll(/^Private_(?:Clean|Dirty):\s+(\d+) kB$/gm)) kib += Number(match[1]);
  return kib / 1024;
}

function readFileSyncQuiet(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
