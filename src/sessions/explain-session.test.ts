import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { test } from 'node:test';
import { claudeSessionsFixture } from '../../test/support/claude-sessions-fixture.js';
import { writeSessionFile } from '../../test/support/fake-claude.js';
import { explainSession } from './explain-session.js';
import { scanSessions } from './scan-sessions.js';

const { claudeDir, context, session, transcript } = claudeSessionsFixture({ prefix: 'vmux-explain-', gitBranch: 'main' });

const secondsAgo = (n: number): Date => new Date(Date.now() - n * 1000);

/** The session as `vmux list` sees it: explain must show the same decision. */
function listed(pid: number) {
  return scanSessions(context(), { onlyPids: new Set([pid]) })[0];
}

test('explain: a permission prompt is decided by the client status, and the pending tool names what it waits for', async () => {
  const proc = await session('permission');
  const id = 'e1000000-0000-4000-8000-000000000001';
  writeSessionFile(claudeDir, proc.pid, { sessionId: id, cwd: proc.cwd, status: 'waiting', waitingFor: 'permission prompt' });
  transcript(proc, id).prompt('run the migration', secondsAgo(20)).toolUse('Bash', { command: 'npm run migrate' }, secondsAgo(19));

  const explained = explainSession(context(), proc.pid);
  assert.ok(explained);
  assert.deepEqual(
    [explained.classification.rule, explained.classification.state, explained.classification.reason],
    ['client-waiting', 'needs_input', 'waiting for permission: Bash'],
  );
  assert.deepEqual([explained.session.state, explained.session.reason], [listed(proc.pid)?.state, listed(proc.pid)?.reason]);
  assert.ok(explained.sessionFile.found);
  assert.deepEqual([explained.sessionFile.file.status, explained.sessionFile.file.waitingFor], ['waiting', 'permission prompt']);
  assert.equal(explained.transcript.match?.kind, 'sessions-file');
  assert.match(explained.transcript.how, /the sessions file names session e1000000/);
  assert.ok((explained.transcript.sizeBytes ?? 0) > 0);
  assert.deepEqual(explained.transcript.records.map((r) => [r.kind, r.tools]), [['prompt', []], ['assistant', ['Bash']]]);
  assert.equal(explained.reading?.pendingTool, 'Bash');
  assert.deepEqual([explained.reading?.verdict.state, explained.reading?.deciding?.kind], ['working', 'assistant']);
  assert.deepEqual(explained.process.resumeFlags, []);
  assert.equal(explained.process.cwd, proc.cwd);
});

test('explain: a background shell still running after the turn is named with the call that launched it', async () => {
  const proc = await session('background-shell');
  const id = 'e1000000-0000-4000-8000-000000000002';
  writeSessionFile(claudeDir, proc.pid, { sessionId: id, cwd: proc.cwd, status: 'shell' });
  transcript(proc, id)
    .prompt('start the dev server', secondsAgo(30))
    .toolUse('Bash', { command: 'npm run dev', run_in_background: true }, secondsAgo(29), 'toolu_dev')
    .toolResult('toolu_dev', 'Command running in background with ID: bash_1', secondsAgo(28))
    .assistantText('The dev server runs.', secondsAgo(27))
    .turnDuration(secondsAgo(27));

  const explained = explainSession(context(), proc.pid);
  assert.ok(explained);
  assert.equal(explained.classification.rule, 'client-shell');
  assert.equal(explained.classification.state, 'needs_input');
  assert.match(explained.classification.reason, /^turn ended \d+ s ago · 1 background shell running$/);
  const background = explained.reading?.background;
  assert.deepEqual([background?.shells, background?.agents], [1, 0]);
  assert.deepEqual(
    background?.running.map((task) => [task.kind, task.tool, task.what, task.toolUseId]),
    [['shell', 'Bash', 'npm run dev', 'toolu_dev']],
  );
  const launch = explained.transcript.records.find((r) => r.kind === 'tool-result');
  assert.deepEqual([launch?.tools, launch?.notes], [['Bash'], ['launched a background shell']]);
  assert.equal(explained.reading?.deciding?.kind, 'turn-end');
});

