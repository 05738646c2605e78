import assert from 'node:assert/strict';
import { appendFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { FileMemo } from './file-memo.js';

/** A memo of a file's text that counts how often it really read the file. */
function counting(memo: FileMemo<string>, path: string): { get: () => string; reads: () => number } {
  let reads = 0;
  const read = () => {
    reads++;
    return `${reads}`;
  };
  return { get: () => memo.get(path, read), reads: () => reads };
}

/** Sets a file's times, so that no test depends on two writes falling in different clock ticks. */
function setModified(path: string, epochMs: number): void {
  utimesSync(path, epochMs / 1000, epochMs / 1000);
}

test('an unchanged file is read once; a file of another size is read again', () => {
  const path = join(tempDir(), 'f.json');
  writeFileSync(path, 'one');
  setModified(path, 1_000_000);
  const file = counting(new FileMemo<string>(() => 2_000_000), path);
  file.get();
  file.get();
  assert.equal(file.reads(), 1);
  writeFileSync(path, 'three');
  setModified(path, 1_000_000);
  file.get();
  assert.equal(file.reads(), 2);
});

test('a file rewritten to the same size in the same clock tick is read again when it was read in that tick', () => {
  const path = join(tempDir(), 'f.json');
  let now = 5_000_000;
  const memo = new FileMemo<string>(() => now);
  writeFileSync(path, '{"status":"idle"}');
  setModified(path, now);
  const file = counting(memo, path);
  assert.equal(file.get(), '1');
  // Same length, same modification time: only the time of the first read tells it may have changed.
  writeFileSync(path, '{"status":"busy"}');
  setModified(path, now);
  assert.equal(file.get(), '2');
  now += 5_000;
  assert.equal(file.get(), '3', 'read once more, now that its time is safely past');
  assert.equal(file.get(), '3');
});

test('without a clock, every value is kept while the file keeps its size and times (files that only grow)', () => {
  const path = join(tempDir(), 't.jsonl');
  writeFileSync(path, 'a\n');
  const file = counting(new FileMemo<string>(), path);
  file.get();
  file.get();
  assert.equal(file.reads(), 1);
  appendFileSync(path, 'b\n');
  file.get();
  assert.equal(file.reads(), 2);
});

test('a stat the caller took a moment ago spares the memo its own', () => {
  const path = join(tempDir(), 'f.json');
  writeFileSync(path, 'x');
  const known = statSync(path);
  rmSync(path);
  assert.throws(() => new FileMemo<string>().get(path, () => 'unused'), { code: 'ENOENT' });
  assert.equal(new FileMemo<string>().get(path, () => 'read', known), 'read');
});

test('files not asked for in a round are forgotten', () => {
  const dir = tempDir();
  const memo = new FileMemo<string>();
  for (const name of ['a', 'b']) {
    writeFileSync(join(dir, name), name);
    memo.get(join(dir, name), () => name);
  }
  memo.endRound();
  assert.equal(memo.size, 2);
  memo.get(join(dir, 'a'), () => 'a');
  memo.endRound();
  assert.equal(memo.size, 1);
});
