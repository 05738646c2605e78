import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cleanup } from './cleanup.js';
import { encodeCwd, procStartOf, startClaudeProcesses } from './fixture-sessions.js';
import { run, timeCommand, vmuxCommand, type Command } from './measure.js';
import { compare, type Comparison } from './report.js';
import { interleaveAll, summarize } from './stats.js';
import { Random } from './synthetic-transcript.js';

/** A scan should not notice folders that belong to no live session. */
const FOLDERS_TARGET_RATIO = 1.2;
const WARMUP_PAIRS = 2;

export interface FoldersBenchOptions {
  /** The `vmux` executable users run. */
  readonly vmux: string;
  readonly env: NodeJS.ProcessEnv;
  readonly scratch: string;
  readonly cleanup: Cleanup;
  readonly runs: number;
  /** Project folders in the small and the large `projects/`. */
  readonly fewFolders: number;
  readonly manyFolders: number;
  /** Live sessions whose sessions file names a transcript not written yet. */
  readonly freshSessions: number;
}

/**
 * `vmux list --json` (no daemon) with a few fresh sessions — a sessions file names each one's id,
 * but no prompt has been sent, so no transcript exists yet — against two Claude config folders
 * that differ only in how many unrelated project folders `projects/` holds. The same processes
 * and sessions files serve both; the two runs are interleaved.
 */
export async function benchProjectFolders(options: FoldersBenchOptions): Promise<{ comparisons: Comparison[]; notes: string[] }> {
  const { scratch, cleanup } = options;
  const random = new Random(7_777);
  const cwds: string[] = [];
  for (let i = 0; i < options.freshSessions; i++) {
    const cwd = join(scratch, 'work', `fresh-${i}`);
    mkdirSync(cwd, { recursive: true });
    cwds.push(cwd);
  }
  const pids = await startClaudeProcesses(scratch, cwds, cleanup);
  const sessionIds = cwds.map(() => random.uuid());
  const few = join(scratch, `claude-${options.fewFolders}`);
  const many = join(scratch, `claude-${options.manyFolders}`);
  const started = performance.now();
  for (const [claudeDir, folders] of [
    [few, options.fewFolders],
    [many, options.manyFolders],
  ] as const) {
    writeUnrelatedFolders(join(claudeDir, 'projects'), folders, random);
    mkdirSync(join(claudeDir, 'sessions'), { recursive: true });
    for (const [i, pid] of pids.entries()) {
      const cwd = cwds[i] ?? '';
      // Every other session runs in a folder used before: its project folder exists, with an older conversation.
      if (i % 2 === 1) writeTranscriptStub(join(claudeDir, 'projects', encodeCwd(cwd)), random.uuid());
      const now = Date.now();
      const record = { pid, sessionId: sessionIds[i], cwd, startedAt: now, procStart: procStartOf(pid), version: '2.1.197', kind: 'interactive', status: 'idle', updatedAt: now, statusUpdatedAt: now };
      writeFileSync(join(claudeDir, 'sessions', `${pid}.json`), JSON.stringify(record));
    }
  }
  const setupSeconds = (performance.now() - started) / 1000;

  const list = (claudeDir: string): Command => vmuxCommand(options.vmux, ['list', '--json'], { ...options.env, CLAUDE_CONFIG_DIR: claudeDir });
  for (const claudeDir of [few, many]) checkFreshSessions((await run(list(claudeDir))).stdout, pids, sessionIds);
  const baseline: Command = { file: process.execPath, args: ['-e', '0'], env: options.env };
  const [b = [], f = [], m = []] = await interleaveAll(options.runs, WARMUP_PAIRS, [
    () => timeCommand(baseline),
    () => timeCommand(list(few)),
    () => timeCommand(list(many)),
  ]);
  const bs = summarize(b);
  const fs = summarize(f);
  const ms = summarize(m);
  const label = (folders: number) => `${folders.toLocaleString('en')} folders`;
  return {
    comparisons: [
      compare({
        id: 'list-json-project-folders',
        title: `vmux list --json, ${options.freshSessions} fresh sessions, ${label(options.manyFolders)} vs ${label(options.fewFolders)} in projects/`,
        unit: 'ms',
        baseline: { label: label(options.fewFolders), summary: fs },
        subject: { label: label(options.manyFolders), summary: ms },
        target: FOLDERS_TARGET_RATIO,
      }),
      compare({
        id: 'list-json-project-folders-vs-node',
        title: `(reference) the same rounds, ${label(options.manyFolders)}, against node -e 0`,
        unit: 'ms',
        baseline: { label: 'node -e 0', summary: bs },
        subject: { label: label(options.manyFolders), summary: ms },
      }),
    ],
    notes: [
      `project folders: ${options.freshSessions} live sessions whose sessions files name transcripts not written yet, ` +
        `listed with ${label(options.fewFolders)} and with ${label(options.manyFolders)} (one small transcript each) in projects/; written in ${setupSeconds.toFixed(1)} s`,
    ],
  };
}

/** Unrelated project folders, each with one small conversation, named like real ones. */
function writeUnrelatedFolders(projects: string, count: number, random: Random): void {
  for (let i = 0; i < count; i++) writeTranscriptStub(join(projects, `-home-someone-src-project-${i}`), random.uuid());
}

function writeTranscriptStub(folder: string, sessionId: string): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${sessionId}.jsonl`), `${JSON.stringify({ type: 'user', sessionId, message: { role: 'user', content: 'hello' } })}\n`);
}

/** Fails the harness unless every fresh session is listed with the id its sessions file names. */
function checkFreshSessions(stdout: string, pids: readonly number[], sessionIds: readonly string[]): void {
  const listed = JSON.parse(stdout) as Array<{ pid: number; session_id?: string }>;
  const byPid = new Map(listed.map((s) => [s.pid, s.session_id]));
  pids.forEach((pid, i) => {
    if (byPid.get(pid) !== sessionIds[i]) throw new Error(`vmux list --json did not list fresh session ${pid} with its id ${sessionIds[i]}: vmux is broken`);
  });
}
