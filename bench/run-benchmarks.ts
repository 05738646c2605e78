/**
 * vmux's benchmarks (`npm run bench`): figures, not pass/fail tests. The machines are shared and
 * noisy, so each figure is a ratio against a baseline measured in the same run, baseline and
 * subject interleaved, medians and p90s of many runs. Targets are shown with ✓/✗ beside the
 * figures; the exit code is 0 unless the harness itself fails.
 *
 *   npm run bench                      table on stdout
 *   npm run bench -- --json            JSON object on stdout (progress and table on stderr)
 *   npm run bench -- --runs 40         more runs per figure
 *   npm run bench -- --cpu-prof DIR    also profile one `vmux list --json` and print the hottest functions
 *   npm run bench -- --idle-seconds 10 a shorter idle-daemon window (default 60)
 *   npm run bench -- --transitions 50  transcript appends timed to the subscriber's event
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchAppendToEvent, benchIdleDaemon, benchListViaDaemon, startBenchDaemon } from './bench-daemon.js';
import { benchSwitch } from './bench-switch.js';
import { benchListCommand, benchListPeakRss, type ListFixture } from './bench-list.js';
import { benchTailRead, benchTailReadPeakRss, prepareTailFiles } from './bench-tail-read.js';
import { MIB } from './big-transcript.js';
import { Cleanup } from './cleanup.js';
import { hottestFunctions } from './cpu-profile.js';
import { startFixtureSessions } from './fixture-sessions.js';
import { PeakRss, run } from './measure.js';
import { formatJson, formatTable, type Comparison, type Measurement } from './report.js';
import { messageOf } from '../src/errors.js';

interface Options {
  readonly runs: number;
  readonly tailIterations: number;
  readonly sessions: number;
  readonly idleSeconds: number;
  readonly idleSessions: number;
  readonly transitions: number;
  readonly json: boolean;
  readonly cpuProfDir: string | undefined;
}

const USAGE =
  'usage: run-benchmarks [--runs N] [--tail-iterations N] [--sessions N] [--idle-seconds N] [--idle-sessions N] [--transitions N] [--json] [--cpu-prof DIR]\n';

const FLAGS = {
  runs: { type: 'string', default: '20' },
  'tail-iterations': { type: 'string', default: '200' },
  sessions: { type: 'string', default: '20' },
  'idle-seconds': { type: 'string', default: '60' },
  'idle-sessions': { type: 'string', default: '50' },
  transitions: { type: 'string', default: '50' },
  json: { type: 'boolean', default: false },
  'cpu-prof': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

interface Flags {
  readonly runs: string;
  readonly 'tail-iterations': string;
  readonly sessions: string;
  readonly 'idle-seconds': string;
  readonly 'idle-sessions': string;
  readonly transitions: string;
  readonly json: boolean;
  readonly 'cpu-prof'?: string | undefined;
  readonly help: boolean;
}

/** A wrong command line: reported without a stack trace. */
class UsageError extends Error {}

function parseOptions(argv: readonly string[]): Options {
  const values = parseFlags(argv);
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  return {
    runs: positiveInt(values.runs, '--runs'),
    tailIterations: positiveInt(values['tail-iterations'], '--tail-iterations'),
    sessions: positiveInt(values.sessions, '--sessions'),
    idleSeconds: positiveInt(values['idle-seconds'], '--idle-seconds'),
    idleSessions: positiveInt(values['idle-sessions'], '--idle-sessions'),
    transitions: positiveInt(values.transitions, '--transitions'),
    json: values.json,
    cpuProfDir: values['cpu-prof'],
  };
}

function parseFlags(argv: readonly string[]): Flags {
  try {
    return parseArgs({ args: [...argv], options: FLAGS, strict: true }).values;
  } catch (error) {
    throw new UsageError(`${messageOf(error)}\n${USAGE}`);
  }
}

function positiveInt(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new UsageError(`${flag} wants a positive integer, not "${text}"\n${USAGE}`);
  return value;
}

