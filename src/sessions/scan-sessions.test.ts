import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { claudeSessionsFixture } from '../../test/support/claude-sessions-fixture.js';
import { writeSessionFile } from '../../test/support/fake-claude.js';
import { discoveryContextFrom } from './discovery-context.js';
import { ScanMemory } from './scan-memory.js';
import { scanSessions } from './scan-sessions.js';

const { claudeDir, context, session, transcript } = claudeSessionsFixture({ gitBranch: 'feature' });

const minutesAgo = (n: number): Date => new Date(Date.now() - n * 60_000);

test('scan: a fresh session with a sessions file and no transcript is idle, with its id', async () => {
  const proc = await session('fresh');
  writeSessionFile(claudeDir, proc.pid, { sessionId: 'f0000000-0000-4000-8000-000000000001', cwd: proc.cwd, status: 'idle' });
  const [found] = scanSessions(context(), { onlyPids: new Set([proc.pid]) });
  assert.equal(found?.sessionId, 'f0000000-0000-4000-8000-000000000001');
  assert.equal(found?.state, 'idle');
  assert.equal(found?.reason, 'no prompt yet');
});

test('scan: an answered prompt needs input since the answer, with branch and preview', async () => {
  const proc = await session('answered');
  const id = 'a0000000-0000-4000-8000-000000000002';
  writeSessionFile(claudeDir, proc.pid, { sessionId: id, cwd: proc.cwd, status: 'idle' });
  const answeredAt = minutesAgo(2);
  transcript(proc, id).prompt('fix the flaky test', minutesAgo(3)).assistantText('Fixed: the test now waits.', answeredAt).turnDuration(answeredAt);
  const [found] = scanSessions(context(), { onlyPids: new Set([proc.pid]) });
  assert.equal(found?.state, 'needs_input');
  assert.equal(found?.waitingSince?.getTime(), answeredAt.getTime());
  assert.equal(found?.gitBranch, 'feature');
  assert.equal(found?.preview, 'Fixed: the test now waits.');
});

test('scan: a permission prompt needs input and the reason names the tool', async () => {
  const proc = await session('permission');
  const id = 'b0000000-0000-4000-8000-000000000003';
  writeSessionFile(claudeDir, proc.pid, { sessionId: id, cwd: proc.cwd, status: 'waiting', waitingFor: 'permission prompt' });
  transcript(proc, id).prompt('run the migration', minutesAgo(1)).toolUse('Bash', { command: 'npm run migrate' }, minutesAgo(1));
  const [found] = scanSessions(context(), { onlyPids: new Set([proc.pid]) });
  assert.equal(found?.state, 'needs_input');
  assert.equal(found?.reason, 'waiting for permission: Bash');
  assert.match(found?.preview ?? '', /npm run migrate/);
});

test('scan: an old client without a sessions file is matched through its folder and read from the transcript', async () => {
  const proc = await session('old-client');
  const id = 'c0000000-0000-4000-8000-000000000004';
  transcript(proc, id).prompt('build it', new Date()).toolUse('Bash', { command: 'make' }, new Date());
  const [found] = scanSessions(context(), { onlyPids: new Set([proc.pid]) });
  assert.equal(found?.sessionId, id);
  assert.equal(found?.state, 'working');
});

test('scan: a client that writes no status (the Node build) waits at its permission prompt while no child of it runs its Bash call, and works once one does', async () => {
  const proc = await session('node-build-prompt', { shape: 'node-build' });
  const id = 'c1000000-0000-4000-8000-000000000014';
  const calledAt = new Date(Date.now() - 5000);
  transcript(proc, id).prompt('run the migration', calledAt).toolUse('Bash', { command: 'npm run migrate' }, calledAt);
  const [waiting] = scanSessions(context(), { onlyPids: new Set([proc.pid]) });
  assert.deepEqual(
    { state: waiting?.state, reason: waiting?.reason, since: waiting?.waitingSince?.getTime() },
    { state: 'needs_input', reason: 'waiting for permission: Bash', since: calledAt.getTime() },
  );
  assert.equal(waiting?.toolCommand, 'npm run migrate', 'a daemon looks for the process that will run the call');
  // Allowed: the client starts the command's shell.
  await proc.startTool('npm run migrate');
  const [running] = scanSessions(context(), { onlyPids: new Set([proc.pid]) });
  assert.deepEqual({ state: running?.state, reason: running?.reason, command: running?.toolCommand }, { state: 'working', reason: 'running tool: Bash', command: undefined });
});

test('scan: a killed client is gone although its sessions file stays behind', async () => {
  const proc = await session('killed');
  writeSessionFile(claudeDir, proc.pid, { sessionId: 'd0000000-0000-4000-8000-000000000005', cwd: proc.cwd, status: 'idle' });
  await proc.stop('SIGKILL');
  assert.deepEqual(scanSessions(context(), { onlyPids: new Set([proc.pid]) }), []);
});

test('scan: sessions needing input come first', async () => {
  const working = await session('order-working');
  const waiting = await session('order-waiting');
  writeSessionFile(claudeDir, working.pid, { sessionId: 'e0000000-0000-4000-8000-000000000006', cwd: working.cwd, status: 'busy' });
  writeSessionFile(claudeDir, waiting.pid, { sessionId: 'e0000000-0000-4000-8000-000000000007', cwd: waiting.cwd, status: 'waiting', waitingFor: 'permission prompt' });
  const found = scanSessions(context(), { onlyPids: new Set([working.pid, waiting.pid]) });
  assert.deepEqual(found.map((s) => s.pid), [waiting.pid, working.pid]);
});

