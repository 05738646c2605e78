import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { LabelStore } from './label-store.js';

const ID = '5e550000-0000-4000-8000-000000000001';
const OTHER = '5e550000-0000-4000-8000-000000000002';

/** A labels.json path in a folder of its own. */
function labelsPath(): string {
  return join(tempDir('vmux-labels-'), 'labels.json');
}

function onDisk(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

test('label store set get', () => {
  const store = LabelStore.open(labelsPath());
  assert.equal(store.get(ID), undefined);
  store.set(ID, 'review MR');
  assert.equal(store.get(ID), 'review MR');
  store.set(OTHER, 'deploy');
  store.set(ID, 'review MR 2');
  assert.equal(store.get(ID), 'review MR 2');
  assert.equal(store.get(OTHER), 'deploy');
  assert.equal(store.size, 2);
});

test('label store persistence', () => {
  const path = labelsPath();
  const store = LabelStore.open(path);
  store.set(ID, 'review MR');
  store.set(OTHER, '\u00e9t\u00e9 \u{1F680} "quoted"');
  // Saved before set returns: the file holds it already, as a JSON object by session id.
  assert.deepEqual(onDisk(path), { [ID]: 'review MR', [OTHER]: '\u00e9t\u00e9 \u{1F680} "quoted"' });

  const reopened = LabelStore.open(path);
  assert.equal(reopened.get(ID), 'review MR');
  assert.equal(reopened.get(OTHER), '\u00e9t\u00e9 \u{1F680} "quoted"');
  assert.equal(reopened.size, 2);
});

test('label store load missing', () => {
  const path = labelsPath();
  let reported = 0;
  const store = LabelStore.open(path, () => reported++);
  assert.equal(store.size, 0);
  assert.equal(reported, 0, 'a missing file is not corrupt');
  assert.equal(existsSync(path), false, 'opening creates nothing');
});

test('label store: an empty label deletes the label, on disk too', () => {
  const path = labelsPath();
  const store = LabelStore.open(path);
  store.set(ID, 'review MR');
  store.set(OTHER, 'deploy');
  store.set(ID, '');
  assert.equal(store.get(ID), undefined);
  assert.equal(store.size, 1);
  assert.deepEqual(onDisk(path), { [OTHER]: 'deploy' });
  assert.equal(LabelStore.open(path).get(ID), undefined);
  store.set('never-labelled', '');
  assert.deepEqual(onDisk(path), { [OTHER]: 'deploy' }, 'removing a label that is not there changes nothing');
});

test('label store: the file is mode 0600, also when an older file was readable by others', () => {
  const path = labelsPath();
  writeFileSync(path, JSON.stringify({ [OTHER]: 'old' }));
  chmodSync(path, 0o644);
  LabelStore.open(path).set(ID, 'review MR');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(onDisk(path), { [OTHER]: 'old', [ID]: 'review MR' });
});

test('label store: a temp file left by a crash does not lend the new file its mode', () => {
  const path = labelsPath();
  // What a daemon killed between creating its temp file and renaming it leaves (same PID: reused).
  const leftover = `${path}.tmp-${process.pid}`;
  writeFileSync(leftover, '{"half": ');
  chmodSync(leftover, 0o644);
  LabelStore.open(path).set(ID, 'review MR');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(onDisk(path), { [ID]: 'review MR' });
  assert.equal(existsSync(leftover), false);
});

test('label store: temp files of writers that died are removed when the store opens', () => {
  const path = labelsPath();
  // PIDs above the kernel's maximum cannot be running.
  const dead = `${path}.tmp-99999999`;
  writeFileSync(dead, '{"half": ');
  const alive = `${path}.tmp-1`;
  writeFileSync(alive, '{}');
  LabelStore.open(path);
  assert.equal(existsSync(dead), false);
  assert.equal(existsSync(alive), true, 'a live writer keeps its file');
});

test('label store: no temp file is left behind', () => {
  const path = labelsPath();
  const store = LabelStore.open(path);
  for (let i = 0; i < 20; i++) store.set(`id-${i % 3}`, `label ${i}`);
  store.set('id-0', '');
  assert.deepEqual(readdirSync(join(path, '..')), ['labels.json']);
});

test('label store: a save that fails leaves no temp file and changes nothing in memory', () => {
  const path = labelsPath();
  const store = LabelStore.open(path);
  store.set(ID, 'kept');
  // labels.json replaced by a non-empty folder: the rename over it fails.
  unlinkSync(path);
  mkdirSync(path);
  writeFileSync(join(path, 'inside'), 'x');
  assert.throws(() => store.set(OTHER, 'lost'));
  assert.equal(store.get(OTHER), undefined, 'a label that was not saved is not acknowledged');
  assert.equal(store.get(ID), 'kept');
  assert.deepEqual(readdirSync(join(path, '..')), ['labels.json'], 'the temp file was removed');
});

test('label store: a corrupt file is moved aside intact, reported once, and the store starts empty', () => {
  for (const corrupt of ['{"5e55": "half', '[]', '"labels"', '{"5e55": 42}', '', '\u0000\u0001binary']) {
    const path = labelsPath();
    writeFileSync(path, corrupt);
    const reports: Array<[string, string]> = [];
    const store = LabelStore.open(path, (movedTo, why) => reports.push([movedTo, why]));
    assert.equal(store.size, 0);
    assert.equal(reports.length, 1, `reported once for ${JSON.stringify(corrupt)}`);
    const [movedTo, why] = reports[0] ?? ['', ''];
    assert.match(movedTo, /\/labels\.json\.corrupt-\d{4}-\d\d-\d\dT[0-9-]+Z$/);
    assert.ok(why.length > 0, 'the report says why');
    assert.equal(readFileSync(movedTo, 'utf8'), corrupt, 'the content is kept as it was');
    assert.equal(existsSync(path), false, 'labels.json itself is gone until the next save');

    // The store works, and the next open is quiet.
    store.set(ID, 'fresh');
    assert.deepEqual(onDisk(path), { [ID]: 'fresh' });
    LabelStore.open(path, () => assert.fail('reported again'));
    assert.equal(readFileSync(movedTo, 'utf8'), corrupt, 'the saved copy is never overwritten');
  }
});

test('label store: peek reads without changing anything', () => {
  const path = labelsPath();
  assert.equal(LabelStore.peek(path).size, 0);
  assert.equal(existsSync(path), false, 'peek creates nothing');

  writeFileSync(path, JSON.stringify({ [ID]: 'review MR' }));
  assert.equal(LabelStore.peek(path).get(ID), 'review MR');

  writeFileSync(path, '{"broken');
  assert.equal(LabelStore.peek(path).size, 0);
  assert.equal(readFileSync(path, 'utf8'), '{"broken', 'a corrupt file stays where it is');
  assert.deepEqual(readdirSync(join(path, '..')), ['labels.json'], 'nothing moved aside');
});
