/**
 * vmux's benchmarks (`npm run bench`): figures, not pass/fail tests. The machines are shared and
 * noisy, so each figure is a ratio against a baseline measured in the same run, baseline and
 * subject interleaved, medians and p90s of many runs. Targets are shown with ✓/✗ beside the
 * figures; the exit code is 0 unless the harness itself fails.
 *
 *   npm run bench                      table on stdout
 *   npm run bench -- --json            JSON object on stdout (progress and table on stderr)
 *   npm run bench -- --runs 40         more runs per figure
 *   npm run bench -- --cpu-prof DIR    also profile one `vmux list --json` (and vmuxd at rest, with the idle
 *                                      group) and print the hottest functions
 *   npm run bench -- --idle-seconds 10 a shorter idle-daemon window (default 60; also the bar client's)
 *   npm run bench -- --transitions 50  transcript appends timed to the subscriber's event (and finished turns to
 *                                      their notification and bar line)
 *   npm run bench -- --folders 20000   unrelated project folders for the scan-cost figure (against 200)
 *   npm run bench -- --only idle,folders  only these groups: list, daemon, tail, idle, attention, switch, folders
 *   npm run bench -- --markdown        the README's Performance section on stdout (table and notes on stderr)
 *   npm run bench -- --write-readme    and written into README.md, between <!-- bench:start --> and <!-- bench:end -->
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchAttention } from './bench-attention.js';
import { benchAppendToEvent, benchIdleDaemon, benchListViaDaemon, startBenchDaemon } from './bench-daemon.js';
import { benchProjectFolders } from './bench-folders.js';
import { benchSwitch } from './bench-switch.js';
import { benchListCommand, benchListPeakRss, type ListFixture } from './bench-list.js';
import { benchTailRead, benchTailReadPeakRss, prepareTailFiles } from './bench-tail-read.js';
import { MIB } from './big-transcript.js';
import { Cleanup } from './cleanup.js';
import { hottestFunctions } from './cpu-profile.js';
import { startFixtureSessions } from './fixture-sessions.js';
import { PeakRss, run, withNodeOnPath } from './measure.js';
import { readmeSection, replaceSection, writeReadmeSection } from './write-readme-table.js';
import { formatJson, formatTable, type Comparison, type HotProfile, type Measurement, type RunContext } from './report.js';
import { messageOf } from '../src/errors.js';
import { SCAN_NODE_OPTIONS } from '../src/lean-runtime.js';

interface Options {
  readonly runs: number;
  readonly tailIterations: number;
  readonly sessions: number;
  readonly idleSeconds: number;
  readonly idleSessions: number;
  readonly transitions: number;
  readonly folders: number;
  readonly only: ReadonlySet<Group>;
  readonly json: boolean;
  readonly markdown: boolean;
  readonly writeReadme: boolean;
  readonly cpuProfDir: string | undefined;
}

/** The benchmarks, in the order they run; `--only` picks some. */
const GROUPS = ['list', 'daemon', 'tail', 'idle', 'attention', 'switch', 'folders'] as const;
type Group = (typeof GROUPS)[number];

/** The small `projects/` the large one is compared with. */
const FEW_FOLDERS = 200;
const FRESH_SESSIONS = 5;

const USAGE =
  'usage: run-benchmarks [--runs N] [--tail-iterations N] [--sessions N] [--idle-seconds N] [--idle-sessions N] [--transitions N] [--folders N]\n' +
  `                      [--only ${GROUPS.join(',')}] [--json | --markdown] [--write-readme] [--cpu-prof DIR]\n`;

const FLAGS = {
  runs: { type: 'string', default: '20' },
  'tail-iterations': { type: 'string', default: '200' },
  sessions: { type: 'string', default: '20' },
  'idle-seconds': { type: 'string', default: '60' },
  'idle-sessions': { type: 'string', default: '50' },
  transitions: { type: 'string', default: '50' },
  folders: { type: 'string', default: '20000' },
  only: { type: 'string', default: GROUPS.join(',') },
  json: { type: 'boolean', default: false },
  markdown: { type: 'boolean', default: false },
  'write-readme': { type: 'boolean', default: false },
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
  readonly folders: string;
  readonly only: string;
  readonly json: boolean;
  readonly markdown: boolean;
  readonly 'write-readme': boolean;
  readonly 'cpu-prof'?: string | undefined;
  readonly help: boolean;
}

