import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readRegularTextFile, UnreadableFileError } from './read-regular-file.js';

describe('readRegularTextFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmux-read-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a small regular file whole', () => {
    const path = join(dir, 'small.json');
    writeFileSync(path, '{"a":1}');
    assert.equal(readRegularTextFile(path, { maxBytes: 100 }), '{"a":1}');
  });

  it('reads an empty file and a file of exactly the bound', () => {
    writeFileSync(join(dir, 'empty'), '');
    assert.equal(readRegularTextFile(join(dir, 'empty'), { maxBytes: 10 }), '');
    writeFileSync(join(dir, 'ten'), '0123456789');
    assert.equal(readRegularTextFile(join(dir, 'ten'), { maxBytes: 10 }), '0123456789');
  });

  it('refuses a FIFO at once instead of waiting for a writer', () => {
    const path = join(dir, 'planted.json');
    assert.equal(spawnSync('mkfifo', [path]).status, 0);
    assert.throws(() => readRegularTextFile(path, { maxBytes: 100 }), (error) => error instanceof UnreadableFileError && error.code === 'NOT_REGULAR_FILE');
  });

  it('refuses a link to /dev/zero instead of reading forever', () => {
    const path = join(dir, 'zero.json');
    symlinkSync('/dev/zero', path);
    assert.throws(() => readRegularTextFile(path, { maxBytes: 100 }), (error) => error instanceof UnreadableFileError && error.code === 'NOT_REGULAR_FILE');
  });

  it('refuses a sparse file larger than the bound without reading it', () => {
    const path = join(dir, 'sparse');
    writeFileSync(path, '');
    truncateSync(path, 1024 * 1024 * 1024);
    assert.throws(() => readRegularTextFile(path, { maxBytes: 4096 }), (error) => error instanceof UnreadableFileError && error.code === 'FILE_TOO_LARGE');
  });

  it('with noFollow, refuses a symbolic link even to a regular file', () => {
    const target = join(dir, 'target');
    writeFileSync(target, 'x');
    const link = join(dir, 'link');
    symlinkSync(target, link);
    assert.equal(readRegularTextFile(link, { maxBytes: 10 }), 'x');
    assert.throws(() => readRegularTextFile(link, { maxBytes: 10, noFollow: true }), { code: 'ELOOP' });
  });
});
