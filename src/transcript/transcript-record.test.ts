import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readTranscriptRecord } from './transcript-record.js';

const envelope = { uuid: 'u1', parentUuid: 'u0', timestamp: '2026-11-20T10:00:00.000Z', gitBranch: 'main' };
const user = (content: unknown, extra: Record<string, unknown> = {}) =>
  readTranscriptRecord({ ...envelope, type: 'user', message: { role: 'user', content }, ...extra })?.entry;

test('a typed prompt, as a string or text blocks, is a prompt', () => {
  assert.equal(user('fix it')?.kind, 'prompt');
  assert.equal(user([{ type: 'text', text: 'fix it' }, { type: 'image' }])?.kind, 'prompt');
});

test('tool results are not prompts', () => {
  assert.deepEqual(user([{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }]), {
    kind: 'tool-result',
    toolUseIds: ['toolu_1'],
    at: new Date('2026-11-20T10:00:00.000Z'),
  });
});

test('interrupt markers in every form', () => {
  assert.equal(user([{ type: 'text', text: '[Request interrupted by user]' }])?.kind, 'interrupt');
  assert.equal(user('[Request interrupted by user for tool use]')?.kind, 'interrupt');
  // 1.0.x: the marker starts the declined tool's result.
  assert.equal(user([{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: '[Request interrupted by user for tool use]' }] }])?.kind, 'interrupt');
});

test('local commands, meta records and compaction summaries are not prompts', () => {
  assert.equal(user('<command-name>/clear</command-name>\n<command-message>clear</command-message>'), undefined);
  assert.equal(user('<local-command-stdout></local-command-stdout>'), undefined);
  assert.equal(user('Unknown skill: dream'), undefined);
  assert.equal(user('<bash-input>ls</bash-input>'), undefined);
  assert.equal(user('Caveat: …', { isMeta: true }), undefined);
  assert.equal(user('This session is being continued…', { isCompactSummary: true }), undefined);
  assert.equal(user('subagent prompt', { isSidechain: true }), undefined);
});

test('a task notification starts a turn', () => {
  const entry = user('<task-notification><summary>done</summary></task-notification>');
  assert.ok(entry?.kind === 'prompt' && entry.fromTaskNotification);
});

test('assistant records keep their blocks, message id and stop reason', () => {
  const record = readTranscriptRecord({
    ...envelope,
    type: 'assistant',
    message: { id: 'msg_1', stop_reason: null, content: [{ type: 'thinking', thinking: '…' }, { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } }] },
  });
  assert.deepEqual(record?.entry, {
    kind: 'assistant',
    messageId: 'msg_1',
    blocks: [{ type: 'thinking' }, { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } }],
    at: new Date('2026-11-20T10:00:00.000Z'),
  });
  assert.equal(record?.gitBranch, 'main');
  assert.equal(record?.parentUuid, 'u0');
});

test('a synthetic API error message carries its text', () => {
  const entry = readTranscriptRecord({
    type: 'assistant',
    isApiErrorMessage: true,
    message: { id: 'x', model: '<synthetic>', content: [{ type: 'text', text: 'API Error: 502 Bad Gateway' }] },
  })?.entry;
  assert.ok(entry?.kind === 'assistant');
  assert.equal(entry.apiError, 'API Error: 502 Bad Gateway');
});

test('a malformed assistant message (content spread into an object) says nothing', () => {
  const record = readTranscriptRecord({ ...envelope, type: 'assistant', message: { 0: 'e', 1: 'v' } });
  assert.equal(record?.entry, undefined);
  assert.equal(record?.uuid, 'u1');
});

test('system records: turn end, API retry, compaction; everything else is noise', () => {
  assert.equal(readTranscriptRecord({ type: 'system', subtype: 'turn_duration' })?.entry?.kind, 'turn-end');
  assert.deepEqual(readTranscriptRecord({ type: 'system', subtype: 'turn_duration', pendingBackgroundAgentCount: 1 })?.entry, { kind: 'turn-end', pendingBackgroundAgents: 1 });
  assert.equal(readTranscriptRecord({ type: 'system', subtype: 'compact_boundary' })?.entry?.kind, 'compacted');
  assert.equal(readTranscriptRecord({ type: 'system', subtype: 'stop_hook_summary' })?.entry?.kind, 'turn-end');
  assert.deepEqual(readTranscriptRecord({ type: 'system', subtype: 'api_error', retryAttempt: 2, maxRetries: 10 })?.entry, {
    kind: 'api-retry',
    attempt: 2,
    maxRetries: 10,
  });
  for (const subtype of ['local_command', 'informational', 'away_summary', undefined]) {
    assert.equal(readTranscriptRecord({ type: 'system', subtype })?.entry, undefined);
  }
});

