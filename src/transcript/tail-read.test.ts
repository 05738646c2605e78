import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { callInChild } from '../../test/support/call-in-child.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { TranscriptBuilder } from '../../test/support/transcript-builder.js';
import { conversationOrder, tailReadJsonl } from './tail-read.js';
import type { TranscriptRecord } from './transcript-record.js';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

function transcript(): TranscriptBuilder {
  return new TranscriptBuilder(join(tempDir(), 'session.jsonl'), 'session', '/work/project', 'feature-x');
}

function kinds(path: string, n = 50): string[] {
  return tailReadJsonl(path, n).entries.map((entry) => entry.kind);
}

test('tailReadJsonl returns the last records in conversation order', () => {
  const t = transcript().prompt('hello', at(0)).assistantText('hi there', at(1)).turnDuration(at(2));
  const tail = tailReadJsonl(t.path, 50);
  assert.deepEqual(tail.entries.map((e) => e.kind), ['prompt', 'assistant', 'turn-end']);
  assert.equal(tail.gitBranch, 'feature-x');
  assert.deepEqual(tail.lastActivity, at(2));
  assert.equal(tail.truncated, false);
});

test('tailReadJsonl keeps only the last n conversation records', () => {
  const t = transcript();
  for (let i = 0; i < 30; i++) t.prompt(`question ${i}`, at(2 * i)).assistantText(`answer ${i}`, at(2 * i + 1));
  const tail = tailReadJsonl(t.path, 5);
  assert.equal(tail.entries.length, 5);
  assert.equal(tail.truncated, true);
  const lastEntry = tail.entries.at(-1);
  assert.ok(lastEntry?.kind === 'assistant' && lastEntry.blocks[0]?.type === 'text');
  assert.equal(lastEntry.blocks[0].text, 'answer 29');
});

test('noise records do not push the deciding records out of the tail', () => {
  const t = transcript().prompt('hello', at(0)).assistantText('done', at(1)).turnDuration(at(2));
  const noise = [
    { type: 'file-history-snapshot', messageId: 'x', snapshot: {} },
    { type: 'last-prompt', lastPrompt: 'hello' },
    { type: 'ai-title', aiTitle: 'greeting' },
    { type: 'mode', mode: 'default' },
    { type: 'permission-mode', permissionMode: 'default' },
    { type: 'attachment', uuid: 'att', attachment: { type: 'hook_success' }, timestamp: at(3).toISOString() },
    { type: 'progress', data: { type: 'hook_progress' } },
    { type: 'queue-operation', operation: 'enqueue' },
    { type: 'summary', summary: 'x', leafUuid: 'y' },
    { type: 'system', subtype: 'away_summary', content: 'recap' },
  ];
  for (let i = 0; i < 500; i++) appendFileSync(t.path, `${JSON.stringify(noise[i % noise.length])}\n`);
  assert.deepEqual(kinds(t.path, 3), ['prompt', 'assistant', 'turn-end']);
});

test('a torn last line is skipped', () => {
  const t = transcript().prompt('hello', at(0)).assistantText('hi', at(1));
  appendFileSync(t.path, '{"type":"user","message":{"role":"user","content":"half a rec');
  assert.deepEqual(kinds(t.path), ['prompt', 'assistant']);
});

test('a complete last line without a newline is read', () => {
  const path = join(tempDir(), 'no-newline.jsonl');
  writeFileSync(path, JSON.stringify({ type: 'user', uuid: 'u', message: { role: 'user', content: 'hi' } }));
  assert.deepEqual(kinds(path), ['prompt']);
});

test('malformed and binary lines are skipped', () => {
  const t = transcript().prompt('hello', at(0));
  appendFileSync(t.path, 'not json\n[1,2,3]\n"string"\nnull\n\n');
  appendFileSync(t.path, Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x0a]));
  t.assistantText('hi', at(1));
  assert.deepEqual(kinds(t.path), ['prompt', 'assistant']);
});

test('an empty or missing-newline-only file has no conversation', () => {
  const path = join(tempDir(), 'empty.jsonl');
  writeFileSync(path, '');
  assert.deepEqual(tailReadJsonl(path, 10).entries, []);
  writeFileSync(path, '\n\n\n');
  assert.deepEqual(tailReadJsonl(path, 10).entries, []);
});

test('a missing file throws', () => {
  assert.throws(() => tailReadJsonl(join(tempDir(), 'absent.jsonl'), 10), { code: 'ENOENT' });
});

test('a FIFO or a device named like a transcript is refused at once, not waited on or read forever', () => {
  const dir = tempDir();
  const fifo = join(dir, 'fifo.jsonl');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const zero = join(dir, 'zero.jsonl');
  symlinkSync('/dev/zero', zero);
  // In a child: a blocked open would stop this process's event loop, and its test timeout with it.
  const tailRead = new URL('./tail-read.js', import.meta.url).href;
  for (const path of [fifo, zero]) {
    assert.throws(() => callInChild(tailRead, 'tailReadJsonl', [path, 10]), /is not a regular file/);
  }
});