/** A wrong command line: reported without a stack trace. */
class UsageError extends Error {}

function parseOptions(argv: readonly string[]): Options {
  const values = parseFlags(argv);
  if (values.json && values.markdown) throw new UsageError(`--json and --markdown both want stdout: pick one\n${USAGE}`);
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
    folders: positiveInt(values.folders, '--folders'),
    only: groupsOf(values.only),
    json: values.json,
    markdown: values.markdown,
    writeReadme: values['write-readme'],
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

function groupsOf(text: string): Set<Group> {
  const groups = new Set<Group>();
  for (const name of text.split(',')) {
    const group = GROUPS.find((g) => g === name.trim());
    if (group === undefined) throw new UsageError(`--only takes some of ${GROUPS.join(',')}, not "${name}"\n${USAGE}`);
    groups.add(group);
  }
  return groups;
}

/** Progress goes to stderr, so stdout holds only the table or the JSON. */
function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** The repository's README, from `dist/bench/`. */
const README = fileURLToPath(new URL('../../README.md', import.meta.url));

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseOptions(argv);
  // Before the long run, not after it: a README without the markers is not written.
  if (options.writeReadme) {
    try {
      replaceSection(readFileSync(README, 'utf8'), '');
    } catch (error) {
      throw new UsageError(`--write-readme: ${messageOf(error)}\n`);
    }
  }
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
  const wants = (group: Group) => options.only.has(group);
  // The list and daemon figures share one fixture of live sessions with transcripts.
  const needsFixture = wants('list') || wants('daemon');
  if (needsFixture) progress(`starting ${options.sessions} fixture sessions in ${root}`);
  const sessionFixture = needsFixture ? await startFixtureSessions({ count: options.sessions, root, cleanup }) : undefined;
  // VMUX_HOME with no daemon in it: `vmux list` scans by itself, whatever runs in the user's ~/.vmux.
  // Caches (code, saved tails) and config of the bench's own: the user's are neither used nor filled.
  const env: NodeJS.ProcessEnv = withNodeOnPath({
    ...process.env,
    CLAUDE_CONFIG_DIR: sessionFixture?.claudeDir ?? join(root, 'no-claude-config'),
    VMUX_HOME: join(root, 'no-daemon'),
    XDG_CACHE_HOME: join(root, 'cache'),
    XDG_CONFIG_HOME: join(root, 'config'),
  });
  // vmux's debug output (NODE_DEBUG=vmux:*) would be timed too. NODE_EXTRA_CA_CERTS (set on some
  // machines) makes every Node start load a certificate file, ~45 ms here: it would hide vmux's own
  // cost inside the baseline's, so both sides run without it, as on most desktops.
  delete env['NODE_DEBUG'];
  delete env['NODE_EXTRA_CA_CERTS'];
  delete env['NODE_OPTIONS'];
  const emptyModule = join(root, 'empty.mjs');
  writeFileSync(emptyModule, '');
  const fixture: ListFixture | undefined = sessionFixture && { vmux, env, sessions: sessionFixture.sessions, emptyModule };

  let rssMethod: string | undefined;
  if (wants('list') && fixture) {
    progress(`vmux list --json vs node -e 0 (and an empty ES module), ${options.runs} runs each, interleaved`);
    const list = await benchListCommand(fixture, options.runs);
    comparisons.push(...list.comparisons);
    notes.push(...list.notes);

    const rss = await PeakRss.detect(root);
    rssMethod = rss.method;
    progress(`peak RSS (${rss.method})`);
    comparisons.push(await benchListPeakRss(fixture, rss, Math.min(options.runs, 7)));
  }

  if (wants('daemon') && fixture && sessionFixture) {
    progress('starting vmuxd (default 5 s poll) on the same fixture');
    const daemon = await startBenchDaemon(join(root, 'vmux-home'), sessionFixture.claudeDir, cleanup);
    progress(`vmux list --json via vmuxd vs a bare socket client, ${options.runs} runs each, interleaved`);
    const viaDaemon = await benchListViaDaemon(fixture, daemon, root, options.runs);
    comparisons.push(...viaDaemon.comparisons);
    notes.push(...viaDaemon.notes);
    progress(`transcript append → subscriber event, ${options.transitions} transitions`);
    const append = await benchAppendToEvent(daemon, sessionFixture.claudeDir, sessionFixture.sessions, options.transitions);
    measurements.push(append.measurement);
    notes.push(...append.notes);
    await daemon.stop();
  }
  sessionFixture?.stop();

  const profiles: HotProfile[] = [];
  if (wants('idle')) {
    const idle = await benchIdleDaemon(join(root, 'idle'), cleanup, options.idleSeconds, options.idleSessions, progress, options.cpuProfDir);
    measurements.push(...idle.measurements);
    notes.push(...idle.notes);
    if (idle.hot) profiles.push({ what: `vmuxd at rest, ${options.idleSessions} sessions, ${options.idleSeconds} s`, ...idle.hot });
  }

  if (wants('attention')) {
    const attention = await benchAttention({
      vmux,
      scratch: join(root, 'attention'),
      cleanup,
      sessions: options.sessions,
      transitions: options.transitions,
      quietSeconds: options.idleSeconds,
      progress,
    });
    measurements.push(...attention.measurements);
    notes.push(...attention.notes);
  }

  if (wants('switch')) {
    progress(`vmux switch on a real i3 under Xvfb, ${options.runs} runs, interleaved with node -e 0`);
    const switching = await benchSwitch(vmux, options.runs, join(root, 'switch'));
    comparisons.push(...switching.comparisons);
    measurements.push(...switching.measurements);
    notes.push(...switching.notes);
  }

  if (wants('folders')) {
    progress(`vmux list --json with ${options.folders} vs ${FEW_FOLDERS} project folders, ${FRESH_SESSIONS} fresh sessions, ${options.runs} runs each, interleaved`);
    const folders = await benchProjectFolders({
      vmux,
      env,
      scratch: join(root, 'folders'),
      cleanup,
      runs: options.runs,
      fewFolders: FEW_FOLDERS,
      manyFolders: options.folders,
      freshSessions: FRESH_SESSIONS,
    });
    comparisons.push(...folders.comparisons);
    notes.push(...folders.notes);
  }

  // Last: writing and removing a 1 GB file leaves the machine busy for a while (write-back), which
  // the timings above would feel.
  if (wants('tail')) {
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
  }

  if (options.cpuProfDir !== undefined && wants('list')) {
    const dir = join(options.cpuProfDir, `vmux-list-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    // Sampling every 100 µs rather than the default 1 ms: the whole run lasts only ~100 ms.
    await run({ file: process.execPath, args: [...SCAN_NODE_OPTIONS, '--cpu-prof', '--cpu-prof-interval', '100', `--cpu-prof-dir=${dir}`, vmux, 'list', '--json'], env });
    profiles.push({ what: 'one vmux list --json', ...hottestFunctions(dir) });
    notes.push(`CPU profile of one vmux list --json written to ${dir}`);
  }

  const context: RunContext = {
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    loadAverage: loadavg(),
    command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
    runs: options.runs,
    ...(wants('tail') ? { tailIterations: options.tailIterations } : {}),
    ...(rssMethod !== undefined ? { rssMethod } : {}),
    ...(sessionFixture
      ? { listFixture: { sessions: options.sessions, transcriptMiB: sessionFixture.sessions.reduce((sum, s) => sum + s.transcriptBytes, 0) / 2 ** 20 } }
      : {}),
    seconds: (Date.now() - startedAt) / 1000,
  };
  const table = formatTable(comparisons, notes, context, profiles, measurements);
  const section = readmeSection(comparisons, measurements, context, new Date());
  if (options.json) {
    process.stderr.write(table);
    process.stdout.write(formatJson(comparisons, notes, context, profiles, measurements));
  } else if (options.markdown) {
    process.stderr.write(table);
    process.stdout.write(section);
  } else {
    process.stdout.write(table);
  }
  if (options.writeReadme) {
    writeReadmeSection(README, section);
    progress(`Performance section written to ${README}`);
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
