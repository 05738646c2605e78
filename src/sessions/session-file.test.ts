import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { callInChild } from '../../test/support/call-in-child.js';
import { procStartOf, startFakeClaude, writeSessionFile, type FakeClaude } from '../../test/support/fake-claude.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { liveSessionFiles, parseSessionFile, readSessionFiles } from './session-file.js';

const started: FakeClaude[] = [];
after(async () => Promise.all(started.map((p) => p.stop('SIGKILL'))));

test('parseSessionFile keeps well-typed fields and accepts numeric or ISO times', () => {
  const file = parseSessionFile(
    { pid: 7, sessionId: 's', cwd: '/w', procStart: 123, status: 'waiting', waitingFor: 'permission prompt', statusUpdatedAt: 1_700_000_000_000 },
    7,
  );
  assert.deepEqual(file, {
    pid: 7, sessionId: 's', cwd: '/w', procStart: '123', status: 'waiting', waitingFor: 'permission prompt',
    statusUpdatedAt: new Date(1_700_000_000_000), startedAt: undefined, version: undefined,
  });
  assert.equal(parseSessionFile({ pid: 7, updatedAt: '2026-01-02T03:04:05Z' }, 7)?.statusUpdatedAt?.toISOString(), '2026-01-02T03:04:05.000Z');
  assert.equal(parseSessionFile({ pid: 7, kind: 'interactive' }, 7)?.kind, 'interactive');
});

test('parseSessionFile rejects junk and files naming another pid', () => {
  assert.equal(parseSessionFile([], 7), undefined);
  assert.equal(parseSessionFile('x', 7), undefined);
  assert.equal(parseSessionFile({ pid: 8 }, 7), undefined);
  assert.equal(parseSessionFile({ pid: 7, sessionId: 42 }, 7)?.sessionId, undefined);
});

test('readSessionFiles skips corrupt files and odd names; a missing folder is empty', () => {
  const claudeDir = tempDir();
  assert.equal(readSessionFiles(claudeDir).size, 0);
  mkdirSync(join(claudeDir, 'sessions'));
  writeFileSync(join(claudeDir, 'sessions', '12.json'), '{"pid":12,"sessionId":"a"}');
  writeFileSync(join(claudeDir, 'sessions', '13.json'), '{"pid":13,"sessi');
  writeFileSync(join(claudeDir, 'sessions', 'notes.json'), '{}');
  assert.deepEqual([...readSessionFiles(claudeDir).keys()], [12]);
});

test('a FIFO, a link to /dev/zero or an oversized file among the sessions files is skipped at once', () => {
  const claudeDir = tempDir();
  const sessions = join(claudeDir, 'sessions');
  mkdirSync(sessions);
  writeFileSync(join(sessions, '12.json'), '{"pid":12,"sessionId":"a"}');
  assert.equal(spawnSync('mkfifo', [join(sessions, '13.json')]).status, 0);
  symlinkSync('/dev/zero', join(sessions, '14.json'));
  writeFileSync(join(sessions, '15.json'), '{"pid":15}');
  truncateSync(join(sessions, '15.json'), 1024 ** 3);
  // In a child: a read waiting on the FIFO must fail the test, not freeze it.
  const { value, ms } = callInChild(new URL('./session-file.js', import.meta.url).href, 'readSessionFiles', [claudeDir]);
  assert.deepEqual((value as Array<[number, unknown]>).map(([pid]) => pid), [12]);
  assert.ok(ms < 2_000, `took ${ms} ms`);
});

test('a sessions file is live only while its PID runs with the same procStart', async () => {
  const root = tempDir();
  const proc = await startFakeClaude({ cwd: root, binDir: root });
  started.push(proc);
  const claudeDir = join(root, 'claude-config');
  writeSessionFile(claudeDir, proc.pid, { sessionId: 'live', cwd: root });
  const reused = proc.pid;
  const files = readSessionFiles(claudeDir);
  assert.deepEqual([...liveSessionFiles(files, '/proc').keys()], [proc.pid]);
  // The same PID with another start time is PID reuse: not this session.
  writeSessionFile(claudeDir, reused, { sessionId: 'reused', cwd: root, procStart: String(Number(procStartOf(reused)) + 1) });
  assert.equal(liveSessionFiles(readSessionFiles(claudeDir), '/proc').size, 0);
  // A killed client leaves its file behind: ignored.
  writeSessionFile(claudeDir, proc.pid, { sessionId: 'live', cwd: root });
  await proc.stop('SIGKILL');
  assert.equal(liveSessionFiles(readSessionFiles(claudeDir), '/proc').size, 0);
});

test('a sessions file without procStart (older clients) is live only if written after its process started', async () => {
  const root = tempDir();
  const proc = await startFakeClaude({ cwd: root, binDir: root });
  started.push(proc);
  const claudeDir = join(root, 'claude-config');
  mkdirSync(join(claudeDir, 'sessions'), { recursive: true });
  const write = (startedAt: number) =>
    writeFileSync(join(claudeDir, 'sessions', `${proc.pid}.json`), JSON.stringify({ pid: proc.pid, sessionId: 'older', cwd: root, startedAt }));
  write(Date.now());
  assert.deepEqual([...liveSessionFiles(readSessionFiles(claudeDir), '/proc').keys()], [proc.pid]);
  // Written an hour before this process started: left by an earlier process with the same PID.
  write(Date.now() - 3_600_000);
  assert.equal(liveSessionFiles(readSessionFiles(claudeDir), '/proc').size, 0);
});

test('parseSessionFile: the tmux pane the client reports (2.1.332), and nothing that is not a pane id', () => {
  assert.equal(parseSessionFile({ pid: 7, tmux: '0:@0.%0' }, 7)?.tmuxPane, '%0');
  assert.equal(parseSessionFile({ pid: 7, tmux: 'work:@12.%34' }, 7)?.tmuxPane, '%34');
  for (const bad of ['%1; kill-server', '0:@0.%x', 42, '']) assert.equal(parseSessionFile({ pid: 7, tmux: bad }, 7)?.tmuxPane, undefined, String(bad));
});
