/**
 * Which D-Bus library vmuxd's desktop notifications use, chosen by measurement
 * (`npm run bench-dbus`; the README's "Why this D-Bus library" quotes it).
 *
 *   npm run bench-dbus                   table on stdout (progress on stderr)
 *   npm run bench-dbus -- --runs 40      more runs per figure (default 20)
 *   npm run bench-dbus -- --json         JSON on stdout
 *
 * vmuxd is one esbuild bundle, so each candidate is measured the same way: a small program that
 * uses it is bundled by esbuild (as `npm run build` bundles vmuxd) and run many times, candidates
 * and the baseline interleaved. Each program runs in one of three ways:
 * - `carried`: the library is in the bundle behind a function never called (vmuxd without
 *   `--notify`, which loads it at the first notification only);
 * - `load`: the bundle only loads the library (what `--notify` costs before anything is shown);
 * - `notify`: it also connects to the session bus, sends a `Notify` (urgency hint, a `default`
 *   action), waits for the id and closes the notification again, twice: the first pays for the
 *   connection, the second is what each later notification costs.
 * The baseline is the same program with no library. Figures: wall time from spawn to exit, and the
 * RSS the program reports at its end (what vmuxd would keep), medians and p90s; the bundle's size
 * and how many npm packages went into it.
 *
 * Then, with the library vmux uses, the figure the issue sets a target for: from a session list
 * with a transition into `needs_input` handed to vmuxd's `Notifier` until the notification server
 * has answered the `Notify` (its id is back), over many transitions, each closed again when the
 * session goes back to work (target: p95 ≤ 100 ms).
 *
 * The candidates are installed from npm, at the versions below, into a cache
 * (`$VMUX_BENCH_CACHE`, else `~/.cache/vmux/bench-dbus`), not into the project. The bus and the
 * notification server are real: a private `dbus-daemon` and dunst under Xvfb
 * (`test/support/notification-server.ts`); the bench says what to install when one is missing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { run } from './measure.js';
import { interleaveAll, round, summarize, type Summary } from './stats.js';
import { missingPrograms } from '../test/support/programs.js';
import { NOTIFICATION_SERVER_PROGRAMS, startDunst, startSessionBus } from '../test/support/notification-server.js';
import { messageOf } from '../src/errors.js';
import { Notifier } from '../src/daemon/notifier.js';
import { FreedesktopNotifications } from '../src/desktop/notifications/freedesktop-notifications.js';
import type { Notification, NotificationSink, SinkEvent } from '../src/desktop/notifications/notification-sink.js';
import type { SessionInfo } from '../src/protocol/session-info.js';

/** How a candidate is called: the dbus-native family (callbacks or promises) or the dbus-next one. */
type CallStyle = 'dbus-native' | 'dbus-ts' | 'dbus-next';

interface Candidate {
  readonly name: string;
  readonly version: string;
  readonly style: CallStyle;
  /** Optional modules it loads only in cases vmux never meets, left out of the bundle as vmux's build would have to. */
  readonly external?: readonly string[];
}

/** Every D-Bus client on npm that is pure JavaScript and still installs (checked November 2026). */
const CANDIDATES: readonly Candidate[] = [
  { name: 'dbus-native', version: '0.16.1', style: 'dbus-native' },
  { name: '@homebridge/dbus-native', version: '0.7.9', style: 'dbus-native' },
  { name: '@jellybrick/dbus-next', version: '0.11.3', style: 'dbus-next' },
  // X11 authentication (`x11`) and the native `usocket` (fd passing) are optional requires.
  { name: 'dbus-next', version: '0.10.2', style: 'dbus-next', external: ['x11', 'usocket'] },
  { name: 'dbus-ts', version: '0.0.7', style: 'dbus-ts' },
];

const DEFAULT_RUNS = 20;
const WARMUP_ROUNDS = 2;
const MIB = 1024 * 1024;

/** The calls every probe makes, whatever the library: the same bytes on the wire. */
const NOTIFY_PREAMBLE = `
const DESTINATION = 'org.freedesktop.Notifications';
const PATH = '/org/freedesktop/Notifications';
const NOTIFY_ARGS = ['vmux-bench', 0, '', 'bench', 'one notification', ['default', 'Go'], 2, 5000];
const started = performance.now();
const report = (extra) => {
  process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss, ...extra }) + '\\n');
  process.exit(0);
};
// The first notification pays for the connection; the second is what each later one costs.
const twice = (once) => once().then(() => {
  const first = performance.now() - started;
  const again = performance.now();
  return once().then(() => report({ notifyMs: first, againMs: performance.now() - again }));
}).catch(fail);
const fail = (error) => {
  process.stderr.write(String(error && error.stack || error) + '\\n');
  process.exit(1);
};
`;

