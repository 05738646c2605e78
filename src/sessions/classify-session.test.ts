import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLASSIFICATION_RULES, classifySession, TOOL_START_MS, toolProcessWanted, TRANSCRIPT_LAG_MS } from './classify-session.js';

const now = new Date(1_000_000);

const ended = { verdict: { state: 'needs_input' as const, reason: 'turn ended 1 min ago', since: new Date(1000) } };
const running = { verdict: { state: 'working' as const, reason: 'running tool: Bash' }, pendingTool: 'Bash' };

test('a waiting client at a permission prompt needs input, and the reason names the tool', () => {
  const since = new Date(5000);
  const verdict = classifySession({ clientStatus: { status: 'waiting', waitingFor: 'permission prompt', since }, transcript: running }, now);
  assert.deepEqual(verdict, { state: 'needs_input', reason: 'waiting for permission: Bash', since, rule: 'client-waiting' });
});

test('a busy client is working whatever the transcript says', () => {
  assert.equal(classifySession({ clientStatus: { status: 'busy' }, transcript: ended }, now).state, 'working');
  assert.equal(classifySession({ clientStatus: { status: 'busy' }, transcript: running }, now).reason, 'running tool: Bash');
  assert.equal(classifySession({ clientStatus: { status: 'busy' }, transcript: running }, now).rule, 'busy-transcript');
});

test('an idle client: the transcript tells a finished turn from an interrupt', () => {
  assert.deepEqual(classifySession({ clientStatus: { status: 'idle' }, transcript: ended }, now), { ...ended.verdict, rule: 'idle-transcript' });
  const interrupted = { verdict: { state: 'idle' as const, reason: 'interrupted by user' } };
  assert.equal(classifySession({ clientStatus: { status: 'idle' }, transcript: interrupted }, now).state, 'idle');
});

test('an idle client with no transcript yet is a fresh session', () => {
  assert.deepEqual(classifySession({ clientStatus: { status: 'idle' }, noTranscript: 'none-yet' }, now), { state: 'idle', reason: 'no prompt yet', rule: 'no-transcript' });
});

test('without a client status the transcript decides (older clients, -p runs)', () => {
  assert.deepEqual(classifySession({ transcript: ended }, now), { ...ended.verdict, rule: 'transcript-alone' });
  assert.deepEqual(classifySession({ transcript: running }, now), { ...running.verdict, rule: 'transcript-alone' });
});

test('a client that writes no status: a Bash call with no process started for it waits at its permission prompt (the Node build)', () => {
  const calledAt = new Date(now.getTime() - TOOL_START_MS - 500);
  const called = { verdict: { state: 'working' as const, reason: 'running tool: Bash', since: calledAt }, pendingTool: 'Bash' };
  // Asked of the scan once the call is old enough for its shell to have started.
  assert.equal(toolProcessWanted({ transcript: called }, now), calledAt);
  assert.deepEqual(classifySession({ transcript: called, toolProcess: 'none' }, now), {
    state: 'needs_input',
    reason: 'waiting for permission: Bash',
    since: calledAt,
    rule: 'transcript-tool-unstarted',
  });
  assert.deepEqual(classifySession({ transcript: called, toolProcess: 'started' }, now), { ...called.verdict, rule: 'transcript-alone' });
});

test('a client that writes no status: a Bash call too young to tell is running, and decided again when it is not', () => {
  const calledAt = new Date(now.getTime() - 200);
  const called = { verdict: { state: 'working' as const, reason: 'running tool: Bash', since: calledAt }, pendingTool: 'Bash' };
  assert.equal(toolProcessWanted({ transcript: called }, now), undefined);
  assert.deepEqual(classifySession({ transcript: called }, now), { ...called.verdict, rule: 'transcript-alone', decideAgainAt: new Date(calledAt.getTime() + TOOL_START_MS) });
});

test('the process rule is only for a pending Bash call of a client that writes no status', () => {
  const old = new Date(now.getTime() - 60_000);
  const edit = { verdict: { state: 'working' as const, reason: 'running tool: Edit', since: old }, pendingTool: 'Edit' };
  const bash = { verdict: { state: 'working' as const, reason: 'running tool: Bash', since: old }, pendingTool: 'Bash' };
  assert.equal(toolProcessWanted({ transcript: edit }, now), undefined);
  assert.equal(toolProcessWanted({ clientStatus: { status: 'busy' }, transcript: bash }, now), undefined);
  assert.equal(toolProcessWanted({ transcript: ended }, now), undefined);
});

