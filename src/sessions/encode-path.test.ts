import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_ENCODED_PATH_LENGTH, encodePath, isProjectFolderFor, pathHash } from './encode-path.js';

test('encodePath replaces every character outside [A-Za-z0-9] with a dash', () => {
  assert.equal(encodePath('/home/cwtrocks/.claude-mem'), '-home-cwtrocks--claude-mem');
  assert.equal(encodePath('/home/u/my_project v2'), '-home-u-my-project-v2');
  assert.equal(encodePath('/home/u/道友'), '-home-u---');
});

test('encodePath cuts names over 200 characters and appends the 2.1.x hash', () => {
  const long = `/home/u/${'a'.repeat(250)}`;
  const encoded = encodePath(long);
  assert.equal(encoded.slice(0, MAX_ENCODED_PATH_LENGTH), `-home-u-${'a'.repeat(192)}`);
  assert.equal(encoded, `${encoded.slice(0, MAX_ENCODED_PATH_LENGTH)}-${pathHash(long)}`);
});

test('a path of exactly 200 encoded characters is not hashed', () => {
  const path = `/${'b'.repeat(199)}`;
  assert.equal(encodePath(path), `-${'b'.repeat(199)}`);
});

test('pathHash is the 32-bit string hash in base 36', () => {
  // h = (h << 5) - h + c over "ab": ((0*31 + 97) * 31) + 98 = 3105.
  assert.equal(pathHash('ab'), (3105).toString(36));
  // The hash overflows 32 bits and is taken as an absolute value.
  assert.match(pathHash('x'.repeat(1000)), /^[0-9a-z]+$/);
});

test('long project folders of older versions match on their 200-character prefix', () => {
  const long = `/home/u/${'c'.repeat(250)}`;
  const prefix = encodePath(long).slice(0, MAX_ENCODED_PATH_LENGTH);
  assert.ok(isProjectFolderFor(`${prefix}-someotherhash`, long));
  assert.ok(isProjectFolderFor(encodePath(long), long));
  assert.ok(!isProjectFolderFor(`${prefix}x`, long));
  assert.ok(!isProjectFolderFor('-home-u-short', '/home/u/other'));
});