test('scan: the client records branch HEAD outside git; that is no branch', async () => {
  const proc = await session('not-a-repo');
  const id = 'd0000000-0000-4000-8000-000000000005';
  writeSessionFile(claudeDir, proc.pid, { sessionId: id, cwd: proc.cwd, status: 'idle' });
  transcript(proc, id, 'HEAD')
    .prompt('hello', minutesAgo(1))
    .assistantText('hi', minutesAgo(1));
  const [found] = scanSessions(context(), { onlyPids: new Set([proc.pid]) });
  assert.equal(found?.gitBranch, '');
});

test('scan: a client that wrote only its key file waits at the folder-trust dialog: needs input (2.1.332)', async () => {
  const proc = await session('untrusted');
  mkdirSync(join(claudeDir, 'sessions'), { recursive: true });
  writeFileSync(join(claudeDir, 'sessions', `${proc.pid}.${'ab12'.repeat(16)}.key`), '');
  const [found] = scanSessions(context(), { onlyPids: new Set([proc.pid]) });
  assert.equal(found?.state, 'needs_input');
  assert.equal(found?.reason, 'asks whether to trust this folder');
  assert.ok(found?.waitingSince !== undefined, 'waiting since the client started');

  // Once trusted, the client writes its sessions file: the dialog is over.
  writeSessionFile(claudeDir, proc.pid, { sessionId: 'f0000000-0000-4000-8000-00000000007e', cwd: proc.cwd, status: 'idle' });
  const [after] = scanSessions(context(), { onlyPids: new Set([proc.pid]) });
  assert.deepEqual([after?.state, after?.reason], ['idle', 'no prompt yet']);
});

test('scan: a background session (claude --bg) is listed with its job id, from its own sessions file', async () => {
  const proc = await session('background', { args: ['bg-spare', '--bg-spare', '/tmp/claim.sock'] });
  const id = '4f2a9c1e-0000-4000-8000-000000000001';
  writeSessionFile(claudeDir, proc.pid, { sessionId: id, cwd: proc.cwd, status: 'idle' });
  const file = join(claudeDir, 'sessions', `${proc.pid}.json`);
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), kind: 'bg', jobId: '4f2a9c1e' }));
  const [found] = scanSessions(context(), { onlyPids: new Set([proc.pid]) });
  assert.equal(found?.backgroundJob, '4f2a9c1e');
});

test('scan: only the sessions of the user vmux acts for are looked at; every user\'s when asked', async () => {
  const proc = await session('owned');
  writeSessionFile(claudeDir, proc.pid, { sessionId: 'f0000000-0000-4000-8000-0000000000aa', cwd: proc.cwd, status: 'idle' });
  const me = process.getuid?.() ?? 0;
  assert.equal(scanSessions({ ...context(), onlyUid: me }, { onlyPids: new Set([proc.pid]) }).length, 1);
  assert.equal(scanSessions({ ...context(), onlyUid: me + 1 }, { onlyPids: new Set([proc.pid]) }).length, 0, "another user's session is not listed");
  assert.equal(scanSessions(context(), { onlyPids: new Set([proc.pid]) }).length, 1, 'no owner given: every user');
  assert.equal(discoveryContextFrom({}).onlyUid, me, 'by default: the user running vmux');
  assert.equal(discoveryContextFrom({ VMUX_ALL_USERS: '1' }).onlyUid, undefined);
});

test("scan: a daemon's memory changes nothing it finds, scan after scan, as files and branches change", async () => {
  const withFile = await session('memory-file');
  const oldClient = await session('memory-old-client');
  const fresh = await session('memory-fresh');
  const pids = new Set([withFile.pid, oldClient.pid, fresh.pid]);
  const fileId = 'ab000000-0000-4000-8000-000000000001';
  const oldId = 'ab000000-0000-4000-8000-000000000002';
  mkdirSync(join(withFile.cwd, '.git'));
  writeFileSync(join(withFile.cwd, '.git', 'HEAD'), 'ref: refs/heads/first\n');
  writeSessionFile(claudeDir, withFile.pid, { sessionId: fileId, cwd: withFile.cwd, status: 'busy' });
  writeSessionFile(claudeDir, fresh.pid, { sessionId: 'ab000000-0000-4000-8000-000000000003', cwd: fresh.cwd, status: 'idle' });
  const fileTranscript = transcript(withFile, fileId, '');
  fileTranscript.prompt('start', minutesAgo(2));
  transcript(oldClient, oldId).prompt('build it', new Date()).toolUse('Bash', { command: 'make' }, new Date());

  const memory = new ScanMemory(() => Date.now());
  const same = (what: string) => assert.deepEqual(scanSessions(context(), { onlyPids: pids, memory }), scanSessions(context(), { onlyPids: pids }), what);
  same('first scan');
  same('nothing changed');
  fileTranscript.assistantText('Done.', new Date()).turnDuration(new Date());
  writeSessionFile(claudeDir, withFile.pid, { sessionId: fileId, cwd: withFile.cwd, status: 'idle' });
  same('a transcript and a sessions file changed');
  // git replaces HEAD by renaming a new file over it.
  writeFileSync(join(withFile.cwd, '.git', 'HEAD.lock'), 'ref: refs/heads/second\n');
  renameSync(join(withFile.cwd, '.git', 'HEAD.lock'), join(withFile.cwd, '.git', 'HEAD'));
  same('the branch changed');
  rmSync(join(claudeDir, 'sessions', `${fresh.pid}.json`));
  same('a sessions file went away');
  const [found] = scanSessions(context(), { onlyPids: new Set([withFile.pid]), memory });
  assert.equal(found?.state, 'needs_input');
});
