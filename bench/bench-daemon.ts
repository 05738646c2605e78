import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { TranscriptBuilder } from '../test/support/transcript-builder.js';
import { CLOCK_TICKS_PER_SECOND, LineClient, readCpuTicks, readRssKib, startVmuxd, type VmuxdProcess } from '../test/support/vmuxd-process.js';
import type { ListFixture } from './bench-list.js';
import type { Cleanup } from './cleanup.js';
import { encodeCwd, procStartOf, startFixtureSessions, type FixtureSession } from './fixture-sessions.js';
import { bareSocketClient, readCpuNs, run, timeCommand, vmuxCommand, type Command } from './measure.js';
import { hottestFunctions } from './cpu-profile.js';
import { compare, type Comparison, type Measurement } from './report.js';
import { interleaveAll, summarize } from './stats.js';

/** SPEC §4: a change reaches subscribers within 100 ms. */
const EVENT_TARGET_MS = 100;
/** 50 MB: an idle Node process alone is ~40 MiB. */
const IDLE_RSS_TARGET_MIB = 50e6 / 2 ** 20;
/** At rest a poll finds nothing changed: at most 0.1 % of one core, median over poll-sized windows. */
const IDLE_CPU_TARGET_PERCENT = 0.1;
/** How long after its start vmuxd counts as at rest. */
const SETTLE_MS = 12_000;
/** SPEC §9: `vmux list` through vmuxd costs at most 1.1 × a bare Node client sending `list` over the socket. */
const LIST_TARGET_RATIO = 1.1;
const WARMUP_PAIRS = 2;
/** Longer than the daemon's 5 s poll: a transition that takes this long was missed by the watcher. */
const TRANSITION_TIMEOUT_MS = 8_000;

