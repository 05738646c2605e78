import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startFakeClaude, type FakeClaude } from '../../test/support/fake-claude.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { VmuxError } from '../errors.js';
import { findAttachedViewer, openAttachTerminal, terminalArgv } from './open-attach-terminal.js';

const root = tempDir('vmux-attach-');
const started: FakeClaude[] = [];
after(async () => Promise.all(started.map((p) => p.stop('SIGKILL'))));

/** A stand-in terminal (a program vmux does not own) that writes the argv it was given. */
function recordingTerminal(name: string): { path: string; record: string } {
  const bin = join(root, `bin-${name}`);
  mkdirSync(bin, { recursive: true });
  const record = join(root, `${name}.argv`);
  const path = join(bin, name);
  writeFileSync(path, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${record}.tmp' && mv '${record}.tmp' '${record}'\n`);
  chmodSync(path, 0o755);
  return { path, record };
}

async function fileAppears(path: string): Promise<string> {
  for (let i = 0; i < 250 && !existsSync(path); i++) await delay(20);
  return readFileSync(path, 'utf8');
}

test('a background session is shown by running claude attach <job> in the terminal the user names', async () => {
  const terminal = recordingTerminal('myterm');
  const commandLine = await openAttachTerminal('4f2a9c1e', '/opt/claude/bin/claude.exe', { VMUX_TERMINAL: `${terminal.path} --hold`, PATH: '/usr/bin:/bin' });
  assert.deepEqual(commandLine, [terminal.path, '--hold', '/opt/claude/bin/claude.exe', 'attach', '4f2a9c1e']);
  assert.equal(await fileAppears(terminal.record), '--hold\n/opt/claude/bin/claude.exe\nattach\n4f2a9c1e\n');
});

test('the terminal is the first installed one, each told to run a command its own way; none found is a clear error', () => {
  const xterm = recordingTerminal('xterm');
  assert.deepEqual(terminalArgv({ PATH: join(xterm.path, '..') }), ['xterm', '-e']);
  const foot = recordingTerminal('foot');
  assert.deepEqual(terminalArgv({ PATH: `${join(foot.path, '..')}:${join(xterm.path, '..')}` }), ['foot']);
  assert.throws(() => terminalArgv({ PATH: join(root, 'nothing') }), (error: unknown) => error instanceof VmuxError && error.code === 'LAUNCHER_NOT_FOUND' && /VMUX_TERMINAL/.test(error.message));
});

test('a job id that is not one is never passed to a terminal', async () => {
  await assert.rejects(openAttachTerminal('x; rm -rf ~', 'claude', { VMUX_TERMINAL: '/bin/true' }), VmuxError);
});

test('a claude attach <job> already running is the terminal to go to', async () => {
  const cwd = join(root, 'viewer');
  mkdirSync(cwd, { recursive: true });
  const viewer = await startFakeClaude({ cwd, binDir: cwd, args: ['attach', '7d3e0b52'] });
  started.push(viewer);
  assert.equal(findAttachedViewer('7d3e0b52', '/proc'), viewer.pid);
  assert.equal(findAttachedViewer('00000000', '/proc'), undefined);
});
