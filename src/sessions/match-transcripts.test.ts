import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { encodePath } from './encode-path.js';
import type { ClaudeProcess } from './find-claude-processes.js';
import { matchTranscripts } from './match-transcripts.js';
import type { SessionFile } from './session-file.js';

const ID_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const ID_B = 'bbbbbbbb-0000-4000-8000-000000000002';
const ID_C = 'cccccccc-0000-4000-8000-000000000003';

/** A Claude config dir with transcripts whose modification times are set explicitly. */
function claudeDirWith(cwd: string, transcripts: Record<string, number>): string {
  const claudeDir = tempDir();
  const folder = join(claudeDir, 'projects', encodePath(cwd));
  mkdirSync(folder, { recursive: true });
  for (const [id, mtimeMs] of Object.entries(transcripts)) {
    const path = join(folder, `${id}.jsonl`);
    writeFileSync(path, '{}\n');
    utimesSync(path, mtimeMs / 1000, mtimeMs / 1000);
  }
  return claudeDir;
}

function proc(pid: number, cwd: string, cmd: string[] = ['claude']): ClaudeProcess {
  return { pid, ppid: 1, cmd, cwd, startTicks: String(pid), uid: 1000 };
}

/** Process start times in these tests: pid N started at N seconds past a fixed origin... */
const startAt = (times: Record<number, number>) => (p: ClaudeProcess) => times[p.pid] ?? 0;

test('the sessions file names the transcript exactly', () => {
  const cwd = '/work/app';
  const claudeDir = claudeDirWith(cwd, { [ID_A]: Date.now(), [ID_B]: Date.now() });
  const files = new Map<number, SessionFile>([[10, { pid: 10, sessionId: ID_B, cwd, procStart: '10' }]]);
  const matches = matchTranscripts({ claudeDir, processes: [proc(10, cwd)], sessionFiles: files, startTimeMs: () => 0 });
  assert.deepEqual(matches.get(10), { kind: 'sessions-file', sessionId: ID_B, path: join(claudeDir, 'projects', encodePath(cwd), `${ID_B}.jsonl`) });
});

test('a sessions file whose transcript does not exist yet gives the id without a path', () => {
  const cwd = '/work/fresh';
  const claudeDir = claudeDirWith(cwd, {});
  const files = new Map<number, SessionFile>([[10, { pid: 10, sessionId: ID_C, cwd, procStart: '10' }]]);
  const matches = matchTranscripts({ claudeDir, processes: [proc(10, cwd)], sessionFiles: files, startTimeMs: () => 0 });
  assert.deepEqual(matches.get(10), { kind: 'sessions-file', sessionId: ID_C });
});

test('the sessions file of an older client (no procStart) names a fresh session', () => {
  const cwd = '/work/older-fresh';
  const t0 = Date.now() - 60_000;
  const claudeDir = claudeDirWith(cwd, {});
  const files = new Map<number, SessionFile>([[10, { pid: 10, sessionId: ID_C, cwd }]]);
  const matches = matchTranscripts({ claudeDir, processes: [proc(10, cwd)], sessionFiles: files, startTimeMs: () => t0 });
  assert.deepEqual(matches.get(10), { kind: 'none-yet', sessionId: ID_C });
});

test('after /clear an older client keeps its stale sessions file; the newest transcript is its own', () => {
  const cwd = '/work/older-cleared';
  const t0 = Date.now() - 600_000;
  // ID_A is the conversation before /clear, still named by the file; ID_B was started by /clear.
  const claudeDir = claudeDirWith(cwd, { [ID_A]: t0 + 60_000, [ID_B]: t0 + 300_000 });
  const files = new Map<number, SessionFile>([[10, { pid: 10, sessionId: ID_A, cwd }]]);
  const matches = matchTranscripts({ claudeDir, processes: [proc(10, cwd)], sessionFiles: files, startTimeMs: () => t0 });
  const match = matches.get(10);
  assert.ok(match?.kind === 'folder');
  assert.equal(match.sessionId, ID_B);
});

