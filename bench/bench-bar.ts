/**
 * What one status-bar client costs at rest: `vmux bar --format waybar` (the bundled `vmux`, as a
 * bar runs it) following a vmuxd that serves fixture sessions, its RSS and CPU over a quiet
 * window, beside a bare Node process that only waits (the floor for any Node client). A bar runs
 * once per monitor, so this is paid per monitor.
 *
 *   npm run build && node dist/bench/bench-bar.js [--seconds 60] [--sessions 20]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { VMUX } from '../test/support/run-vmux.js';
import { readRssKib, startVmuxd } from '../test/support/vmuxd-process.js';
import { Cleanup } from './cleanup.js';
import { startFixtureSessions } from './fixture-sessions.js';
import { readCpuNs } from './measure.js';

/** The bar: a Node client heavier than this should give way to something cheaper. */
const RSS_CEILING_MIB = 40;
/** Left to the process after its first line, before the quiet window starts. */
const SETTLE_MS = 3_000;
const SAMPLE_EVERY_MS = 1_000;

interface Sample {
  readonly name: string;
  readonly rssMib: { readonly first: number; readonly last: number; readonly max: number };
  /** At the end: memory no other process shares (what one more bar adds), and the proportional share. */
  readonly privateMib: number;
  readonly pssMib: number;
  readonly cpuPercent: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, sessions: { type: 'string', default: '20' } } });
  const seconds = Number(values.seconds);
  const sessionCount = Number(values.sessions);
  const cleanup = new Cleanup();
  cleanup.installProcessHooks();
  const root = mkdtempSync(join(tmpdir(), 'vmux-bench-bar-'));
  cleanup.add(() => rmSync(root, { recursive: true, force: true }));

  const fixture = await startFixtureSessions({ count: sessionCount, root, cleanup });
  const home = join(root, 'vmux-home');
  const daemon = await startVmuxd({ home, claudeDir: fixture.claudeDir, userHome: root });
  cleanup.add(() => killQuietly(daemon.pid));
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: root, VMUX_HOME: home, CLAUDE_CONFIG_DIR: fixture.claudeDir };

  const bar = spawn(process.execPath, [VMUX, 'bar', '--format', 'waybar'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const idleNode = spawn(process.execPath, ['-e', 'setInterval(() => {}, 2 ** 30)'], { stdio: 'ignore' });
  for (const child of [bar, idleNode]) cleanup.add(() => killQuietly(child.pid));
  let lines = 0;
  let lastLine = '';
  bar.stdout?.setEncoding('utf8');
  bar.stdout?.on('data', (text: string) => {
    for (const line of text.split('\n').filter(Boolean)) {
      lines++;
      lastLine = line;
    }
  });
  while (lines === 0) await delay(20);
  const linesAtStart = lines;
  await delay(SETTLE_MS);

  process.stderr.write(`measuring for ${seconds} s (${sessionCount} fixture sessions; first line ${lastLine.slice(0, 60)}…)\n`);
  const samples = await measureTogether([{ name: 'vmux bar --format waybar', child: bar }, { name: 'node, waiting (the floor)', child: idleNode }], seconds * 1000);
  const daemonRss = readRssKib(daemon.pid) / 1024;

  const rows = samples.map(
    (s) => `| ${s.name} | ${s.rssMib.first.toFixed(1)} | ${s.rssMib.last.toFixed(1)} | ${s.rssMib.max.toFixed(1)} | ${s.privateMib.toFixed(1)} | ${s.pssMib.toFixed(1)} | ${s.cpuPercent.toFixed(3)} |`,
  );
  process.stdout.write(
    [
      `| process | RSS at start (MiB) | RSS at end (MiB) | RSS max (MiB) | private at end (MiB) | PSS at end (MiB) | CPU over ${seconds} s (% of a core) |`,
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
      `bar lines printed while quiet: ${lines - linesAtStart} (a line only when it changes); vmuxd RSS ${daemonRss.toFixed(1)} MiB`,
      `node ${process.version}, ${sessionCount} sessions; ceiling for one bar client: ${RSS_CEILING_MIB} MiB`,
      '',
    ].join('\n'),
  );
  cleanup.runAll();
}

/** Samples every process each second over the same window: RSS, and CPU time from first to last sample. */
async function measureTogether(processes: readonly { name: string; child: ChildProcess }[], windowMs: number): Promise<Sample[]> {
  const pids = processes.map(({ child }) => child.pid ?? 0);
  const cpuAtStart = pids.map((pid) => readCpuNs(pid) ?? 0);
  const rss: number[][] = pids.map(() => []);
  const started = process.hrtime.bigint();
  for (let elapsed = 0; elapsed < windowMs; elapsed += SAMPLE_EVERY_MS) {
    pids.forEach((pid, i) => rss[i]?.push(readRssKib(pid) / 1024));
    await delay(SAMPLE_EVERY_MS);
  }
  const wallNs = Number(process.hrtime.bigint() - started);
  return processes.map(({ name }, i) => {
    const series = rss[i] ?? [0];
    const cpuNs = (readCpuNs(pids[i] ?? 0) ?? 0) - (cpuAtStart[i] ?? 0);
    const memory = smapsRollupKib(pids[i] ?? 0);
    return {
      name,
      rssMib: { first: series[0] ?? 0, last: series.at(-1) ?? 0, max: Math.max(...series) },
      privateMib: ((memory['Private_Clean'] ?? 0) + (memory['Private_Dirty'] ?? 0)) / 1024,
      pssMib: (memory['Pss'] ?? 0) / 1024,
      cpuPercent: (100 * cpuNs) / wallNs,
    };
  });
}

/** The kB fields of `/proc/<pid>/smaps_rollup` (Pss, Private_Clean, Private_Dirty…). */
function smapsRollupKib(pid: number): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const match of readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').matchAll(/^(\w+):\s+(\d+) kB$/gm)) {
    if (match[1] !== undefined) fields[match[1]] = Number(match[2]);
  }
  return fields;
}

function killQuietly(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

await main();
