import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fillDisk, smallTmpfs } from '../../test/support/small-tmpfs.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { VmuxError } from '../errors.js';
import { LabelStore } from './label-store.js';

const ID = '5e550000-0000-4000-8000-000000000001';
const OTHER = '5e550000-0000-4000-8000-000000000002';
const NEW_ID = '5e550000-0000-4000-8000-0000000000ff';

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

test('label store: a save that fails leaves no temp file and changes nothing in memory', (t) => {
  // Root writes into a read-only folder; the full-disk test below meets a failing save as root.
  if (process.getuid?.() === 0) return t.skip('root ignores a read-only folder');
  const path = labelsPath();
  const store = LabelStore.open(path);
  store.set(ID, 'kept');
  chmodSync(join(path, '..'), 0o500);
  try {
    assert.throws(() => store.set(OTHER, 'lost'), (error: unknown) => error instanceof VmuxError && error.code === 'LABELS_NOT_SAVED');
  } finally {
    chmodSync(join(path, '..'), 0o700);
  }
  assert.equal(store.get(OTHER), undefined, 'a label that was not saved is not acknowledged');
  assert.equal(store.get(ID), 'kept');
  assert.deepEqual(readdirSync(join(path, '..')), ['labels.json'], 'no temp file was left');
  assert.deepEqual(onDisk(path), { [ID]: 'kept' });
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

test('label store: on a full disk a save is refused whole; the file and the labels stay as they were', (t) => {
  const disk = smallTmpfs(64);
  if ('skip' in disk) return t.skip(disk.skip);
  const path = join(disk.dir, 'labels.json');
  const store = LabelStore.open(path);
  const before: Record<string, string> = {};
  for (let i = 0; i < 81; i++) {
    const id = `5e550000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    store.set(id, `label ${i} `.padEnd(100, 'x'));
    before[id] = `label ${i} `.padEnd(100, 'x');
  }
  const saved = readFileSync(path, 'utf8');
  // Room for part of the next file only: the kernel writes what fits, then says ENOSPC.
  fillDisk(disk.dir, 8192);
  assert.throws(
    () => store.set(NEW_ID, 'one more '.padEnd(2000, 'y')),
    (error: unknown) => error instanceof VmuxError && error.code === 'LABELS_NOT_SAVED' && /free some disk space/.test(error.message),
  );
  assert.equal(readFileSync(path, 'utf8'), saved, 'labels.json is the last whole file');
  assert.equal(store.get(NEW_ID), undefined, 'the refused label is not acknowledged');
  assert.equal(store.size, 81);
  assert.deepEqual(Object.fromEntries(readdirSync(disk.dir).filter((name) => name.startsWith('labels')).map((name) => [name, true])), { 'labels.json': true }, 'no temp file left');
  assert.deepEqual(onDisk(path), before);
  assert.equal(LabelStore.open(path).size, 81, 'a restart finds every label');
});

test('label store: an edit made to the file from outside is kept by the next save', () => {
  const path = labelsPath();
  const store = LabelStore.open(path);
  store.set(ID, 'review MR');
  writeFileSync(path, JSON.stringify({ [ID]: 'renamed by hand', 'hand-added': 'by hand' }));
  store.set(OTHER, 'deploy');
  assert.deepEqual(onDisk(path), { [ID]: 'renamed by hand', 'hand-added': 'by hand', [OTHER]: 'deploy' });
  assert.equal(store.get(ID), 'renamed by hand');
});

test('label store: reloadIfChanged takes in an outside edit; a broken edit is set aside and the labels stay', () => {
  const path = labelsPath();
  const reports: string[] = [];
  const store = LabelStore.open(path, (movedTo) => reports.push(movedTo));
  store.set(ID, 'review MR');
  assert.equal(store.reloadIfChanged(), false, 'its own save is no outside edit');

  writeFileSync(path, JSON.stringify({ [ID]: 'by hand' }));
  assert.equal(store.reloadIfChanged(), true);
  assert.equal(store.get(ID), 'by hand');

  writeFileSync(path, '{"half');
  assert.equal(store.reloadIfChanged(), false);
  assert.equal(store.get(ID), 'by hand', 'the labels known before stay in use');
  assert.equal(reports.length, 1);
  assert.equal(readFileSync(reports[0] ?? '', 'utf8'), '{"half', 'the broken text is kept aside');
  store.set(OTHER, 'deploy');
  assert.deepEqual(onDisk(path), { [ID]: 'by hand', [OTHER]: 'deploy' });

  unlinkSync(path);
  assert.equal(store.reloadIfChanged(), true, 'a file removed by hand removes its labels');
  assert.equal(store.size, 0);
});

test('label store: a FIFO, a device or a link in place of labels.json is set aside at once, never read', () => {
  for (const plant of ['fifo', 'dev-zero', 'link-to-file'] as const) {
    const path = labelsPath();
    if (plant === 'fifo') assert.equal(spawnSync('mkfifo', [path]).status, 0);
    if (plant === 'dev-zero') symlinkSync('/dev/zero', path);
    if (plant === 'link-to-file') {
      const elsewhere = join(path, '..', 'elsewhere.json');
      writeFileSync(elsewhere, JSON.stringify({ [ID]: 'not mine' }));
      symlinkSync(elsewhere, path);
    }
    const reports: string[] = [];
    const store = LabelStore.open(path, (_movedTo, why) => reports.push(why));
    assert.equal(store.size, 0, plant);
    assert.equal(reports.length, 1, plant);
    store.set(ID, 'mine');
    assert.equal(lstatSync(path).isFile(), true, `${plant}: a plain file of vmux's own replaces it`);
    assert.deepEqual(onDisk(path), { [ID]: 'mine' });
  }
});
