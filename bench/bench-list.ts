import type { FixtureSession } from './fixture-sessions.js';
import { run, timeCommand, vmuxCommand, type Command, type PeakRss } from './measure.js';
import { compare, type Comparison } from './report.js';
import { interleave, interleaveAll, summarize } from './stats.js';

export interface ListFixture {
  /** The `vmux` executable users run (`bin.vmux` of package.json, the bundled CLI). */
  readonly vmux: string;
  /** With `CLAUDE_CONFIG_DIR` pointing at the fixture's config folder. */
  readonly env: NodeJS.ProcessEnv;
  readonly sessions: readonly FixtureSession[];
  /** An empty `.mjs` file: what any ESM entry point costs before it does anything. */
  readonly emptyModule: string;
}

/** SPEC §9: `vmux list --json` scanning by itself (no daemon), 20 sessions, costs at most 1.5 × starting Node at all. */
const LIST_TARGET_RATIO = 1.5;

/** Unrecorded pairs first: the first runs pay for a cold page cache and compile cache. */
const WARMUP_PAIRS = 2;

function commands(fixture: ListFixture): { baseline: Command; subject: Command; floor: Command } {
  return {
    baseline: { file: process.execPath, args: ['-e', '0'], env: fixture.env },
    subject: vmuxCommand(fixture.vmux, ['list', '--json'], fixture.env),
    floor: { file: process.execPath, args: [fixture.emptyModule], env: fixture.env },
  };
}

/**
 * Checks once that vmux sees every fixture session (else the timings would measure a broken
 * vmux), then times it against `node -e 0`, interleaved. An empty ES module is timed in the same
 * rounds, as a second row: the part of the ratio that any ESM entry point pays, vmux or not.
 */
export async function benchListCommand(fixture: ListFixture, runs: number): Promise<{ comparisons: Comparison[]; notes: string[] }> {
  const { baseline, subject, floor } = commands(fixture);
  const notes = checkListOutput(fixture, (await run(subject)).stdout);
  const [baselineMs = [], subjectMs = [], floorMs = []] = await interleaveAll(runs, WARMUP_PAIRS, [
    () => timeCommand(baseline),
    () => timeCommand(subject),
    () => timeCommand(floor),
  ]);
  const b = summarize(baselineMs);
  const s = summarize(subjectMs);
  const f = summarize(floorMs);
  return {
    comparisons: [
      compare({
        id: 'list-json',
        title: `vmux list --json, ${fixture.sessions.length} live sessions`,
        unit: 'ms',
        baseline: { label: 'node -e 0', summary: b },
        subject: { label: 'vmux list --json', summary: s },
        target: LIST_TARGET_RATIO,
      }),
      compare({
        id: 'empty-esm-floor',
        title: '(reference) an empty ES module',
        unit: 'ms',
        baseline: { label: 'node -e 0', summary: b },
        subject: { label: 'node empty.mjs', summary: f },
      }),
    ],
    notes,
  };
}

/** Peak RSS of one whole `vmux list --json` process against one `node -e 0`. */
export async function benchListPeakRss(fixture: ListFixture, rss: PeakRss, runs: number): Promise<Comparison> {
  const { baseline, subject } = commands(fixture);
  const samples = await interleave(runs, 0, async () => (await rss.measure(baseline)) / 1024, async () => (await rss.measure(subject)) / 1024);
  const b = summarize(samples.baseline);
  const s = summarize(samples.subject);
  return compare({
    id: 'list-json-peak-rss',
    title: `peak RSS, vmux list --json (${rss.method})`,
    unit: 'MiB',
    baseline: { label: 'node -e 0', summary: b },
    subject: { label: 'vmux list --json', summary: s },
  });
}

interface ListedSession {
  readonly pid: number;
  readonly session_id?: string;
  readonly state?: string;
}

/**
 * Fails the harness when a fixture PID is missing (vmux is broken); reports, without failing,
 * how many sessions were tied to the right transcript, and the states seen.
 */
function checkListOutput(fixture: ListFixture, stdout: string): string[] {
  let listed: ListedSession[];
  try {
    listed = JSON.parse(stdout) as ListedSession[];
  } catch (error) {
    throw new Error(`vmux list --json printed no JSON array: ${stdout.slice(0, 500)}`, { cause: error });
  }
  if (!Array.isArray(listed)) throw new Error('vmux list --json printed JSON that is not an array');
  const byPid = new Map(listed.map((session) => [session.pid, session]));
  const missing = fixture.sessions.filter((session) => !byPid.has(session.pid)).map((session) => session.pid);
  if (missing.length > 0) {
    throw new Error(`vmux list --json missed ${missing.length} of the ${fixture.sessions.length} fixture sessions (PIDs ${missing.join(', ')}): vmux is broken`);
  }
  const matched = fixture.sessions.filter((session) => byPid.get(session.pid)?.session_id === session.sessionId).length;
  const states = new Map<string, number>();
  for (const session of fixture.sessions) {
    const state = byPid.get(session.pid)?.state ?? '?';
    states.set(state, (states.get(state) ?? 0) + 1);
  }
  const stateList = [...states.entries()].map(([state, n]) => `${n} ${state}`).join(', ');
  return [
    `vmux listed ${listed.length} sessions (all ${fixture.sessions.length} fixture PIDs among them; others are real processes on this machine)`,
    `fixture sessions tied to their own transcript: ${matched}/${fixture.sessions.length}; states: ${stateList}`,
  ];
}