test('a rule that holds only for a while after a status says when to decide again', () => {
  const since = new Date(now.getTime() - 100);
  assert.deepEqual(classifySession({ clientStatus: { status: 'busy', since }, transcript: ended }, now).decideAgainAt, new Date(since.getTime() + 1500));
  assert.deepEqual(classifySession({ clientStatus: { status: 'idle', since }, transcript: running }, now).decideAgainAt, new Date(since.getTime() + TRANSCRIPT_LAG_MS));
  assert.equal(classifySession({ clientStatus: { status: 'idle', since }, transcript: ended }, now).decideAgainAt, undefined);
});

test('an ambiguous transcript match is unknown, never a guess', () => {
  assert.equal(classifySession({ noTranscript: 'ambiguous' }, now).state, 'unknown');
  assert.equal(classifySession({ noTranscript: 'unreadable' }, now).state, 'unknown');
});

test('an idle report ahead of the transcript is the end of a turn still being written, not a stop', () => {
  const since = new Date(now.getTime() - 100);
  const lagging = classifySession({ clientStatus: { status: 'idle', since }, transcript: running }, now);
  const later = new Date(since.getTime() + TRANSCRIPT_LAG_MS);
  // Decided again when the transcript has had its time to catch up.
  assert.deepEqual(lagging, { state: 'working', reason: 'finishing the turn', rule: 'idle-transcript-lagging', decideAgainAt: later });
  assert.deepEqual(classifySession({ clientStatus: { status: 'idle', since }, transcript: running }, later), { state: 'idle', reason: 'stopped', since, rule: 'idle-stopped' });
});

test('a first answer reported before its transcript file exists is still working; a fresh session is idle', () => {
  const startedAt = new Date(now.getTime() - 20_000);
  const justAnswered = { status: 'idle', since: new Date(now.getTime() - 100), startedAt };
  const answering = classifySession({ clientStatus: justAnswered, noTranscript: 'none-yet' }, now);
  assert.deepEqual([answering.state, answering.rule], ['working', 'idle-answer-unwritten']);
  const fresh = { status: 'idle', since: new Date(startedAt.getTime() + 40), startedAt };
  assert.deepEqual(classifySession({ clientStatus: fresh, noTranscript: 'none-yet' }, new Date(startedAt.getTime() + 500)), { state: 'idle', reason: 'no prompt yet', rule: 'no-transcript' });
});

test('a prompt written after the client last said idle is working: the client reports it a moment later', () => {
  const since = new Date(now.getTime() - 60_000);
  const prompted = { verdict: { state: 'working' as const, reason: 'working on your prompt', since: new Date(now.getTime() - 200) } };
  assert.deepEqual(classifySession({ clientStatus: { status: 'idle', since }, transcript: prompted }, now), { ...prompted.verdict, rule: 'idle-transcript-ahead' });
});

test('client times in the future are not believed: an idle report from a wrong clock is no "finishing the turn"', () => {
  const future = new Date(now.getTime() + 365 * 24 * 3600_000);
  const waiting = classifySession({ clientStatus: { status: 'waiting', waitingFor: 'permission prompt', since: future }, transcript: running }, now);
  assert.equal(waiting.since, undefined);
  assert.equal(waiting.state, 'needs_input');
  const idle = classifySession({ clientStatus: { status: 'idle', since: future, startedAt: new Date(0) } }, now);
  assert.deepEqual(idle, { state: 'idle', reason: 'no prompt yet', rule: 'no-transcript' });
});

test('every rule vmux explain names is a row of docs/state-model.md', () => {
  const model = readFileSync(fileURLToPath(new URL('../../../docs/state-model.md', import.meta.url)), 'utf8');
  // The last column of the four-column table of rules.
  const named = new Set([...model.matchAll(/^(?:\|[^|\n]*){3}\| `([a-z-]+)` \|$/gm)].map((match) => match[1]));
  assert.deepEqual(new Set(Object.keys(CLASSIFICATION_RULES)), named);
});