/** The body of each probe, by call style; `lib` is the loaded module. */
const NOTIFY_CALLS: Readonly<Record<CallStyle, string>> = {
  'dbus-native': `
const bus = lib.sessionBus({ busAddress: process.env.DBUS_SESSION_BUS_ADDRESS });
const call = (member, signature, body) => new Promise((resolve, reject) =>
  bus.invoke({ destination: DESTINATION, path: PATH, interface: DESTINATION, member, signature, body }, (error, value) => (error ? reject(error) : resolve(value))));
const [app, replaces, icon, summary, body, actions, urgency, timeout] = NOTIFY_ARGS;
const once = () => call('Notify', 'susssasa{sv}i', [app, replaces, icon, summary, body, actions, [['urgency', ['y', urgency]]], timeout])
  .then((id) => call('CloseNotification', 'u', [id]));
twice(once);
`,
  'dbus-ts': `
const call = (bus, member, signature, body) => bus.invoke({ destination: DESTINATION, path: PATH, interface: DESTINATION, member, signature, body });
const [app, replaces, icon, summary, body, actions, urgency, timeout] = NOTIFY_ARGS;
const connected = lib.sessionBus({ busAddress: process.env.DBUS_SESSION_BUS_ADDRESS });
const once = () => connected.then((bus) => call(bus, 'Notify', 'susssasa{sv}i', [app, replaces, icon, summary, body, actions, [['urgency', ['y', urgency]]], timeout])
  .then(([id]) => call(bus, 'CloseNotification', 'u', [id])));
twice(once);
`,
  'dbus-next': `
const bus = lib.sessionBus({ busAddress: process.env.DBUS_SESSION_BUS_ADDRESS });
const call = (member, signature, body) => bus.call(new lib.Message({ destination: DESTINATION, path: PATH, interface: DESTINATION, member, signature, body }));
const [app, replaces, icon, summary, body, actions, urgency, timeout] = NOTIFY_ARGS;
const once = () => call('Notify', 'susssasa{sv}i', [app, replaces, icon, summary, body, actions, { urgency: new lib.Variant('y', urgency) }, timeout])
  .then((reply) => call('CloseNotification', 'u', [reply.body[0]]));
twice(once);
`,
};

type Mode = 'carried' | 'load' | 'notify';

interface Probe {
  readonly label: string;
  readonly mode: Mode | 'bare';
  readonly bundle: string;
}

interface Row {
  readonly label: string;
  readonly mode: Probe['mode'];
  readonly wallMs: Summary;
  readonly rssMiB: Summary;
  readonly notifyMs?: Summary;
  readonly againMs?: Summary;
  readonly bundleKiB: number;
  readonly packages: number;
}

