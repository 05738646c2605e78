import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { parseNetWmPid, xpropWindowPidReader } from './x11-window-pid.js';

/*
 * Unit tests with stand-in `xprop` scripts (xprop is not vmux's program); the real xprop against
 * a real X server is exercised in window-of-process.test.ts under i3.
 */

const dir = tempDir('vmux-xprop-');

function fakeXprop(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const ENV = { PATH: process.env.PATH, DISPLAY: ':99' };

test('parseNetWmPid reads the value xprop prints, and nothing else', () => {
  assert.equal(parseNetWmPid('_NET_WM_PID(CARDINAL) = 25685\n'), 25685);
  assert.equal(parseNetWmPid('_NET_WM_PID:  not found.\n'), undefined);
  assert.equal(parseNetWmPid('_NET_WM_PID'), undefined); // what a BadWindow run leaves on stdout
  assert.equal(parseNetWmPid('_NET_WM_PID(CARDINAL) = 0\n'), undefined);
  assert.equal(parseNetWmPid('_NET_WM_PID(CARDINAL) = 99999999999999999999\n'), undefined);
  assert.equal(parseNetWmPid('WM_NAME(STRING) = "_NET_WM_PID(CARDINAL) = 7"\n'), undefined);
});

test('xpropWindowPidReader runs xprop with an argv array and the given DISPLAY', async () => {
  const log = join(dir, 'argv.log');
  const xprop = fakeXprop('xprop-ok', `printf '%s\\n' "$DISPLAY" "$@" > '${log}'\necho '_NET_WM_PID(CARDINAL) = 4242'`);
  const read = xpropWindowPidReader({ env: ENV, xpropPath: xprop });
  assert.equal(await read(2097164), 4242);
  assert.deepEqual(readFileSync(log, 'utf8').split('\n'), [':99', '-id', '2097164', '_NET_WM_PID', '']);
});

test('xpropWindowPidReader: a window without the property or gone meanwhile has no PID', async () => {
  const notSet = xpropWindowPidReader({ env: ENV, xpropPath: fakeXprop('xprop-unset', "echo '_NET_WM_PID:  not found.'") });
  assert.equal(await notSet(5), undefined);
  const gone = fakeXprop(
    'xprop-badwindow',
    "printf _NET_WM_PID\necho 'X Error of failed request:  BadWindow (invalid Window parameter)' >&2\nexit 1",
  );
  assert.equal(await xpropWindowPidReader({ env: ENV, xpropPath: gone })(5), undefined);
  // Not a window id at all: xprop is not even run.
  assert.equal(await xpropWindowPidReader({ env: ENV, xpropPath: '/nonexistent/xprop' })(0), undefined);
});

test('xpropWindowPidReader rejects, saying why, when it cannot ask', async () => {
  const noDisplay = xpropWindowPidReader({ env: { PATH: process.env.PATH }, xpropPath: fakeXprop('xprop-unused', 'exit 0') });
  await assert.rejects(noDisplay(5), /DISPLAY is not set/);
  await assert.rejects(xpropWindowPidReader({ env: ENV, xpropPath: join(dir, 'missing-xprop') })(5), /was not found; install it .*x11-utils/);
  const slow = xpropWindowPidReader({ env: ENV, xpropPath: fakeXprop('xprop-slow', 'exec sleep 5'), timeoutMs: 100 });
  const started = Date.now();
  await assert.rejects(slow(5), /did not answer within 100 ms/);
  assert.ok(Date.now() - started < 2000);
  const broken = fakeXprop('xprop-broken', "echo \"xprop:  unable to open display ':99'\" >&2\nexit 1");
  await assert.rejects(xpropWindowPidReader({ env: ENV, xpropPath: broken })(5), /failed: xprop: {2}unable to open display/);
});
