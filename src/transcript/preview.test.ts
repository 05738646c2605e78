import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractPreview, pendingToolName, PREVIEW_MAX_CHARACTERS } from './preview.js';
import type { TranscriptTail } from './tail-read.js';
import type { AssistantBlock, ConversationEntry } from './transcript-record.js';

function tail(...entries: ConversationEntry[]): TranscriptTail {
  return { entries, truncated: false };
}
const prompt = (text: string, fromTaskNotification = false): ConversationEntry => ({ kind: 'prompt', text, fromTaskNotification });
const assistant = (...blocks: AssistantBlock[]): ConversationEntry => ({ kind: 'assistant', messageId: 'm', blocks });

test('preview of a pending tool names the tool and its subject', () => {
  const t = tail(prompt('run the tests'), assistant({ type: 'text', text: 'Running them.' }, { type: 'tool_use', id: 't', name: 'Bash', input: { command: 'npm test' } }));
  assert.equal(extractPreview(t), 'Bash: npm test');
  assert.equal(pendingToolName(t), 'Bash');
});

test('preview of a prompt being worked on is the prompt', () => {
  assert.equal(extractPreview(tail(assistant({ type: 'text', text: 'old answer' }), prompt('fix the bug'))), 'fix the bug');
  assert.equal(pendingToolName(tail(prompt('fix the bug'))), undefined);
});

test('preview of a finished turn is the last thing Claude said', () => {
  assert.equal(extractPreview(tail(prompt('q'), assistant({ type: 'text', text: 'All tests pass.' }))), 'All tests pass.');
});

test('preview collapses whitespace and strips terminal escape sequences', () => {
  const hostile = 'Done.\n\n\u001b[2J\u001b]0;pwned\u0007\u001b[31mred\u001b[0m\tand\u0000more\u009b31m';
  assert.equal(extractPreview(tail(assistant({ type: 'text', text: hostile }))), 'Done. red and more');
});

test('preview is at most 100 characters and never cuts a character in half', () => {
  const long = '🎉'.repeat(150);
  const preview = extractPreview(tail(assistant({ type: 'text', text: long })));
  assert.equal([...preview].length, PREVIEW_MAX_CHARACTERS);
  assert.ok(preview.endsWith('…'));
  assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(preview), 'no lone surrogate');
});

test('preview of a background task notification says so', () => {
  const t = tail(prompt('<task-notification><task-id>b1</task-id><summary>Build finished</summary></task-notification>', true));
  assert.equal(extractPreview(t), 'background task: Build finished');
});

test('preview of an empty conversation is empty', () => {
  assert.equal(extractPreview(tail()), '');
});
