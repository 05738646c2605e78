import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { replaceFile } from './replace-file.js';

test('replaceFile puts the whole new file in place, with its mode, and leaves no temporary file', () => {
  const dir = tempDir('vmux-replace-');
  const path = join(dir, 'state');
  writeFileSync(`${path}.${process.pid}.tmp`, 'left by a run that died');
  replaceFile(path, 'first\n', 0o600);
  replaceFile(path, 'second\n', 0o600);
  assert.equal(readFileSync(path, 'utf8'), 'second\n');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['state']);
});

test('replaceFile replaces a link at the path instead of writing through it; a failed write leaves nothing behind', () => {
  const dir = tempDir('vmux-replace-');
  const target = join(dir, 'elsewhere');
  writeFileSync(target, 'untouched');
  const path = join(dir, 'state');
  symlinkSync(target, path);
  replaceFile(path, 'mine', 0o600);
  assert.equal(lstatSync(path).isSymbolicLink(), false);
  assert.equal(readFileSync(target, 'utf8'), 'untouched');

  const folder = join(dir, 'a-folder');
  mkdirSync(folder);
  assert.throws(() => replaceFile(folder, 'data', 0o600));
  assert.equal(existsSync(`${folder}.${process.pid}.tmp`), false);
});
