import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { TranscriptBuilder } from '../../test/support/transcript-builder.js';
import { SavedTails } from './saved-tails.js';
import { tailReadJsonl, type TranscriptTail } from './tail-read.js';
import { knownReadingOf, readingOf } from './tail-reading.js';

const CLAUDE_DIR = '/home/u/.claude';
const at = new Date('2026-11-30T12:00:00Z');

/** A transcript with a tool call, its result and an answer, last changed a minute ago (settled). */
function transcript(dir: string): TranscriptBuilder {
  const builder = new TranscriptBuilder(join(dir, 'session.jsonl'), 'session', '/work/project');
  const id = 'toolu_1';
  builder.prompt('run the tests', at).toolUse('Bash', { command: 'npm test' }, at, id).toolResult(id, 'ok', at).assistantText('All tests pass.', at).turnDuration(at);
  settle(builder.path);
  return builder;
}

function settle(path: string): void {
  const minuteAgo = new Date(Date.now() - 60_000);
  utimesSync(path, minuteAgo, minuteAgo);
}

/** One run of a command: open the saved tails, read the transcript through them, save. */
function listOnce(cacheDir: string, path: string, version = '1.0.0'): { tail: TranscriptTail; read: boolean } {
  const saved = SavedTails.open(cacheDir, CLAUDE_DIR, version);
  let read = false;
  const tail = saved.get(path, () => {
    read = true;
    return tailReadJsonl(path, 10);
  });
  // As a scan does: what the tail shows is worked out from it (or was kept with it).
  readingOf(tail);
  saved.save(version);
  return { tail, read };
}

test('a transcript unchanged since the last run is not read again: its tail comes back whole, dates and all', () => {
  const root = tempDir();
  const cacheDir = join(root, 'cache');
  const { path } = transcript(root);
  const first = listOnce(cacheDir, path);
  assert.equal(first.read, true);
  assert.deepEqual(readdirSync(cacheDir).filter((name) => name.startsWith('tails-')).length, 1);
  const second = listOnce(cacheDir, path);
  assert.equal(second.read, false);
  assert.deepEqual(second.tail, first.tail);
  assert.ok(second.tail.entries.every((entry) => entry.at instanceof Date));
});

test('a tail comes back with its reading (preview, pending tool, background work), which is not worked out again', () => {
  const root = tempDir();
  const cacheDir = join(root, 'cache');
  const { path } = transcript(root);
  const first = listOnce(cacheDir, path);
  const saved = SavedTails.open(cacheDir, CLAUDE_DIR, '1.0.0');
  const tail = saved.get(path, () => assert.fail('read again'));
  assert.deepEqual(knownReadingOf(tail), readingOf(first.tail));
  assert.equal(knownReadingOf(tail)?.preview, 'All tests pass.');

  // A reading that is not one is worked out afresh; the tail itself is still good.
  const [file = ''] = readdirSync(cacheDir).filter((name) => name.startsWith('tails-'));
  const content = JSON.parse(readFileSync(join(cacheDir, file), 'utf8')) as { tails: Record<string, { reading: unknown }> };
  for (const entry of Object.values(content.tails)) entry.reading = { preview: 42 };
  writeFileSync(join(cacheDir, file), JSON.stringify(content));
  const again = SavedTails.open(cacheDir, CLAUDE_DIR, '1.0.0').get(path, () => assert.fail('read again'));
  assert.equal(knownReadingOf(again), undefined);
  assert.equal(readingOf(again).preview, 'All tests pass.');
});

test('a transcript that grew, or was written just now, is read again', () => {
  const root = tempDir();
  const cacheDir = join(root, 'cache');
  const builder = transcript(root);
  listOnce(cacheDir, builder.path);
  builder.prompt('and the linter', new Date(at.getTime() + 1000));
  // Changed a moment ago: its time may not tell the next change yet, so it is read next time too.
  assert.equal(listOnce(cacheDir, builder.path).read, true);
  const grown = listOnce(cacheDir, builder.path);
  assert.equal(grown.read, true);
  assert.equal(grown.tail.entries.at(-1)?.kind, 'prompt');
  settle(builder.path);
  listOnce(cacheDir, builder.path);
  assert.equal(listOnce(cacheDir, builder.path).read, false);
});

test('saved tails of another vmux, a damaged file, or a cache folder others may write are not used', () => {
  const root = tempDir();
  const cacheDir = join(root, 'cache');
  const { path } = transcript(root);
  listOnce(cacheDir, path, '1.0.0');
  assert.equal(listOnce(cacheDir, path, '1.0.1').read, true, 'another version');
  const [file] = readdirSync(cacheDir).filter((name) => name.startsWith('tails-'));
  assert.ok(file);
  writeFileSync(join(cacheDir, file), '{"format":3,"version":"1.0.1","tails":{"');
  assert.equal(listOnce(cacheDir, path, '1.0.1').read, true, 'a torn file');
  writeFileSync(join(cacheDir, file), JSON.stringify({ format: 3, version: '1.0.1', tails: { [path]: { ino: 1, size: 2, mtimeMs: 3, settled: true, value: { entries: [{ kind: 'rm -rf' }], truncated: false } } } }));
  assert.equal(listOnce(cacheDir, path, '1.0.1').read, true, 'a tail that is none');
  const shared = join(root, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o777);
  listOnce(shared, path);
  assert.deepEqual(readdirSync(shared), [], 'nothing written where others may write');
  assert.equal(listOnce(shared, path).read, true);
});
