import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectState } from './detect-state.js';
import type { TranscriptTail } from './tail-read.js';
import type { AssistantBlock, ConversationEntry } from './transcript-record.js';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);
const MINUTE = 60;
const options = { idleThresholdMs: 10 * 60 * 1000 };

function tail(...entries: ConversationEntry[]): TranscriptTail {
  const times = entries.flatMap((entry) => (entry.at ? [entry.at.getTime()] : []));
  return { entries, truncated: false, ...(times.length > 0 ? { lastActivity: new Date(Math.max(...times)) } : {}) };
}
const prompt = (s: number, text = 'do it'): ConversationEntry => ({ kind: 'prompt', text, fromTaskNotification: false, at: at(s) });
const assistant = (s: number, blocks: AssistantBlock[], extra: { messageId?: string; stopReason?: string; apiError?: string } = {}): ConversationEntry => ({
  kind: 'assistant',
  messageId: extra.messageId ?? `msg_${s}`,
  blocks,
  ...(extra.stopReason ? { stopReason: extra.stopReason } : {}),
  ...(extra.apiError ? { apiError: extra.apiError } : {}),
  at: at(s),
});
const text = (t: string): AssistantBlock => ({ type: 'text', text: t });
const thinking: AssistantBlock = { type: 'thinking' };
const toolUse = (name: string, id = 'toolu_1'): AssistantBlock => ({ type: 'tool_use', id, name, input: { command: 'npm test' } });
const turnEnd = (s: number): ConversationEntry => ({ kind: 'turn-end', at: at(s) });

test('no conversation at all is idle: a fresh session', () => {
  assert.deepEqual(detectState(tail(), at(0), options), { state: 'idle', reason: 'no prompt yet' });
});

test('a submitted prompt with nothing after it is working', () => {
  const verdict = detectState(tail(prompt(0)), at(5), options);
  assert.equal(verdict.state, 'working');
  assert.equal(verdict.reason, 'working on your prompt');
});

test('a finished turn needs input since the answer, until the idle threshold', () => {
  const t = tail(prompt(0), assistant(10, [text('Done.')], { stopReason: 'end_turn' }), turnEnd(11));
  assert.deepEqual(detectState(t, at(10 + 2 * MINUTE), options), { state: 'needs_input', reason: 'turn ended 2 min ago', since: at(10) });
  const later = detectState(t, at(11 + 10 * MINUTE), options);
  assert.equal(later.state, 'idle');
  assert.equal(later.reason, 'turn ended 10 min ago');
});

test('the idle threshold is configurable', () => {
  const t = tail(prompt(0), assistant(10, [text('Done.')]));
  assert.equal(detectState(t, at(10 + 2 * MINUTE), { idleThresholdMs: 60_000 }).state, 'idle');
});

test('a final text with stop_reason null still ends the turn (older clients)', () => {
  const t = tail(prompt(0), assistant(10, [text('Here is the answer. Anything else?')]));
  assert.equal(detectState(t, at(20), options).state, 'needs_input');
});

test('a final text ending in a colon with no stop_reason is still being written', () => {
  const t = tail(prompt(0), assistant(10, [text('Let me check the files:')]));
  assert.equal(detectState(t, at(20), options).state, 'working');
});

test('records of one message are grouped: text then tool_use is a pending tool', () => {
  const t = tail(
    prompt(0),
    assistant(1, [thinking], { messageId: 'm' }),
    assistant(2, [text('Running the tests.')], { messageId: 'm' }),
    assistant(3, [toolUse('Bash')], { messageId: 'm', stopReason: 'tool_use' }),
  );
  assert.deepEqual(detectState(t, at(4), options), { state: 'working', reason: 'running tool: Bash', since: at(3) });
});

test('a lone thinking block is Claude mid-generation', () => {
  const t = tail(prompt(0), assistant(1, [thinking]));
  assert.equal(detectState(t, at(2), options).reason, 'thinking');
});

test('a thinking-only message followed by a stop hook summary is a finished turn', () => {
  const t = tail(prompt(0), assistant(1, [thinking]), turnEnd(2));
  assert.equal(detectState(t, at(3), options).state, 'needs_input');
});

test('a tool result with nothing after is working', () => {
  const t = tail(prompt(0), assistant(1, [toolUse('Read')]), { kind: 'tool-result', toolUseIds: ['toolu_1'], at: at(2) });
  assert.equal(detectState(t, at(3), options).state, 'working');
});

test('a question to the user or a plan to approve needs input', () => {
  const question = detectState(tail(prompt(0), assistant(1, [toolUse('AskUserQuestion')])), at(2), options);
  assert.deepEqual(question, { state: 'needs_input', reason: 'question for you', since: at(1) });
  const plan = detectState(tail(prompt(0), assistant(1, [toolUse('ExitPlanMode')])), at(2), options);
  assert.equal(plan.state, 'needs_input');
});

test('an interrupt marker is idle: the user stopped Claude', () => {
  const t = tail(prompt(0), assistant(1, [toolUse('Bash')]), { kind: 'interrupt', at: at(2) });
  assert.deepEqual(detectState(t, at(3), options), { state: 'idle', reason: 'interrupted by user', since: at(2) });
});

test('a synthetic API error message ends the turn', () => {
  const t = tail(prompt(0), assistant(1, [text('API Error: 502')], { apiError: 'API Error: 502' }));
  const verdict = detectState(t, at(30), options);
  assert.equal(verdict.state, 'needs_input');
  assert.match(verdict.reason, /API error/);
});

test('API retry notices keep a prompt working and say so', () => {
  const t = tail(prompt(0), { kind: 'api-retry', attempt: 3, maxRetries: 10, at: at(5) });
  assert.deepEqual(detectState(t, at(6), options), {
    state: 'working',
    reason: 'working on your prompt; retrying the API request (3/10)',
    since: at(0),
  });
});

test('a background task notification starts a turn like a prompt', () => {
  const t = tail(prompt(0), assistant(1, [text('ok')]), { kind: 'prompt', text: '<task-notification>…', fromTaskNotification: true, at: at(9) });
  assert.equal(detectState(t, at(10), options).state, 'working');
});

test('idle age counts from the newest record of any kind', () => {
  const t = { ...tail(prompt(0), assistant(10, [text('Done.')])), lastActivity: at(10 + 9 * MINUTE) };
  assert.equal(detectState(t, at(10 + 12 * MINUTE), options).state, 'needs_input');
});

test('a record time in the future is not believed: no "0 s" wait until that date, and no since', () => {
  const future = 365 * 24 * 60 * MINUTE;
  const t = tail(prompt(0), assistant(future, [text('Done.')], { stopReason: 'end_turn' }), turnEnd(future + 1));
  const verdict = detectState(t, at(10 * MINUTE), options);
  assert.equal(verdict.since, undefined);
  assert.equal(verdict.reason, 'turn ended');
  // A minute of clock skew between machines is still believed.
  const skewed = tail(prompt(0), assistant(40, [text('Done.')], { stopReason: 'end_turn' }));
  assert.deepEqual(detectState(skewed, at(0), options).since, at(40));
});

test('a tool stopped with Esc on the Node build (marker inside its result, then alone) reads as stopped, naming it', () => {
  const t = tail(
    prompt(0),
    assistant(1, [toolUse('Bash', 'toolu_9')]),
    { kind: 'interrupt', toolUseIds: ['toolu_9'], at: at(5) },
    { kind: 'interrupt', at: at(5) },
  );
  assert.deepEqual([detectState(t, at(6), options).state, detectState(t, at(6), options).reason], ['idle', 'you stopped Bash']);
});
