import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { FollowedDesktop } from './followed-desktop.js';

test('a client\'s desktop session is followed only when it leads to a window manager, and only when it changed', async () => {
  const dir = tempDir('vmux-desktop-');
  const socketPath = join(dir, 'ipc.sock');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  try {
    const own = { PATH: '/usr/bin', CLAUDE_CONFIG_DIR: '/c', DISPLAY: ':7' };
    const desktop = new FollowedDesktop(own);
    assert.equal(desktop.env, own, 'at first, vmuxd\'s own');
    assert.equal(desktop.offer(undefined), false);
    assert.equal(desktop.offer({}), false, 'a client outside any desktop');
    assert.equal(desktop.offer({ DISPLAY: 'localhost:10.0' }), false, 'a display alone (ssh -X) is no window manager');
    assert.equal(desktop.offer({ I3SOCK: join(dir, 'gone.sock') }), false, 'a socket path left over from another session');
    assert.equal(desktop.offer({ I3SOCK: dir }), false, 'a path that is not a socket');

    assert.equal(desktop.offer({ I3SOCK: socketPath, XAUTHORITY: '/x' }), true);
    // The client's desktop variables replace all of vmuxd's own (its DISPLAY too); the rest stays.
    assert.deepEqual(desktop.env, { PATH: '/usr/bin', CLAUDE_CONFIG_DIR: '/c', I3SOCK: socketPath, XAUTHORITY: '/x' });
    assert.equal(desktop.offer({ I3SOCK: socketPath, XAUTHORITY: '/x' }), false, 'the same again: nothing to redo');
    assert.equal(desktop.offer({ SWAYSOCK: socketPath }), true, 'another one');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
