import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { VmuxError } from '../errors.js';
import { prepareVmuxHome, vmuxHomeFrom, type VmuxHome } from './vmux-home.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

function refusal(home: VmuxHome): VmuxError {
  try {
    prepareVmuxHome(home);
  } catch (error) {
    assert.ok(error instanceof VmuxError, `a VmuxError, not ${String(error)}`);
    assert.equal(error.code, 'HOME_UNSAFE');
    return error;
  }
  assert.fail(`${home.dir} should have been refused`);
}

test('vmux home: $VMUX_HOME, else ~/.vmux, with the socket, PID file and labels inside', () => {
  assert.deepEqual(vmuxHomeFrom({ VMUX_HOME: '/run/x', HOME: '/home/me' }), {
    dir: '/run/x',
    socketPath: '/run/x/vmuxd.sock',
    pidPath: '/run/x/vmuxd.pid',
    labelsPath: '/run/x/labels.json',
  });
  assert.equal(vmuxHomeFrom({ HOME: '/home/me' }).dir, '/home/me/.vmux');
  assert.equal(vmuxHomeFrom({ VMUX_HOME: '', HOME: '/home/me' }).dir, '/home/me/.vmux', 'an empty VMUX_HOME is unset');
});

test('vmux home: created with mode 0700, parents too', () => {
  const dir = join(tempDir(), 'a', 'b', 'vmux');
  prepareVmuxHome(vmuxHomeFrom({ VMUX_HOME: dir }));
  assert.ok(statSync(dir).isDirectory());
  assert.equal(mode(dir), 0o700);
  prepareVmuxHome(vmuxHomeFrom({ VMUX_HOME: dir }));
  assert.equal(mode(dir), 0o700, 'an existing good home is accepted as it is');
});

test('vmux home: a group- or world-writable folder is refused with the command that fixes it', () => {
  for (const unsafe of [0o775, 0o777, 0o722, 0o1777]) {
    const dir = join(tempDir(), 'vmux');
    mkdirSync(dir);
    chmodSync(dir, unsafe);
    const error = refusal(vmuxHomeFrom({ VMUX_HOME: dir }));
    assert.match(error.message, /is writable by others/);
    assert.ok(error.message.includes(`chmod 700 ${dir}`), error.message);
    assert.equal(mode(dir) & 0o777, unsafe & 0o777, 'a refused folder is left as it was');
  }
});

test('vmux home: something that is not a folder is refused with what to do', () => {
  const file = join(tempDir(), 'vmux');
  writeFileSync(file, 'not a folder');
  assert.match(refusal(vmuxHomeFrom({ VMUX_HOME: file })).message, /is not a folder; remove it or set VMUX_HOME/);

  const target = join(tempDir(), 'real');
  mkdirSync(target, { mode: 0o700 });
  const link = join(tempDir(), 'link');
  symlinkSync(target, link);
  assert.match(refusal(vmuxHomeFrom({ VMUX_HOME: link })).message, /is not a folder; remove it or set VMUX_HOME/);
});

test('vmux home: a folder others may read is tightened to 0700', () => {
  for (const loose of [0o755, 0o750, 0o705]) {
    const dir = join(tempDir(), 'vmux');
    mkdirSync(dir);
    chmodSync(dir, loose);
    prepareVmuxHome(vmuxHomeFrom({ VMUX_HOME: dir }));
    assert.equal(mode(dir), 0o700);
  }
});

test('vmux home: a folder of another user is refused', { skip: process.getuid?.() !== 0 && 'only root can give a folder away' }, () => {
  const dir = join(tempDir(), 'vmux');
  mkdirSync(dir, { mode: 0o700 });
  chownSync(dir, 54_321, 54_321);
  assert.match(refusal(vmuxHomeFrom({ VMUX_HOME: dir })).message, /belongs to user 54321, not to you \(0\); set VMUX_HOME to a folder of yours/);
});
