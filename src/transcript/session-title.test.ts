import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { callInChild } from '../../test/support/call-in-child.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { readSessionTitle } from './session-title.js';

const dir = tempDir('vmux-title-');
let files = 0;
function transcript(...records: readonly (object | string)[]): string {
  const path = join(dir, `t${++files}.jsonl`);
  writeFileSync(path, records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
  return path;
}
const prompt = { type: 'user', message: { role: 'user', content: 'fix the "-title" parsing' }, timestamp: '2026-11-25T10:00:00Z' };

test('the newest ai-title names the session', () => {
  const path = transcript({ type: 'ai-title', aiTitle: 'Old topic' }, prompt, { type: 'ai-title', aiTitle: 'Fix login page' }, prompt);
  assert.equal(readSessionTitle(path), 'Fix login page');
});

test('a custom-title (/rename) wins over any ai-title, wherever it is', () => {
  assert.equal(readSessionTitle(transcript({ type: 'custom-title', customTitle: 'billing' }, { type: 'ai-title', aiTitle: 'Topic' }, prompt)), 'billing');
  assert.equal(readSessionTitle(transcript({ type: 'ai-title', aiTitle: 'Topic' }, { type: 'custom-title', customTitle: 'first' }, { type: 'custom-title', customTitle: 'second' })), 'second');
});

test('no title, a torn or malformed title line, an empty title, or no file: undefined', () => {
  assert.equal(readSessionTitle(transcript(prompt)), undefined);
  assert.equal(readSessionTitle(transcript('{"type":"ai-title","aiTitle":"Tor', '{"type":"custom-title","customTitle":"  "}', '["ai-title"]')), undefined);
  assert.equal(readSessionTitle(transcript('{"type":"ai-title","aiTitle":"Kept"}', '{"type":"custom-title","customTitle":"x"')), 'Kept');
  assert.equal(readSessionTitle(join(dir, 'missing.jsonl')), undefined);
});

test('a FIFO in place of the transcript has no title, at once', () => {
  const fifo = join(dir, 'fifo.jsonl');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  // In a child, so that a read waiting for a writer fails the test instead of freezing it.
  assert.equal(callInChild(new URL('./session-title.js', import.meta.url).href, 'readSessionTitle', [fifo]).value, undefined);
});