test('an older client continuing a conversation (--continue, its command line hidden): the transcript its sessions file names, born before it started', () => {
  const cwd = '/work/older-continued';
  // Born now, written again after the process started: the continued conversation.
  const claudeDir = claudeDirWith(cwd, { [ID_A]: Date.now() + 120_000 });
  const startTimeMs = () => Date.now() + 60_000;
  const continued = matchTranscripts({ claudeDir, processes: [proc(10, cwd)], sessionFiles: new Map([[10, { pid: 10, sessionId: ID_A, cwd }]]), startTimeMs });
  assert.deepEqual(continued.get(10), { kind: 'folder', sessionId: ID_A, path: join(claudeDir, 'projects', encodePath(cwd), `${ID_A}.jsonl`) });
  // Without the sessions file naming it, an older conversation is no new process's.
  const unnamed = matchTranscripts({ claudeDir, processes: [proc(10, cwd)], sessionFiles: new Map(), startTimeMs });
  assert.deepEqual(unnamed.get(10), { kind: 'none-yet' });
});

test('argv --session-id is used when there is no sessions file and the transcript exists', () => {
  const cwd = '/work/hinted';
  const claudeDir = claudeDirWith(cwd, { [ID_A]: Date.now() });
  const matches = matchTranscripts({
    claudeDir,
    processes: [proc(10, cwd, ['claude', '--session-id', ID_A])],
    sessionFiles: new Map(),
    startTimeMs: () => Date.now(),
  });
  assert.equal(matches.get(10)?.kind, 'argv');
});

test('a lone process takes the only transcript written since it started', () => {
  const cwd = '/work/lone';
  const t0 = Date.now() - 60_000;
  const claudeDir = claudeDirWith(cwd, { [ID_A]: t0 - 3_600_000, [ID_B]: t0 + 10_000 });
  const matches = matchTranscripts({ claudeDir, processes: [proc(10, cwd)], sessionFiles: new Map(), startTimeMs: () => t0 });
  assert.deepEqual(matches.get(10), { kind: 'folder', sessionId: ID_B, path: join(claudeDir, 'projects', encodePath(cwd), `${ID_B}.jsonl`) });
});

test('a process with no transcript written since it started has none yet', () => {
  const cwd = '/work/old';
  const t0 = Date.now() - 60_000;
  const claudeDir = claudeDirWith(cwd, { [ID_A]: t0 - 3_600_000 });
  const matches = matchTranscripts({ claudeDir, processes: [proc(10, cwd)], sessionFiles: new Map(), startTimeMs: () => t0 });
  assert.deepEqual(matches.get(10), { kind: 'none-yet' });
});

/** Two old clients (no sessions files) in one folder, started at the given times. */
function matchTwoInFolder(cwd: string, transcripts: Record<string, number>, starts: Record<number, number>) {
  return matchTranscripts({
    claudeDir: claudeDirWith(cwd, transcripts),
    processes: [proc(10, cwd), proc(20, cwd)],
    sessionFiles: new Map(),
    startTimeMs: startAt(starts),
  });
}

test('several sessions in one folder never share a transcript', () => {
  const t0 = Date.now() - 600_000;
  // Process 20 started at t0+5min: A, last written before that, can only be 10's; B is then 20's.
  const matches = matchTwoInFolder('/work/shared-folder', { [ID_A]: t0 + 60_000, [ID_B]: t0 + 400_000 }, { 10: t0, 20: t0 + 300_000 });
  const a = matches.get(10);
  const b = matches.get(20);
  assert.ok(a?.kind === 'folder' && b?.kind === 'folder');
  assert.equal(a.sessionId, ID_A);
  assert.equal(b.sessionId, ID_B);
});

test('an ambiguous folder says so rather than guess', () => {
  const t0 = Date.now() - 600_000;
  // Both transcripts were written after both processes started: either could be either's.
  const matches = matchTwoInFolder('/work/ambiguous', { [ID_A]: t0 + 400_000, [ID_B]: t0 + 500_000 }, { 10: t0, 20: t0 + 1000 });
  assert.deepEqual(matches.get(10), { kind: 'ambiguous', candidates: 2 });
  assert.deepEqual(matches.get(20), { kind: 'ambiguous', candidates: 2 });
});

test('one transcript and two processes that could both own it: neither gets it', () => {
  const t0 = Date.now() - 600_000;
  const matches = matchTwoInFolder('/work/one-of-two', { [ID_A]: t0 + 400_000 }, { 10: t0, 20: t0 + 1000 });
  assert.deepEqual(matches.get(10), { kind: 'ambiguous', candidates: 1 });
  assert.deepEqual(matches.get(20), { kind: 'ambiguous', candidates: 1 });
});

