import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { TailCache } from './tail-cache.js';
import { tailReadJsonl, type TranscriptTail } from './tail-read.js';

function counting(path: string): { read: () => TranscriptTail; reads: () => number } {
  let reads = 0;
  return {
    read: () => {
      reads++;
      return tailReadJsonl(path, 10);
    },
    reads: () => reads,
  };
}

test('an unchanged transcript is read once; an appended one is read again', () => {
  const path = join(tempDir(), 't.jsonl');
  writeFileSync(path, '{"type":"user","uuid":"a","message":{"role":"user","content":"hi"}}\n');
  const cache = new TailCache();
  const reader = counting(path);
  cache.get(path, reader.read);
  cache.endRound();
  cache.get(path, reader.read);
  assert.equal(reader.reads(), 1);
  appendFileSync(path, '{"type":"assistant","uuid":"b","parentUuid":"a","message":{"id":"m","content":[{"type":"text","text":"ok"}]}}\n');
  assert.equal(cache.get(path, reader.read).entries.length, 2);
  assert.equal(reader.reads(), 2);
});

test('files not asked for in a round are forgotten', () => {
  const dir = tempDir();
  const cache = new TailCache();
  for (const name of ['a', 'b']) {
    writeFileSync(join(dir, `${name}.jsonl`), '\n');
    cache.get(join(dir, `${name}.jsonl`), () => tailReadJsonl(join(dir, `${name}.jsonl`), 10));
  }
  cache.endRound();
  assert.equal(cache.size, 2);
  cache.get(join(dir, 'a.jsonl'), () => tailReadJsonl(join(dir, 'a.jsonl'), 10));
  cache.endRound();
  assert.equal(cache.size, 1);
});

test('a vanished transcript throws, as a read would', () => {
  assert.throws(() => new TailCache().get(join(tempDir(), 'gone.jsonl'), () => ({ entries: [], truncated: false })), { code: 'ENOENT' });
});
