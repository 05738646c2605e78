import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startFakeClaude, writeSessionFile, type FakeClaude } from '../../test/support/fake-claude.js';
import { HOSTILE, HOSTILE_CLEANED, RAW_CONTROL } from '../../test/support/hostile-text.js';
import { tempDir } from '../../test/support/temp-dir.js';
import type { Response } from '../protocol/messages.js';
import { Daemon } from './daemon.js';
import { silentLogger } from './logger.js';
import { vmuxHomeFrom } from '../home/vmux-home.js';

/**
 * What vmuxd writes on its socket, byte for byte: a status bar piping it to a terminal, or a
 * person reading it with socat, gets no control character from a folder name or a label.
 */

const root = tempDir('vmux-connection-');
const claudeDir = join(root, 'claude');
const started: FakeClaude[] = [];
const daemons: Daemon[] = [];
after(async () => {
  await Promise.all(daemons.map((d) => d.stop('test over')));
  await Promise.all(started.map((p) => p.stop('SIGKILL')));
});

/** Sends one request line and resolves to the first line of the answer, exactly as received. */
function rawAnswer(socketPath: string, request: object): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('vmuxd did not answer within 5 s')), 5000);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text.includes('\n')) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(text.slice(0, text.indexOf('\n')));
    });
    socket.once('error', reject);
    socket.write(`${JSON.stringify(request)}\n`);
  });
}

test('vmuxd answers carry no raw control characters; labels are stored and served cleaned, an empty one is refused', { timeout: 15_000 }, async () => {
  const cwd = join(root, HOSTILE);
  const bin = join(root, 'bin');
  mkdirSync(cwd, { recursive: true });
  mkdirSync(bin, { recursive: true });
  const proc = await startFakeClaude({ cwd, binDir: bin });
  started.push(proc);
  const sessionId = 'c0c00000-0000-4000-8000-000000000001';
  writeSessionFile(claudeDir, proc.pid, { sessionId, cwd, status: 'idle' });
  const home = vmuxHomeFrom({ VMUX_HOME: join(root, 'vmux-home') });
  const daemon = await Daemon.start({ home, env: { CLAUDE_CONFIG_DIR: claudeDir }, pollMs: 60_000, logger: silentLogger, version: 'test' });
  daemons.push(daemon);

  const listed = await rawAnswer(home.socketPath, { action: 'list' });
  assert.doesNotMatch(listed, RAW_CONTROL);
  const mine = (JSON.parse(listed) as Response).sessions?.find((s) => s.pid === proc.pid);
  assert.equal(mine?.cwd, cwd, 'a program still reads the exact folder name');

  const labelled = await rawAnswer(home.socketPath, { action: 'label', args: { session_id: sessionId, label: `\u001b[31mapi ${HOSTILE}` } });
  assert.doesNotMatch(labelled, RAW_CONTROL);
  assert.equal((JSON.parse(labelled) as Response).sessions?.find((s) => s.pid === proc.pid)?.label, `api ${HOSTILE_CLEANED}`);
  assert.deepEqual(JSON.parse(readFileSync(home.labelsPath, 'utf8')), { [sessionId]: `api ${HOSTILE_CLEANED}` }, 'stored clean');

  const empty = JSON.parse(await rawAnswer(home.socketPath, { action: 'label', args: { session_id: sessionId, label: '\u001b[31m\u001b]0;x\u0007' } })) as Response;
  assert.equal(empty.ok, false);
  assert.match(empty.error ?? '', /label is empty once control characters and escape sequences are removed/);

  const missed = await rawAnswer(home.socketPath, { action: 'switch', args: { query: `no such ${HOSTILE}` } });
  assert.doesNotMatch(missed, RAW_CONTROL);
  assert.match((JSON.parse(missed) as Response).error ?? '', new RegExp(`no session matches[^]*${HOSTILE_CLEANED}`));
  // labels.json written by hand (or by an older vmux) is served cleaned too, after a restart.
  await daemon.stop('test');
  writeFileSync(home.labelsPath, JSON.stringify({ [sessionId]: `old ${HOSTILE}` }), { mode: 0o600 });
  const again = await Daemon.start({ home, env: { CLAUDE_CONFIG_DIR: claudeDir }, pollMs: 60_000, logger: silentLogger, version: 'test' });
  daemons.push(again);
  const served = await rawAnswer(home.socketPath, { action: 'list' });
  assert.doesNotMatch(served, RAW_CONTROL);
  assert.equal((JSON.parse(served) as Response).sessions?.find((s) => s.pid === proc.pid)?.label, `old ${HOSTILE_CLEANED}`);
});
