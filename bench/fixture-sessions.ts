import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Cleanup } from './cleanup.js';
import { Random, SyntheticTranscript, TRANSCRIPT_ENDINGS, type TranscriptEnding } from './synthetic-transcript.js';

/** One live process that `/proc` shows as Claude Code, with its transcript on disk. */
export interface FixtureSession {
  readonly pid: number;
  readonly cwd: string;
  readonly sessionId: string;
  /** Whether `sessions/<pid>.json` names it; the others must be found by transcript matching. */
  readonly hasSessionFile: boolean;
  readonly ending: TranscriptEnding;
  readonly transcriptBytes: number;
}

export interface SessionFixture {
  readonly claudeDir: string;
  readonly sessions: readonly FixtureSession[];
  /**
   * Ends the processes now (the cleanup would, at the very end): vmux sees every Claude Code
   * process of its user, so a fixture left running would be scanned by the benchmarks after it.
   */
  stop(): void;
}

export interface FixtureOptions {
  readonly count: number;
  /** Scratch folder (a real path: `/proc/<pid>/cwd` shows real paths). */
  readonly root: string;
  readonly cleanup: Cleanup;
  readonly seed?: number;
}

/** How long ago each kind of ending was written: a finished turn older than 10 minutes reads as idle. */
function endingAgeMs(ending: TranscriptEnding): number {
  return ending === 'finished-old' ? 40 * 60_000 : ending === 'finished-recent' ? 90_000 : 4_000;
}

/**
 * Starts `count` processes that look like the native Claude Code from `/proc` — a copy of
 * `/bin/sleep` named `claude`, so `comm` is `claude` — each in its own project folder, and writes
 * what Claude Code would have written for them: a transcript of a few hundred KB to a few MB for
 * every one, and `sessions/<pid>.json` for every other one.
 */
export async function startFixtureSessions(options: FixtureOptions): Promise<SessionFixture> {
  const { root, cleanup, count } = options;
  const random = new Random(options.seed ?? 20_260_101);
  const claudeDir = join(root, 'claude-config');
  mkdirSync(join(claudeDir, 'sessions'), { recursive: true });

  const cwds: string[] = [];
  for (let i = 0; i < count; i++) {
    const cwd = join(root, 'work', `project-${String(i).padStart(2, '0')}`, i % 3 === 0 ? 'packages/app' : '.');
    mkdirSync(cwd, { recursive: true });
    // Half the projects are git repositories, so vmux's branch lookup finds something.
    if (i % 2 === 0) {
      mkdirSync(join(cwd, '.git'), { recursive: true });
      writeFileSync(join(cwd, '.git', 'HEAD'), `ref: refs/heads/feature-${i}\n`);
    }
    cwds.push(cwd);
  }
  const pids = await startClaudeProcesses(root, cwds, cleanup);

  // Transcripts are written after the processes start: vmux ties a process to a transcript of its
  // folder only if the file was created and modified since the process started.
  const now = Date.now();
  const sessions: FixtureSession[] = [];
  for (const [i, pid] of pids.entries()) {
    const cwd = cwds[i] ?? '';
    const sessionId = random.uuid();
    const ending = TRANSCRIPT_ENDINGS[i % TRANSCRIPT_ENDINGS.length] ?? 'finished-recent';
    const projectDir = join(claudeDir, 'projects', encodeCwd(cwd));
    mkdirSync(projectDir, { recursive: true });
    const targetBytes = random.int(300_000, 3_000_000);
    const transcript = new SyntheticTranscript({ sessionId, cwd, gitBranch: i % 2 === 0 ? `feature-${i}` : '' }, random)
      .fillTo(targetBytes)
      .end(ending);
    writeFileSync(join(projectDir, `${sessionId}.jsonl`), transcript.render(now - endingAgeMs(ending)));
    // Projects hold older conversations too; back-dated, they are no candidates for the live process.
    if (i % 4 === 1) writeOldTranscript(projectDir, cwd, random, now);
    const hasSessionFile = i % 2 === 0;
    if (hasSessionFile) {
      const record = { pid, sessionId, cwd, startedAt: now, procStart: procStartOf(pid), status: 'idle' };
      writeFileSync(join(claudeDir, 'sessions', `${pid}.json`), JSON.stringify(record));
    }
    sessions.push({ pid, cwd, sessionId, hasSessionFile, ending, transcriptBytes: transcript.bytes });
  }
  return { claudeDir, sessions, stop: () => pids.forEach(killQuietly) };
}

/**
 * One process per cwd that `/proc` shows as the native Claude Code: a copy of `/bin/sleep` named
 * `claude` (in `<root>/bin`), so `comm` is `claude`. Resolves once every one has exec'd it.
 */
export async function startClaudeProcesses(root: string, cwds: readonly string[], cleanup: Cleanup): Promise<number[]> {
  const binDir = join(root, 'bin');
  mkdirSync(binDir, { recursive: true });
  const claude = join(binDir, 'claude');
  copyFileSync('/bin/sleep', claude);
  chmodSync(claude, 0o755);
  const pids: number[] = [];
  for (const cwd of cwds) {
    // Detached: a ^C at the terminal reaches the harness, which kills them, not them directly.
    const child = spawn(claude, ['3600'], { cwd, detached: true, stdio: 'ignore' });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start fixture process ${claude}`);
    cleanup.add(() => killQuietly(pid));
    child.unref();
    pids.push(pid);
  }
  for (const pid of pids) await waitForComm(pid, 'claude');
  return pids;
}

function writeOldTranscript(projectDir: string, cwd: string, random: Random, now: number): void {
  const sessionId = random.uuid();
  const dayAgo = now - 24 * 3_600_000;
  const path = join(projectDir, `${sessionId}.jsonl`);
  writeFileSync(path, new SyntheticTranscript({ sessionId, cwd, gitBranch: 'main' }, random).fillTo(80_000).end('finished-old').render(dayAgo));
  utimesSync(path, new Date(dayAgo), new Date(dayAgo));
}

/** Claude Code's project folder name: every character outside `[A-Za-z0-9]` becomes `-`. */
export function encodeCwd(cwd: string): string {
  return cwd.replace(/[^A-Za-z0-9]/g, '-');
}

/** Field 22 of `/proc/<pid>/stat` (counted after the command name, which may hold spaces). */
export function procStartOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3];
  if (start === undefined) throw new Error(`no start time in /proc/${pid}/stat`);
  return start;
}

/** Waits until the child has exec'd the copied binary; before that its comm is still node's. */
async function waitForComm(pid: number, comm: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm) return;
    } catch {
      // Not there yet, or already gone: the deadline decides.
    }
    if (Date.now() > deadline) throw new Error(`fixture process ${pid} never showed comm "${comm}"`);
    await delay(5);
  }
}

/** SIGKILL, for a process that may be gone already (or never started: no PID). */
export function killQuietly(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