test('non-objects and odd field types are tolerated', () => {
  assert.equal(readTranscriptRecord(null), undefined);
  assert.equal(readTranscriptRecord([1]), undefined);
  assert.deepEqual(readTranscriptRecord({ type: 42, uuid: 7, timestamp: 'yesterday' }), {});
});

test('a timestamp outside the years 2000–9999 is no time: waiting_since stays RFC 3339', () => {
  for (const timestamp of ['+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '+010000-01-01T00:00:00.000Z']) {
    const record = readTranscriptRecord({ ...envelope, timestamp, type: 'user', message: { role: 'user', content: 'hi' } });
    assert.equal(record?.timeMs, undefined, timestamp);
    assert.equal(record?.entry?.at, undefined, timestamp);
  }
  assert.equal(readTranscriptRecord({ ...envelope, timestamp: '9999-12-31T23:59:59.000Z', type: 'user', message: { role: 'user', content: 'hi' } })?.timeMs, Date.UTC(9999, 11, 31, 23, 59, 59));
});

test('2.1.332 api-request records: one per attempt of a main-conversation request, side requests are noise', () => {
  assert.equal(readTranscriptRecord({ ...envelope, type: 'api-request', querySource: 'repl_main_thread' })?.entry?.kind, 'api-request');
  assert.equal(readTranscriptRecord({ ...envelope, type: 'api-request', querySource: 'generate_session_title' })?.entry, undefined);
});

test('background work: a shell run in the background and an agent launched asynchronously, and the notification of their end', () => {
  const shell = user([{ type: 'tool_result', tool_use_id: 'toolu_sh', content: 'Command running in background with ID: bn8tk59ew. Output is being written to: /tmp/x.output' }], {
    toolUseResult: { backgroundTaskId: 'bn8tk59ew' },
  });
  assert.deepEqual(shell?.kind === 'tool-result' ? shell.backgroundLaunches : undefined, [{ toolUseId: 'toolu_sh', kind: 'shell' }]);
  // 2.1.100 writes only the text.
  const oldShell = user([{ type: 'tool_result', tool_use_id: 'toolu_old', content: 'Command running in background with ID: bja90an0i. Output is being written to: /tmp/y' }]);
  assert.deepEqual(oldShell?.kind === 'tool-result' ? oldShell.backgroundLaunches : undefined, [{ toolUseId: 'toolu_old', kind: 'shell' }]);
  const agent = user([{ type: 'tool_result', tool_use_id: 'toolu_ag', content: [{ type: 'text', text: 'Async agent launched successfully.' }] }], {
    toolUseResult: { isAsync: true, status: 'async_launched', agentId: 'a67c5bbeb280a5d95' },
  });
  assert.deepEqual(agent?.kind === 'tool-result' ? agent.backgroundLaunches : undefined, [{ toolUseId: 'toolu_ag', kind: 'agent' }]);
  const done = user('<task-notification>\n<task-id>bn8tk59ew</task-id>\n<tool-use-id>toolu_sh</tool-use-id>\n<status>completed</status>');
  assert.deepEqual(done?.kind === 'prompt' ? [done.fromTaskNotification, done.finishedToolUseId] : undefined, [true, 'toolu_sh']);
});

test('a declined or stopped tool call is marked rejected; a plain error result is not', () => {
  const rejected = user([{ type: 'tool_result', tool_use_id: 't', is_error: true, content: "The user doesn't want to proceed with this tool use. The tool use was rejected." }]);
  assert.equal(rejected?.kind === 'tool-result' && rejected.rejected, true);
  const failed = user([{ type: 'tool_result', tool_use_id: 't', is_error: true, content: 'Exit code 1' }]);
  assert.equal(failed?.kind === 'tool-result' && failed.rejected, undefined);
});

test('a synthetic filler ("No response requested.") is no message; a synthetic API error is one', () => {
  const assistant = (text: string, extra: Record<string, unknown> = {}) =>
    readTranscriptRecord({ ...envelope, type: 'assistant', message: { id: 'm', model: '<synthetic>', role: 'assistant', content: [{ type: 'text', text }] }, ...extra })?.entry;
  assert.equal(assistant('No response requested.'), undefined);
  const error = assistant('API Error: Repeated 529 Overloaded errors', { isApiErrorMessage: true });
  assert.equal(error?.kind === 'assistant' ? error.apiError : undefined, 'API Error: Repeated 529 Overloaded errors');
});
