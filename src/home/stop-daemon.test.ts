import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { startVmuxd } from '../../test/support/vmuxd-process.js';
import { VmuxError } from '../errors.js';
import { stopDaemon } from './stop-daemon.js';

const root = tempDir('vmux-stop-');

test('stopDaemon returns once the vmuxd asked to stop has removed its socket', async () => {
  const daemon = await startVmuxd({ home: join(root, 'vmux-home'), claudeDir: join(root, 'claude') });
  after(() => daemon.stop());
  await stopDaemon(daemon.home.socketPath);
  assert.equal(existsSync(daemon.home.socketPath), false);
  assert.deepEqual(await daemon.exited, { code: 0, signal: null });
});

test('a refusal to stop names the vmuxd as the caller words it, with its reason and the advice', async () => {
  const socketPath = join(root, 'refusing.sock');
  // Not vmuxd, which never refuses: a server that answers every request with a refusal.
  const server = createServer((socket) => socket.once('data', () => socket.end('{"ok":false,"error":"busy"}\n')));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  after(() => server.close());
  await assert.rejects(
    stopDaemon(socketPath, { name: 'the vmuxd running outside the service', advice: "stop it and run 'vmux service install' again" }),
    (error: unknown) =>
      error instanceof VmuxError &&
      error.code === 'DAEMON_ERROR' &&
      error.message === "the vmuxd running outside the service refused to stop: busy; stop it and run 'vmux service install' again",
  );
  await assert.rejects(stopDaemon(socketPath), { message: 'vmuxd refused to stop: busy' });
});