function parseOptions(argv: readonly string[]): { runs: number; json: boolean } {
  const { values } = parseArgs({ args: [...argv], options: { runs: { type: 'string' }, json: { type: 'boolean' } } });
  const runs = values.runs === undefined ? DEFAULT_RUNS : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs takes a whole number of runs, not ${String(values.runs)}`);
  return { runs, json: values.json === true };
}

function cacheDir(): string {
  const dir = process.env['VMUX_BENCH_CACHE'] || join(process.env['HOME'] || homedir(), '.cache', 'vmux', 'bench-dbus');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Installs the candidates that are not in the cache yet (exact versions, no install scripts). */
async function installCandidates(dir: string): Promise<void> {
  const missing = CANDIDATES.filter((candidate) => installedVersion(dir, candidate.name) !== candidate.version);
  if (missing.length === 0) return;
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  const specs = missing.map((candidate) => `${candidate.name}@${candidate.version}`);
  process.stderr.write(`bench-dbus: installing ${specs.join(', ')} into ${dir}\n`);
  await new Promise<void>((resolve, reject) => {
    execFile('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--save-exact', ...specs], { cwd: dir, timeout: 10 * 60_000 }, (error, _stdout, stderr) =>
      error === null ? resolve() : reject(new Error(`npm install ${specs.join(' ')} failed: ${stderr.trim() || error.message}`)),
    );
  });
}

function installedVersion(dir: string, name: string): string | undefined {
  try {
    const manifest: unknown = JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8'));
    return typeof manifest === 'object' && manifest !== null && 'version' in manifest && typeof manifest.version === 'string' ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}

/** Bundles one probe as vmuxd is bundled; returns the bundle's path and the npm packages in it. */
async function bundleProbe(dir: string, id: string, source: string, external: readonly string[] = []): Promise<{ bundle: string; packages: number }> {
  const entry = join(dir, `probe-${id}.cjs`);
  const bundle = join(dir, 'bundles', `probe-${id}.cjs`);
  writeFileSync(entry, source);
  const result = await build({
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    metafile: true,
    external: [...external],
    logLevel: 'error',
  });
  const packages = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match?.[1] !== undefined) packages.add(match[1]);
  }
  return { bundle, packages: packages.size };
}

function probeSource(candidate: Candidate | undefined, mode: Probe['mode']): string {
  if (mode === 'carried' && candidate !== undefined) {
    // In the bundle, behind a function never called: vmuxd without --notify.
    return `const load = () => require(${JSON.stringify(candidate.name)});\nprocess.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss, loaded: typeof load === 'undefined' }) + '\\n');\n`;
  }
  const load = candidate === undefined ? 'const lib = undefined;' : `const lib = require(${JSON.stringify(candidate.name)});`;
  if (mode !== 'notify' || candidate === undefined) {
    return `${load}\nprocess.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss, loaded: lib !== undefined }) + '\\n');\n`;
  }
  return `${load}\n${NOTIFY_PREAMBLE}\n${NOTIFY_CALLS[candidate.style]}`;
}

interface Sample {
  readonly wallMs: number;
  readonly rss: number;
  readonly notifyMs?: number;
  readonly againMs?: number;
}

async function runProbe(bundle: string, env: NodeJS.ProcessEnv): Promise<Sample> {
  const result = await run({ file: process.execPath, args: [bundle], env });
  const report: unknown = JSON.parse(result.stdout.trim().split('\n').pop() ?? '');
  if (typeof report !== 'object' || report === null || !('rss' in report) || typeof report.rss !== 'number') {
    throw new Error(`${bundle} printed no RSS: ${result.stdout}`);
  }
  const notifyMs = 'notifyMs' in report && typeof report.notifyMs === 'number' ? report.notifyMs : undefined;
  const againMs = 'againMs' in report && typeof report.againMs === 'number' ? report.againMs : undefined;
  return { wallMs: result.ms, rss: report.rss, ...(notifyMs === undefined ? {} : { notifyMs }), ...(againMs === undefined ? {} : { againMs }) };
}

function formatTable(rows: readonly Row[], runs: number): string {
  const bare = rows.find((row) => row.mode === 'bare');
  const lines = [
    `| library | what the program does | wall ms, median (p90) | RSS MiB, median | + RSS vs bare Node | first notification ms, median | next one ms, median (p90) | bundle KiB | npm packages |`,
    `|---|---|---|---|---|---|---|---|---|`,
  ];
  for (const row of rows) {
    const extra = bare === undefined || row.mode === 'bare' ? '' : `+${round(row.rssMiB.median - bare.rssMiB.median, 1)}`;
    const what = {
      bare: 'nothing (Node alone)',
      carried: 'carries it in the bundle, never loads it',
      load: 'loads it',
      notify: 'loads it, connects, Notify + CloseNotification',
    }[row.mode];
    lines.push(
      `| ${row.label} | ${what} | ${round(row.wallMs.median, 1)} (${round(row.wallMs.p90, 1)}) | ${round(row.rssMiB.median, 1)} | ${extra} | ${row.notifyMs === undefined ? '' : round(row.notifyMs.median, 1)} | ${row.againMs === undefined ? '' : `${round(row.againMs.median, 1)} (${round(row.againMs.p90, 1)})`} | ${row.bundleKiB} | ${row.packages} |`,
    );
  }
  lines.push(
    '',
    `${runs} runs each, interleaved, Node ${process.version}, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}. ` +
      'RSS as each program reports it at its end; a notification is Notify and CloseNotification, each answered by dunst; ' +
      'the first one includes connecting to the bus.',
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const missing = missingPrograms(NOTIFICATION_SERVER_PROGRAMS);
  if (missing.length > 0) {
    throw new Error(`not on PATH: ${missing.join(', ')}; install them (Debian: apt-get install dbus-daemon dbus-bin xvfb dunst)`);
  }
  const dir = cacheDir();
  await installCandidates(dir);

  const probes: Probe[] = [];
  const bundleFacts = new Map<string, { kib: number; packages: number }>();
  const bare = await bundleProbe(dir, 'bare', probeSource(undefined, 'bare'));
  probes.push({ label: 'none', mode: 'bare', bundle: bare.bundle });
  bundleFacts.set(bare.bundle, { kib: Math.round(statSync(bare.bundle).size / 1024), packages: 0 });
  for (const candidate of CANDIDATES) {
    for (const mode of ['carried', 'load', 'notify'] as const) {
      const id = `${candidate.name.replace(/[@/]/g, '_')}-${mode}`;
      const bundled = await bundleProbe(dir, id, probeSource(candidate, mode), candidate.external);
      probes.push({ label: `${candidate.name} ${candidate.version}`, mode, bundle: bundled.bundle });
      bundleFacts.set(bundled.bundle, { kib: Math.round(statSync(bundled.bundle).size / 1024), packages: bundled.packages });
    }
  }

  const bus = await startSessionBus();
  const server = await startDunst(bus).catch(async (error: unknown) => {
    await bus.stop();
    throw error;
  });
  const samples: Sample[][] = probes.map(() => []);
  let transitionMs: Summary | undefined;
  try {
    const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, ...bus.env };
    process.stderr.write(`bench-dbus: ${options.runs} rounds of ${probes.length} programs\n`);
    await interleaveAll(
      options.runs,
      WARMUP_ROUNDS,
      probes.map((probe, i) => async () => {
        const sample = await runProbe(probe.bundle, env);
        samples[i]?.push(sample);
        return sample.wallMs;
      }),
    );
    process.stderr.write(`bench-dbus: ${options.runs * TRANSITIONS_PER_RUN} transitions through vmux's Notifier\n`);
    transitionMs = summarize(await transitionLatencies(bus.env, options.runs * TRANSITIONS_PER_RUN));
  } finally {
    await server.stop();
    await bus.stop();
  }

  const rows: Row[] = probes.map((probe, i) => {
    // The warm-up rounds ran too: only the last `runs` samples count.
    const measured = (samples[i] ?? []).slice(-options.runs);
    const notify = measured.flatMap((sample) => (sample.notifyMs === undefined ? [] : [sample.notifyMs]));
    const again = measured.flatMap((sample) => (sample.againMs === undefined ? [] : [sample.againMs]));
    const facts = bundleFacts.get(probe.bundle) ?? { kib: 0, packages: 0 };
    return {
      label: probe.label,
      mode: probe.mode,
      wallMs: summarize(measured.map((sample) => sample.wallMs)),
      rssMiB: summarize(measured.map((sample) => sample.rss / MIB)),
      ...(notify.length > 0 ? { notifyMs: summarize(notify) } : {}),
      ...(again.length > 0 ? { againMs: summarize(again) } : {}),
      bundleKiB: facts.kib,
      packages: facts.packages,
    };
  });
  const latency = transitionMs === undefined ? '' : `\n\nTransition → notification on the bus (vmux's Notifier, dbus-native, dunst), ${transitionMs.n} transitions: median ${round(transitionMs.median, 1)} ms, p95 ${round(transitionMs.p95, 1)} ms, max ${round(transitionMs.max, 1)} ms (target p95 ≤ 100 ms).`;
  process.stdout.write(
    options.json ? `${JSON.stringify({ node: process.version, runs: options.runs, rows, transitionMs }, null, 2)}\n` : `${formatTable(rows, options.runs)}${latency}\n`,
  );
}