/** Progress goes to stderr, so stdout holds only the table or the JSON. */
function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const cleanup = new Cleanup();
  cleanup.installProcessHooks();
  const startedAt = Date.now();
  // Real path: /proc shows processes' cwds resolved, and vmux compares them with the sessions files.
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'vmux-bench-')));
  cleanup.add(() => rmSync(root, { recursive: true, force: true }));
  const notes: string[] = [];
  const comparisons: Comparison[] = [];
  const measurements: Measurement[] = [];

  // What users run: the bundled executable named by package.json's `bin`.
  const vmux = fileURLToPath(new URL('../vmux.cjs', import.meta.url));
  progress(`starting ${options.sessions} fixture sessions in ${root}`);
  const sessionFixture = await startFixtureSessions({ count: options.sessions, root, cleanup });
  // VMUX_HOME with no daemon in it: `vmux list` scans by itself, whatever runs in the user's ~/.vmux.
  const env: NodeJS.ProcessEnv = { ...process.env, CLAUDE_CONFIG_DIR: sessionFixture.claudeDir, VMUX_HOME: join(root, 'no-daemon') };
  // vmux's debug output (NODE_DEBUG=vmux:*) would be timed too. NODE_EXTRA_CA_CERTS (set on some
  // machines) makes every Node start load a certificate file, ~45 ms here: it would hide vmux's own
  // cost inside the baseline's, so both sides run without it, as on most desktops.
  delete env['NODE_DEBUG'];
  delete env['NODE_EXTRA_CA_CERTS'];
  delete env['NODE_OPTIONS'];
  const emptyModule = join(root, 'empty.mjs');
  writeFileSync(emptyModule, '');
  const fixture: ListFixture = { vmux, env, sessions: sessionFixture.sessions, emptyModule };

  progress(`vmux list --json vs node -e 0 (and an empty ES module), ${options.runs} runs each, interleaved`);
  const list = await benchListCommand(fixture, options.runs);
  comparisons.push(...list.comparisons);
  notes.push(...list.notes);

  const rss = await PeakRss.detect(root);
  progress(`peak RSS (${rss.method})`);
  comparisons.push(await benchListPeakRss(fixture, rss, Math.min(options.runs, 7)));

  progress('starting vmuxd (default 5 s poll) on the same fixture');
  const daemon = await startBenchDaemon(join(root, 'vmux-home'), sessionFixture.claudeDir, cleanup);
  progress(`vmux list --json via vmuxd vs node -e 0, ${options.runs} runs each, interleaved`);
  const viaDaemon = await benchListViaDaemon(fixture, daemon, root, options.runs);
  comparisons.push(...viaDaemon.comparisons);
  notes.push(...viaDaemon.notes);
  progress(`transcript append → subscriber event, ${options.transitions} transitions`);
  const append = await benchAppendToEvent(daemon, sessionFixture.claudeDir, sessionFixture.sessions, options.transitions);
  measurements.push(append.measurement);
  notes.push(...append.notes);
  await daemon.stop();

  const tailDir = join(root, 'tail');
  mkdirSync(tailDir);
  progress('writing the 1 MB and 1 GB transcripts');
  const files = prepareTailFiles(tailDir, cleanup);
  if (files.note) notes.push(files.note);
  notes.push(`${(files.bigBytes / MIB).toFixed(0)} MiB transcript written in ${files.writeSeconds.toFixed(1)} s (1 MB one: ${(files.smallBytes / MIB).toFixed(2)} MiB); removed after use`);
  progress(`tail read of ${files.bigLabel} vs 1 MB, ${options.tailIterations} iterations each, interleaved`);
  const tail = await benchTailRead(files, options.tailIterations);
  comparisons.push(tail.comparison);
  notes.push(...tail.notes);
  progress('peak RSS of one tail read, each in a fresh process');
  const probe = fileURLToPath(new URL('./tail-read-probe.js', import.meta.url));
  const tailRss = await benchTailReadPeakRss(files, probe, 5);
  comparisons.push(tailRss.comparison);
  notes.push(...tailRss.notes);
  files.removeBig();

  const idle = await benchIdleDaemon(join(root, 'idle'), cleanup, options.idleSeconds, options.idleSessions, progress);
  measurements.push(...idle.measurements);
  notes.push(...idle.notes);

  progress(`vmux switch on a real i3 under Xvfb, ${options.runs} runs, interleaved with node -e 0`);
  const switching = await benchSwitch(vmux, options.runs, join(root, 'switch'));
  comparisons.push(...switching.comparisons);
  measurements.push(...switching.measurements);
  notes.push(...switching.notes);

  let hot: ReturnType<typeof hottestFunctions> | undefined;
  if (options.cpuProfDir !== undefined) {
    const dir = join(options.cpuProfDir, `vmux-list-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    // Sampling every 100 µs rather than the default 1 ms: the whole run lasts only ~100 ms.
    await run({ file: process.execPath, args: ['--cpu-prof', '--cpu-prof-interval', '100', `--cpu-prof-dir=${dir}`, vmux, 'list', '--json'], env });
    hot = hottestFunctions(dir);
    notes.push(`CPU profile of one vmux list --json written to ${dir}`);
  }

  const context = {
    node: process.version,
    loadAverage: loadavg(),
    runs: options.runs,
    tailIterations: options.tailIterations,
    rssMethod: rss.method,
    sessions: options.sessions,
    transcriptMiB: sessionFixture.sessions.reduce((sum, s) => sum + s.transcriptBytes, 0) / 2 ** 20,
    seconds: (Date.now() - startedAt) / 1000,
  };
  const table = formatTable(comparisons, notes, context, hot, measurements);
  if (options.json) {
    process.stderr.write(table);
    process.stdout.write(formatJson(comparisons, notes, context, hot, measurements));
  } else {
    process.stdout.write(table);
  }
}

try {
  await main();
} catch (error) {
  // The harness failed (vmux broken, fixture could not start…): exit 1; the exit hook cleans up.
  const detail = error instanceof UsageError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`bench failed: ${detail}\n`);
  process.exitCode = 1;
}