test('a transcript claimed by another live session is never taken by folder matching', () => {
  const cwd = '/work/claimed';
  const t0 = Date.now() - 600_000;
  const claudeDir = claudeDirWith(cwd, { [ID_A]: t0 + 400_000, [ID_B]: t0 + 500_000 });
  const files = new Map<number, SessionFile>([[20, { pid: 20, sessionId: ID_B, cwd, procStart: '20' }]]);
  const matches = matchTranscripts({
    claudeDir,
    processes: [proc(10, cwd), proc(20, cwd)],
    sessionFiles: files,
    startTimeMs: () => t0,
  });
  const a = matches.get(10);
  assert.ok(a?.kind === 'folder');
  assert.equal(a.sessionId, ID_A);
});

/** Writes `sessions/<pid>.json` to disk as well: its modification time tells start-up from later rewrites. */
function sessionFileOnDisk(claudeDir: string, file: SessionFile, writtenAtMs: number): Map<number, SessionFile> {
  mkdirSync(join(claudeDir, 'sessions'), { recursive: true });
  const path = join(claudeDir, 'sessions', `${file.pid}.json`);
  writeFileSync(path, JSON.stringify(file));
  utimesSync(path, writtenAtMs / 1000, writtenAtMs / 1000);
  return new Map([[file.pid, file]]);
}

test('a session fresh from start-up is not looked for in other project folders', () => {
  const cwd = '/work/fresh-start';
  const claudeDir = claudeDirWith('/work/some-other-project', { [ID_A]: Date.now() });
  const startedAt = new Date(Date.now() - 60_000);
  const files = sessionFileOnDisk(claudeDir, { pid: 10, sessionId: ID_A, cwd, procStart: '10', startedAt, status: 'idle' }, startedAt.getTime() + 500);
  const matches = matchTranscripts({ claudeDir, processes: [proc(10, cwd)], sessionFiles: files, startTimeMs: () => 0 });
  assert.deepEqual(matches.get(10), { kind: 'sessions-file', sessionId: ID_A });
});

test('a session whose sessions file changed since start-up (a /resume) finds its transcript in another project folder', () => {
  const cwd = '/work/resumed-here';
  const other = '/work/resumed-from';
  const claudeDir = claudeDirWith(other, { [ID_A]: Date.now() });
  const startedAt = new Date(Date.now() - 60_000);
  const files = sessionFileOnDisk(claudeDir, { pid: 10, sessionId: ID_A, cwd, procStart: '10', startedAt, status: 'idle' }, Date.now());
  const matches = matchTranscripts({ claudeDir, processes: [proc(10, cwd)], sessionFiles: files, startTimeMs: () => 0 });
  assert.deepEqual(matches.get(10), { kind: 'sessions-file', sessionId: ID_A, path: join(claudeDir, 'projects', encodePath(other), `${ID_A}.jsonl`) });
});

test('a session started with --resume finds its transcript in another project folder from the start', () => {
  const cwd = '/work/resume-flag';
  const other = '/work/resume-flag-origin';
  const claudeDir = claudeDirWith(other, { [ID_B]: Date.now() });
  const startedAt = new Date();
  const files = sessionFileOnDisk(claudeDir, { pid: 10, sessionId: ID_B, cwd, procStart: '10', startedAt, status: 'idle' }, startedAt.getTime());
  const matches = matchTranscripts({ claudeDir, processes: [proc(10, cwd, ['claude', '--resume', ID_B])], sessionFiles: files, startTimeMs: () => 0 });
  assert.deepEqual(matches.get(10), { kind: 'sessions-file', sessionId: ID_B, path: join(claudeDir, 'projects', encodePath(other), `${ID_B}.jsonl`) });
});

test('a sessions file whose id is a path is read as naming no session, and nothing outside projects/ is used', () => {
  const cwd = '/work/hostile';
  const claudeDir = claudeDirWith(cwd, {});
  // `projects/-work-hostile/../../outside.jsonl` would be `<claudeDir>/outside.jsonl`.
  writeFileSync(join(claudeDir, 'outside.jsonl'), '{}\n');
  const files = new Map<number, SessionFile>([[10, { pid: 10, sessionId: '../../outside', cwd, procStart: '10' }]]);
  const matches = matchTranscripts({ claudeDir, processes: [proc(10, cwd)], sessionFiles: files, startTimeMs: () => 0 });
  assert.deepEqual(matches.get(10), { kind: 'none-yet' });
});