test('UTF-8 characters split across read blocks come back whole', () => {
  const t = transcript().prompt('start', at(0));
  // A prompt long enough to straddle several 64 KiB blocks, made of 3- and 4-byte characters.
  const text = '道友的宝贝🎉'.repeat(12_000);
  t.prompt(text, at(1));
  const last = tailReadJsonl(t.path, 10).entries.at(-1);
  assert.ok(last?.kind === 'prompt');
  assert.equal(last.text, text);
});

test('a single line over the cap is skipped without stopping the reading', () => {
  const t = transcript().prompt('before', at(0));
  t.toolResult('toolu_big', 'x'.repeat(10 * 1024 * 1024), at(1));
  t.assistantText('after', at(2));
  const tail = tailReadJsonl(t.path, 10);
  assert.deepEqual(tail.entries.map((e) => e.kind), ['prompt', 'assistant']);
});

test('a small line cap skips long lines of any kind', () => {
  const t = transcript().prompt('short', at(0)).prompt('a much longer prompt '.repeat(20), at(1));
  assert.deepEqual(kinds(t.path), ['prompt', 'prompt']);
  const capped = tailReadJsonl(t.path, 10, { maxLineBytes: 300 });
  assert.equal(capped.entries.length, 1);
});

test('reading stops at the byte budget, so cost does not grow with the file', () => {
  const t = transcript();
  for (let i = 0; i < 2000; i++) appendFileSync(t.path, `${JSON.stringify({ type: 'attachment', attachment: { type: 'x', pad: 'p'.repeat(500) } })}\n`);
  t.prompt('recent', at(0));
  const tail = tailReadJsonl(t.path, 10, { maxTailBytes: 64 * 1024 });
  assert.equal(tail.truncated, true);
  assert.deepEqual(tail.entries.map((e) => e.kind), ['prompt']);
});

test('sidechain and meta records do not enter the main conversation', () => {
  const t = transcript().prompt('main prompt', at(0));
  appendFileSync(t.path, `${JSON.stringify({ type: 'user', isSidechain: true, uuid: 's1', message: { role: 'user', content: 'subagent task' } })}\n`);
  appendFileSync(t.path, `${JSON.stringify({ type: 'user', isMeta: true, uuid: 'm1', message: { role: 'user', content: 'Caveat: …' } })}\n`);
  assert.deepEqual(kinds(t.path), ['prompt']);
});

function record(uuid: string, parentUuid: string | undefined, seconds: number | undefined, entry: TranscriptRecord['entry']): TranscriptRecord {
  return {
    uuid,
    ...(parentUuid !== undefined ? { parentUuid } : {}),
    ...(seconds !== undefined ? { timeMs: T0 + seconds * 1000 } : {}),
    ...(entry !== undefined ? { entry } : {}),
  };
}

test('a prompt written after its own answer is ordered before it (parentUuid chain)', () => {
  const answer = record('answer', 'prompt', 5, { kind: 'assistant', messageId: 'm', blocks: [{ type: 'text', text: 'ok' }] });
  const ended = record('ended', 'answer', 6, { kind: 'turn-end' });
  // Same timestamp as the answer: only the chain can tell the order.
  const prompt = record('prompt', 'before', 5, { kind: 'prompt', text: 'go', fromTaskNotification: false });
  const ordered = conversationOrder([answer, ended, prompt]).map((r) => r.uuid);
  assert.deepEqual(ordered, ['prompt', 'answer', 'ended']);
});

test('results of parallel tool calls, hanging off different tool_use records, follow time', () => {
  const useA = record('useA', 'p', 1, undefined);
  const useB = record('useB', 'useA', 2, undefined);
  const resultB = record('resultB', 'useB', 3, undefined);
  const resultA = record('resultA', 'useA', 4, undefined);
  const next = record('next', 'resultA', 5, undefined);
  const ordered = conversationOrder([useA, useB, resultB, resultA, next]).map((r) => r.uuid);
  assert.deepEqual(ordered, ['useA', 'useB', 'resultB', 'resultA', 'next']);
});

test('records without timestamps keep their place; a cycle of parent links loses nothing', () => {
  const a = record('a', undefined, 1, undefined);
  const untimed = record('b', undefined, undefined, undefined);
  const c = record('c', undefined, 2, undefined);
  assert.deepEqual(conversationOrder([a, untimed, c]).map((r) => r.uuid), ['a', 'b', 'c']);
  const x = record('x', 'y', 1, undefined);
  const y = record('y', 'x', 2, undefined);
  assert.deepEqual(conversationOrder([x, y]).map((r) => r.uuid).sort(), ['x', 'y']);
});