test('explain: a finished turn is decided by the transcript under an idle client', async () => {
  const proc = await session('finished');
  const id = 'e1000000-0000-4000-8000-000000000003';
  writeSessionFile(claudeDir, proc.pid, { sessionId: id, cwd: proc.cwd, status: 'idle' });
  const answeredAt = secondsAgo(90);
  transcript(proc, id).prompt('fix the flaky test', secondsAgo(120)).assistantText('Fixed.', answeredAt).turnDuration(answeredAt);

  const explained = explainSession(context(), proc.pid);
  assert.ok(explained);
  assert.deepEqual([explained.classification.rule, explained.classification.state], ['idle-transcript', 'needs_input']);
  assert.equal(explained.classification.since?.getTime(), answeredAt.getTime());
  assert.equal(explained.reading?.deciding?.kind, 'turn-end');
  assert.deepEqual([explained.reading?.background.shells, explained.reading?.background.running], [0, []]);
  assert.equal(explained.session.preview, 'Fixed.');
});

test('explain: a session with no transcript yet says so, from the sessions file', async () => {
  const proc = await session('fresh');
  const id = 'e1000000-0000-4000-8000-000000000004';
  writeSessionFile(claudeDir, proc.pid, { sessionId: id, cwd: proc.cwd, status: 'idle' });

  const explained = explainSession(context(), proc.pid);
  assert.ok(explained);
  assert.deepEqual([explained.classification.rule, explained.classification.reason], ['no-transcript', 'no prompt yet']);
  assert.equal(explained.reading, undefined);
  assert.equal(explained.transcript.path, undefined);
  assert.deepEqual(explained.transcript.records, []);
  assert.match(explained.transcript.how, /has no transcript yet \(the client writes it at the first prompt\)/);
});

test('explain: a client without a sessions file is read from its transcript alone, and the missing file is explained', async () => {
  const proc = await session('old-client', { args: ['--continue'] });
  const id = 'e1000000-0000-4000-8000-000000000005';
  transcript(proc, id).prompt('build it', new Date()).toolUse('Bash', { command: 'make' }, new Date());

  const explained = explainSession(context(), proc.pid);
  assert.ok(explained);
  assert.equal(explained.classification.rule, 'transcript-alone');
  assert.equal(explained.sessionFile.found, false);
  assert.ok(!explained.sessionFile.found && /write none/.test(explained.sessionFile.why));
  assert.equal(explained.transcript.match?.kind, 'folder');
  assert.deepEqual(explained.process.resumeFlags, ['--continue']);
  assert.equal(explained.process.build, 'other', 'a shell script stands in for the client');
});

test('explain: a sessions file left by an earlier process with the same PID is stale, and said to be', async () => {
  const proc = await session('stale');
  writeSessionFile(claudeDir, proc.pid, { sessionId: 'e1000000-0000-4000-8000-000000000006', cwd: proc.cwd, status: 'busy', procStart: '1' });

  const explained = explainSession(context(), proc.pid);
  assert.ok(explained);
  assert.ok(!explained.sessionFile.found);
  assert.match(explained.sessionFile.found ? '' : explained.sessionFile.why, /^stale: left by an earlier process with this PID \(its procStart 1, this process's \d+\)$/);
  assert.equal(explained.signals.clientStatus, undefined, 'its status is not used');
});

test('explain: an API retry under a busy client is told with its attempt, and the record it follows', async () => {
  const proc = await session('retrying');
  const id = 'e1000000-0000-4000-8000-000000000007';
  writeSessionFile(claudeDir, proc.pid, { sessionId: id, cwd: proc.cwd, status: 'busy' });
  const builder = transcript(proc, id).prompt('summarise the logs', secondsAgo(20));
  const retry = { type: 'system', subtype: 'api_error', retryAttempt: 2, maxRetries: 10, timestamp: secondsAgo(5).toISOString(), uuid: 'r1', parentUuid: null };
  appendFileSync(builder.path, `${JSON.stringify(retry)}\n`);

  const explained = explainSession(context(), proc.pid);
  assert.ok(explained);
  assert.deepEqual([explained.classification.rule, explained.classification.reason], ['busy-transcript', 'working on your prompt; retrying the API request (2/10)']);
  assert.deepEqual(explained.reading?.retry, { attempt: 2, maxRetries: 10 });
  assert.equal(explained.reading?.deciding?.kind, 'prompt');
  assert.deepEqual(explained.transcript.records.at(-1)?.notes, ['attempt 2/10']);
});

test('explain: a process that is no Claude Code session has nothing to explain', () => {
  assert.equal(explainSession(context(), process.pid), undefined, 'the test runner itself');
});
