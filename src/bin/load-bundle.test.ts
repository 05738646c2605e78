import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { codeCacheDir } from './load-bundle.js';

const LOAD_BUNDLE = new URL('./load-bundle.js', import.meta.url).href;
const notRoot = process.geteuid?.() === 0 ? false : 'needs root, to give the cache folder to another user (uid 65534)';

/** A small CommonJS bundle whose export shows it ran, with a function that is compiled only when called. */
function writeBundle(dir: string, answer = 42): string {
  const file = join(dir, 'bundle.cjs');
  writeFileSync(file, `"use strict";\nfunction answer() { return ${answer}; }\nmodule.exports = { answer, dir: __dirname, nodeFs: typeof require("node:fs").statSync };\n`);
  return file;
}

interface Run {
  readonly answer: number;
  readonly dir: string;
  readonly nodeFs: string;
  readonly fromCache: boolean;
}

/** One run of a command: a fresh Node loads the bundle, calls it, and saves the cache, as `vmux` does. */
function runOnce(file: string, cacheDir: string | undefined, nodeOptions: readonly string[] = []): Run {
  const code = `
    import { createRequire } from 'node:module';
    import { loadBundle } from ${JSON.stringify(LOAD_BUNDLE)};
    const bundle = loadBundle(${JSON.stringify(file)}, ${JSON.stringify(cacheDir)}, createRequire(${JSON.stringify(file)}));
    const { answer, dir, nodeFs } = bundle.exports;
    const result = { answer: answer(), dir, nodeFs, fromCache: bundle.fromCache };
    bundle.saveCache();
    process.stdout.write(JSON.stringify(result));`;
  return JSON.parse(execFileSync(process.execPath, [...nodeOptions, '--input-type=module', '-e', code], { encoding: 'utf8' })) as Run;
}

function cacheFiles(cacheDir: string): string[] {
  return readdirSync(cacheDir).filter((name) => name.endsWith('.cache'));
}

test('a bundle loads as require would: its exports, its __dirname, Node modules through its require', () => {
  const root = tempDir();
  const run = runOnce(writeBundle(root), undefined);
  assert.deepEqual(run, { answer: 42, dir: root, nodeFs: 'function', fromCache: false });
});

test('the first run compiles and leaves the cache in a folder only the user may enter; the next run uses it', () => {
  const root = tempDir();
  const file = writeBundle(root);
  const cacheDir = join(root, 'cache', 'vmux');
  assert.equal(runOnce(file, cacheDir).fromCache, false);
  assert.equal(statSync(cacheDir).mode & 0o777, 0o700);
  const [cache] = cacheFiles(cacheDir);
  assert.ok(cache !== undefined, 'a cache file was written');
  assert.equal(statSync(join(cacheDir, cache)).mode & 0o777, 0o600);
  assert.deepEqual(runOnce(file, cacheDir), { answer: 42, dir: root, nodeFs: 'function', fromCache: true });
});

test('the run after the first completes the cache with the functions it used; the runs after it leave the cache alone', () => {
  const root = tempDir();
  const file = writeBundle(root);
  const cacheDir = join(root, 'cache');
  const cacheContent = () => readFileSync(join(cacheDir, cacheFiles(cacheDir)[0] ?? ''));
  runOnce(file, cacheDir);
  const first = cacheContent();
  assert.equal(runOnce(file, cacheDir).fromCache, true);
  const second = cacheContent();
  assert.notDeepEqual(second, first, 'written again by the second run');
  assert.equal(runOnce(file, cacheDir).fromCache, true);
  assert.deepEqual(cacheContent(), second, 'left alone by the third');
});

test('a changed bundle is compiled afresh, never served the old code, and its cache replaces the old one', () => {
  const root = tempDir();
  const file = writeBundle(root, 1);
  const cacheDir = join(root, 'cache');
  runOnce(file, cacheDir);
  writeBundle(root, 2);
  const run = runOnce(file, cacheDir);
  assert.equal(run.answer, 2);
  assert.equal(run.fromCache, false);
  assert.equal(cacheFiles(cacheDir).length, 1);
  assert.equal(runOnce(file, cacheDir).fromCache, true);
});

test('a damaged or foreign cache file is ignored, and replaced', () => {
  const root = tempDir();
  const file = writeBundle(root);
  const cacheDir = join(root, 'cache');
  runOnce(file, cacheDir);
  const [name = ''] = cacheFiles(cacheDir);
  const cache = join(cacheDir, name);
  const [key] = readFileSync(cache).toString('latin1').split('\n', 1);
  writeFileSync(cache, `${key}\nnot what V8 wrote`);
  assert.deepEqual(runOnce(file, cacheDir), { answer: 42, dir: root, nodeFs: 'function', fromCache: false });
  assert.equal(runOnce(file, cacheDir).fromCache, true, 'the damaged file was replaced');
  writeFileSync(cache, 'anything at all');
  assert.equal(runOnce(file, cacheDir).answer, 42);
});

test('Node started with other options keeps a cache of its own, since V8 refuses code compiled under other flags', () => {
  const root = tempDir();
  const file = writeBundle(root);
  const cacheDir = join(root, 'cache');
  const otherOptions = ['--min-semi-space-size=2'];
  runOnce(file, cacheDir);
  assert.equal(runOnce(file, cacheDir, otherOptions).fromCache, false);
  assert.equal(cacheFiles(cacheDir).length, 2);
  assert.equal(runOnce(file, cacheDir).fromCache, true);
  assert.equal(runOnce(file, cacheDir, otherOptions).fromCache, true);
});

test('a cache file that is a symbolic link is not followed', () => {
  const root = tempDir();
  const file = writeBundle(root);
  const cacheDir = join(root, 'cache');
  runOnce(file, cacheDir);
  const [name = ''] = cacheFiles(cacheDir);
  const elsewhere = join(root, 'elsewhere.cache');
  writeFileSync(elsewhere, readFileSync(join(cacheDir, name)));
  const cache = join(cacheDir, name);
  unlinkSync(cache);
  symlinkSync(elsewhere, cache);
  assert.equal(runOnce(file, cacheDir).fromCache, false);
});

test('a cache folder that others may write in is not used at all', () => {
  const root = tempDir();
  const file = writeBundle(root);
  const cacheDir = join(root, 'shared');
  mkdirSync(cacheDir);
  chmodSync(cacheDir, 0o777);
  runOnce(file, cacheDir);
  assert.deepEqual(cacheFiles(cacheDir), []);
  assert.equal(runOnce(file, cacheDir).fromCache, false);
});

test('a cache folder of another user is not used at all', { skip: notRoot }, () => {
  const root = tempDir();
  const file = writeBundle(root);
  const cacheDir = join(root, 'theirs');
  mkdirSync(cacheDir, { mode: 0o700 });
  chownSync(cacheDir, 65534, 65534);
  runOnce(file, cacheDir);
  assert.deepEqual(cacheFiles(cacheDir), []);
});

test('the cache lives in $XDG_CACHE_HOME/vmux, else ~/.cache/vmux; none when NODE_DISABLE_COMPILE_CACHE is set or no absolute folder is named', () => {
  assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' }), '/x/cache/vmux');
  assert.equal(codeCacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' }), '/home/u/.cache/vmux');
  assert.equal(codeCacheDir({ HOME: '/home/u' }), '/home/u/.cache/vmux');
  assert.equal(codeCacheDir({ HOME: '' }), undefined);
  assert.equal(codeCacheDir({}), undefined);
  assert.equal(codeCacheDir({ HOME: '/home/u', NODE_DISABLE_COMPILE_CACHE: '1' }), undefined);
});