/** Starts vmuxd (the bundled `bin.vmuxd`) on a fixture's config folder; killed by `cleanup` if the harness dies. */
export async function startBenchDaemon(
  home: string,
  claudeDir: string,
  cleanup: Cleanup,
  pollSeconds?: number,
  nodeArgs?: readonly string[],
): Promise<VmuxdProcess> {
  const daemon = await startVmuxd({ home, claudeDir, ...(pollSeconds !== undefined ? { pollSeconds } : {}), ...(nodeArgs ? { nodeArgs } : {}) });
  cleanup.add(() => {
    if (!daemon.isAlive()) return;
    try {
      process.kill(daemon.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  });
  return daemon;
}

/**
 * `vmux list --json` answered by a running vmuxd, against a bare Node client sending `list` over
 * the socket (SPEC §9), interleaved; `node -e 0` and the same command scanning by itself are
 * timed in the same rounds, for reference. The client is given an empty Claude config folder:
 * only the daemon can know the fixture's session ids, so the check proves the daemon answered.
 */
export async function benchListViaDaemon(
  fixture: ListFixture,
  daemon: VmuxdProcess,
  scratch: string,
  runs: number,
): Promise<{ comparisons: Comparison[]; notes: string[] }> {
  const emptyClaude = join(scratch, 'empty-claude-config');
  mkdirSync(emptyClaude, { recursive: true });
  const viaDaemonEnv: NodeJS.ProcessEnv = { ...fixture.env, VMUX_HOME: daemon.home.dir, CLAUDE_CONFIG_DIR: emptyClaude };
  const nodeAlone: Command = { file: process.execPath, args: ['-e', '0'], env: viaDaemonEnv };
  const bareClient = bareSocketClient(daemon.home.socketPath, { action: 'list' }, viaDaemonEnv);
  const viaDaemon = vmuxCommand(fixture.vmux, ['list', '--json'], viaDaemonEnv);
  const scanning = vmuxCommand(fixture.vmux, ['list', '--json'], fixture.env);

  const listed = JSON.parse((await run(viaDaemon)).stdout) as Array<{ session_id?: string }>;
  const ids = new Set(listed.map((s) => s.session_id));
  const missing = fixture.sessions.filter((s) => !ids.has(s.sessionId));
  if (missing.length > 0) throw new Error(`vmux list via the daemon missed ${missing.length} fixture sessions: is the daemon answering?`);
  const bareAnswer = JSON.parse((await run(bareClient)).stdout) as { ok?: boolean; sessions?: unknown[] };
  if (bareAnswer.ok !== true || bareAnswer.sessions?.length !== listed.length) throw new Error('the bare socket client did not get the list vmux got');

  const [b = [], c = [], d = [], s = []] = await interleaveAll(runs, WARMUP_PAIRS, [
    () => timeCommand(nodeAlone),
    () => timeCommand(bareClient),
    () => timeCommand(viaDaemon),
    () => timeCommand(scanning),
  ]);
  const bs = summarize(b);
  const cs = summarize(c);
  return {
    comparisons: [
      compare({
        id: 'list-json-daemon',
        title: `vmux list --json via vmuxd, ${fixture.sessions.length} live sessions`,
        unit: 'ms',
        baseline: { label: 'bare socket client', summary: cs },
        subject: { label: 'vmux list (daemon)', summary: summarize(d) },
        target: LIST_TARGET_RATIO,
      }),
      compare({
        id: 'list-bare-client',
        title: '(reference) the bare socket client itself',
        unit: 'ms',
        baseline: { label: 'node -e 0', summary: bs },
        subject: { label: 'bare socket client', summary: cs },
      }),
      compare({
        id: 'list-json-daemon-vs-scan',
        title: '(reference) the same rounds, vmux scanning by itself',
        unit: 'ms',
        baseline: { label: 'node -e 0', summary: bs },
        subject: { label: 'vmux list (scan)', summary: summarize(s) },
      }),
    ],
    notes: [`vmux list via vmuxd returned all ${fixture.sessions.length} fixture sessions with their ids (the client itself had an empty Claude config folder); the bare client got the same ${listed.length}`],
  };
}

interface Seen {
  readonly state: string;
  readonly at: number;
}

/**
 * Transcript append → a subscriber sees the new state. The daemon polls every 5 s (its default),
 * so only its file watching can make this fast. One fixture session with a sessions file is made
 * to let the transcript decide (its `status` removed); then prompts (→ working) and answers with
 * a `turn_duration` (→ needs_input) are appended in turn, each timed from just before the append
 * to the arrival of the event that shows the new state.
 */
export async function benchAppendToEvent(
  daemon: VmuxdProcess,
  claudeDir: string,
  sessions: readonly FixtureSession[],
  transitions: number,
): Promise<{ measurement: Measurement; notes: string[] }> {
  const session = sessions.find((s) => s.hasSessionFile);
  if (session === undefined) throw new Error('no fixture session has a sessions file');
  const sessionFile = join(claudeDir, 'sessions', `${session.pid}.json`);
  writeFileSync(sessionFile, JSON.stringify({ pid: session.pid, sessionId: session.sessionId, cwd: session.cwd, startedAt: Date.now(), procStart: procStartOf(session.pid) }));
  const transcript = new TranscriptBuilder(join(claudeDir, 'projects', encodeCwd(session.cwd), `${session.sessionId}.jsonl`), session.sessionId, session.cwd);

  const subscriber = await LineClient.connect(daemon.home.socketPath);
  let latest: Seen | undefined;
  let events = 0;
  let waiter: { state: string; resolve: (seen: Seen) => void } | undefined;
  subscriber.socket.on('data', () => {
    // Lines are parsed as they come; the LineClient queue is drained here.
    for (;;) {
      const queued = subscriber.pending > 0 ? subscriber.nextLine(0) : undefined;
      if (queued === undefined) break;
      void queued.then((line) => {
        const at = performance.now();
        events++;
        const event = JSON.parse(line) as { sessions?: Array<{ pid: number; state: string }> };
        const state = event.sessions?.find((s) => s.pid === session.pid)?.state;
        if (state === undefined) return;
        latest = { state, at };
        if (waiter && waiter.state === state) {
          const w = waiter;
          waiter = undefined;
          w.resolve(latest);
        }
      });
    }
  });
  subscriber.write('{"action":"subscribe"}\n');

  const waitFor = (state: string, since: number): Promise<Seen> => {
    if (latest && latest.state === state && latest.at >= since) return Promise.resolve(latest);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no event showed ${state} within ${TRANSITION_TIMEOUT_MS} ms (last: ${latest?.state})`)), TRANSITION_TIMEOUT_MS);
      waiter = {
        state,
        resolve: (seen) => {
          clearTimeout(timer);
          resolve(seen);
        },
      };
    });
  };
  const step = async (i: number): Promise<number> => {
    const wantWorking = i % 2 === 0;
    const start = performance.now();
    if (wantWorking) transcript.prompt(`benchmark prompt ${i}`, new Date());
    else transcript.assistantText(`benchmark answer ${i}`, new Date()).turnDuration(new Date());
    const seen = await waitFor(wantWorking ? 'working' : 'needs_input', start);
    return seen.at - start;
  };

  try {
    // Unrecorded: settle into a known state (a finished turn) first.
    await step(1);
    const samples: number[] = [];
    for (let i = 0; i < transitions; i++) {
      // A pause between appends, as between a user's actions: each change is its own event.
      await delay(120 + ((i * 37) % 80));
      samples.push(await step(i));
    }
    const summary = summarize(samples);
    return {
      measurement: {
        id: 'append-to-event',
        title: `transcript append → subscriber sees the state (poll 5 s)`,
        unit: 'ms',
        summary,
        targetOn: 'p95',
        target: EVENT_TARGET_MS,
        met: summary.p95 <= EVENT_TARGET_MS,
        reference: `p50 ${summary.median.toFixed(1)} ms, min ${summary.min.toFixed(1)} ms`,
      },
      notes: [
        `append → event: ${transitions} transitions (prompt → working, answer + turn_duration → needs_input) on one of ${sessions.length} fixture sessions; ` +
          `${samples.filter((ms) => ms > EVENT_TARGET_MS).length} over ${EVENT_TARGET_MS} ms; ${events} events read`,
      ],
    };
  } finally {
    subscriber.close();
  }
}

/** CPU time of a process in ns: from schedstat when the kernel keeps it, else from 10 ms ticks. */
function cpuClock(pid: number): { readonly method: string; read: () => number } {
  if (readCpuNs(pid) !== undefined) return { method: 'schedstat (ns)', read: () => readCpuNs(pid) ?? Number.NaN };
  return { method: `utime+stime (${1000 / CLOCK_TICKS_PER_SECOND} ms ticks)`, read: () => (readCpuTicks(pid) * 1e9) / CLOCK_TICKS_PER_SECOND };
}

/**
 * A minute (or `seconds`) of an idle daemon watching `count` live fixture sessions, once it is at rest (SETTLE_MS): RSS from
 * /proc/<pid>/status every second, CPU over poll-sized windows (one poll each) and over the whole
 * time. An idle Node process (`setInterval`) is sampled in the same seconds, as what any Node daemon
 * costs. With `cpuProfDir`, a second daemon then runs as long under `--cpu-prof` (the profiler's
 * own cost would spoil the figures above) and its hottest functions are returned.
 */
export async function benchIdleDaemon(
  scratch: string,
  cleanup: Cleanup,
  seconds: number,
  count: number,
  progress: (message: string) => void,
  cpuProfDir?: string,
): Promise<{ measurements: Measurement[]; notes: string[]; hot?: ReturnType<typeof hottestFunctions> }> {
  mkdirSync(scratch, { recursive: true });
  progress(`starting ${count} fixture sessions for the idle daemon`);
  const fixture = await startFixtureSessions({ count, root: scratch, cleanup, seed: 424_242 });
  const daemon = await startBenchDaemon(join(scratch, 'vmux-home'), fixture.claudeDir, cleanup);
  const reference = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const referencePid = reference.pid;
  if (referencePid === undefined) throw new Error('could not start the reference node process');
  cleanup.add(() => reference.kill('SIGKILL'));
  let result: { measurements: Measurement[]; notes: string[] };
  try {
    await expectAllListed(daemon, fixture.sessions);
    const rssAtStart = readRssKib(daemon.pid) / 1024;
    // At rest: past the start-up, the first polls, and the full collections V8's memory reducer
    // runs some 8 s after the start's allocations (once, --trace-gc shows them).
    await delay(SETTLE_MS);
    progress(`idle daemon with ${count} sessions: sampling RSS and CPU for ${seconds} s`);
    const rss: number[] = [];
    const refRss: number[] = [];
    const cpu: number[] = [];
    const windowSeconds = Math.min(5, seconds);
    const clock = cpuClock(daemon.pid);
    const refClock = cpuClock(referencePid);
    const startNs = clock.read();
    const refStartNs = refClock.read();
    const startedAt = performance.now();
    let windowNs = startNs;
    let windowAt = startedAt;
    for (let s = 1; s <= seconds; s++) {
      await delay(Math.max(0, startedAt + s * 1000 - performance.now()));
      rss.push(readRssKib(daemon.pid) / 1024);
      refRss.push(readRssKib(referencePid) / 1024);
      if (s % windowSeconds === 0) {
        const now = performance.now();
        const ns = clock.read();
        cpu.push(percentOfCore(ns - windowNs, now - windowAt));
        windowNs = ns;
        windowAt = now;
      }
    }
    const elapsedMs = performance.now() - startedAt;
    const totalCpu = percentOfCore(clock.read() - startNs, elapsedMs);
    const refCpu = percentOfCore(refClock.read() - refStartNs, elapsedMs);
    const status = (await daemon.request({ action: 'status' }))['status'] as { signals?: Record<string, unknown> } | undefined;
    const rssSummary = summarize(rss);
    const refSummary = summarize(refRss);
    const cpuSummary = summarize(cpu);
    result = {
      measurements: [
        {
          id: 'daemon-idle-rss',
          title: `vmuxd RSS, idle ${seconds} s, ${count} live sessions`,
          unit: 'MiB',
          summary: rssSummary,
          targetOn: 'max',
          target: IDLE_RSS_TARGET_MIB,
          met: rssSummary.max <= IDLE_RSS_TARGET_MIB,
          reference: `idle node process: ${refSummary.median.toFixed(1)} MiB`,
        },
        {
          id: 'daemon-idle-cpu',
          title: `vmuxd CPU, idle ${seconds} s (${windowSeconds} s windows)`,
          unit: '%',
          summary: cpuSummary,
          // The whole time, full scans included: what vmuxd costs the machine at rest.
          targetOn: 'mean',
          target: IDLE_CPU_TARGET_PERCENT,
          met: totalCpu <= IDLE_CPU_TARGET_PERCENT,
          reference: `mean ${totalCpu.toFixed(3)} %; idle node process (1 s timer) ${refCpu.toFixed(3)} %`,
        },
      ],
      notes: [
        `idle daemon: RSS ${rssAtStart.toFixed(1)} MiB just after start; from ${SETTLE_MS / 1000} s on, ${rssSummary.min.toFixed(1)}–${rssSummary.max.toFixed(1)} MiB; ` +
          `CPU ${totalCpu.toFixed(3)} % of one core over ${(elapsedMs / 1000).toFixed(0)} s (${clock.method}, all threads); signals ${JSON.stringify(status?.signals ?? {})}`,
      ],
    };
  } finally {
    reference.kill('SIGKILL');
    await daemon.stop();
  }
  if (cpuProfDir === undefined) {
    fixture.stop();
    return result;
  }

  const dir = join(cpuProfDir, `vmuxd-idle-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  progress(`idle daemon under --cpu-prof for ${seconds} s`);
  const profiled = await startBenchDaemon(join(scratch, 'vmux-home-profiled'), fixture.claudeDir, cleanup, undefined, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  try {
    await expectAllListed(profiled, fixture.sessions);
    await delay(seconds * 1000);
  } finally {
    await profiled.stop();
    fixture.stop();
  }
  return { ...result, notes: [...result.notes, `CPU profile of the idle daemon written to ${dir}`], hot: hottestFunctions(dir) };
}

function percentOfCore(cpuNs: number, wallMs: number): number {
  return (cpuNs / 1e6 / wallMs) * 100;
}

async function expectAllListed(daemon: VmuxdProcess, sessions: readonly FixtureSession[]): Promise<void> {
  const listed = ((await daemon.request({ action: 'list' }))['sessions'] ?? []) as Array<{ pid: number }>;
  const pids = new Set(listed.map((s) => s.pid));
  const seen = sessions.filter((s) => pids.has(s.pid)).length;
  if (seen !== sessions.length) throw new Error(`the daemon lists ${seen} of ${sessions.length} fixture sessions`);
}