const TRANSITIONS_PER_RUN = 5;

/** A sink that tells when each notification has been put on screen (the server's answer is back). */
class TimedSink implements NotificationSink {
  readonly kind = 'desktop';
  onShown: () => void = () => {};

  constructor(private readonly inner: NotificationSink) {}

  listen(listener: (event: SinkEvent) => void): void {
    this.inner.listen(listener);
  }

  async show(notification: Notification, replaces?: number): Promise<number> {
    const id = await this.inner.show(notification, replaces);
    this.onShown();
    return id;
  }

  close(id: number): Promise<void> {
    return this.inner.close(id);
  }

  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

/** Milliseconds from each transition handed to the Notifier until the server answered its Notify. */
async function transitionLatencies(env: NodeJS.ProcessEnv, count: number): Promise<number[]> {
  const sink = new TimedSink(new FreedesktopNotifications({ env: () => env }));
  // Far apart on its clock: each transition opens its own notification, as in real use.
  let clock = 0;
  const notifier = new Notifier(sink, { now: () => (clock += 10_000) });
  const working: SessionInfo = {
    pid: 1,
    session_id: 'bench',
    cwd: '/home/me/bench',
    git_branch: 'main',
    state: 'working',
    preview: 'Bash: npm test',
    workspace: '',
    reason: 'running tool: Bash',
    unseen: false,
    focused: false,
  };
  const waiting = (i: number): SessionInfo => ({
    ...working,
    state: 'needs_input',
    reason: 'turn ended 1 s ago',
    preview: `Done, round ${i}.`,
    waiting_since: new Date(Date.UTC(2026, 10, 30, 10, 0, i)).toISOString(),
    unseen: true,
  });
  const latencies: number[] = [];
  try {
    notifier.update([working]);
    for (let i = 0; i < count + WARMUP_ROUNDS; i++) {
      const shown = new Promise<number>((resolve) => {
        sink.onShown = () => resolve(performance.now());
      });
      const start = performance.now();
      notifier.update([waiting(i)]);
      const end = await shown;
      if (i >= WARMUP_ROUNDS) latencies.push(end - start);
      notifier.update([working]);
      await notifier.idle();
      if (notifier.problem !== undefined) throw new Error(notifier.problem);
    }
  } finally {
    await notifier.close();
  }
  return latencies;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-dbus: ${messageOf(error)}\n`);
  process.exitCode = 1;
});
