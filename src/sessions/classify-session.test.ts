import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifySession } from './classify-session.js';

const ended = { verdict: { state: 'needs_input' as const, reason: 'turn ended 1 min ago', since: new Date(1000) } };
const running = { verdict: { state: 'working' as const, reason: 'running tool: Bash' }, pendingTool: 'Bash' };

test('a waiting client at a permission prompt needs input, and the reason names the tool', () => {
  const since = new Date(5000);
  const verdict = classifySession({ clientStatus: { status: 'waiting', waitingFor: 'permission prompt', since }, transcript: running });
  assert.deepEqual(verdict, { state: 'needs_input', reason: 'waiting for permission: Bash', since });
});

test('a busy client is working whatever the transcript says', () => {
  assert.equal(classifySession({ clientStatus: { status: 'busy' }, transcript: ended }).state, 'working');
  assert.equal(classifySession({ clientStatus: { status: 'busy' }, transcript: running }).reason, 'running tool: Bash');
});

test('an idle client: the transcript tells a finished turn from an interrupt', () => {
  assert.deepEqual(classifySession({ clientStatus: { status: 'idle' }, transcript: ended }), ended.verdict);
  const interrupted = { verdict: { state: 'idle' as const, reason: 'interrupted by user' } };
  assert.equal(classifySession({ clientStatus: { status: 'idle' }, transcript: interrupted }).state, 'idle');
});

test('an idle client with no transcript yet is a fresh session', () => {
  assert.deepEqual(classifySession({ clientStatus: { status: 'idle' }, noTranscript: 'none-yet' }), { state: 'idle', reason: 'no prompt yet' });
});

test('without a client status the transcript decides (older clients, -p runs)', () => {
  assert.deepEqual(classifySession({ transcript: ended }), ended.verdict);
  assert.deepEqual(classifySession({ transcript: running }), running.verdict);
});

test('an ambiguous transcript match is unknown, never a guess', () => {
  assert.equal(classifySession({ noTranscript: 'ambiguous' }).state, 'unknown');
  assert.equal(classifySession({ noTranscript: 'unreadable' }).state, 'unknown');
});
