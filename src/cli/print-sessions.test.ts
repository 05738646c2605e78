import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { claudeSessionsFixture } from '../../test/support/claude-sessions-fixture.js';
import { writeSessionFile, type FakeClaude } from '../../test/support/fake-claude.js';
import { HOSTILE, HOSTILE_CLEANED, RAW_CONTROL } from '../../test/support/hostile-text.js';
import { capturedIo, type CapturedIo } from '../../test/support/captured-io.js';
import { vmuxHomeFrom } from '../home/vmux-home.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { runCli } from './run-cli.js';

const { root, claudeDir, session } = claudeSessionsFixture({ prefix: 'vmux-print-' });
const home = vmuxHomeFrom({ VMUX_HOME: join(root, 'vmux-home') });

function captured(): CapturedIo {
  return capturedIo({ CLAUDE_CONFIG_DIR: claudeDir, VMUX_HOME: home.dir });
}

/**
 * Two live sessions: one in a folder (and on a branch) named with escape sequences, C1 and bidi
 * controls; one whose label in labels.json holds them (saved by an older vmux, or by hand).
 */
async function hostileSessions(): Promise<{ folder: FakeClaude; labelled: FakeClaude }> {
  const cwd = join(root, HOSTILE);
  mkdirSync(join(cwd, '.git'), { recursive: true });
  writeFileSync(join(cwd, '.git', 'HEAD'), `ref: refs/heads/b-${HOSTILE}\n`);
  // The executables in a plain folder: the folder's name is the hostile text under test.
  const bin = join(root, 'bin');
  const folder = await session(HOSTILE, { binDir: bin });
  const labelled = await session('plain', { binDir: bin });
  writeSessionFile(claudeDir, folder.pid, { sessionId: '0dd00000-0000-4000-8000-000000000001', cwd, status: 'waiting', waitingFor: 'permission prompt' });
  writeSessionFile(claudeDir, labelled.pid, { sessionId: '0dd00000-0000-4000-8000-000000000002', cwd: labelled.cwd, status: 'idle' });
  mkdirSync(home.dir, { recursive: true, mode: 0o700 });
  writeFileSync(home.labelsPath, JSON.stringify({ '0dd00000-0000-4000-8000-000000000002': `label ${HOSTILE}` }), { mode: 0o600 });
  return { folder, labelled };
}

test('vmux list --json and the table carry no raw control characters from folders, branches or saved labels; a hostile branch is not shown', async () => {
  const { folder, labelled } = await hostileSessions();
  const json = captured();
  assert.equal(await runCli(['list', '--json'], json), 0, json.err());
  // C0 is escaped by JSON itself, C1 and the bidi controls by vmux: the text on stdout is inert...
  assert.doesNotMatch(json.out(), RAW_CONTROL);
  assert.match(json.out(), /\\u001b\]0;pwned\\u0007.*\\u009b2J/);
  // ...and a program still reads the folder's exact name, to cd into it.
  const sessions = JSON.parse(json.out()) as SessionInfo[];
  const inFolder = sessions.find((s) => s.pid === folder.pid);
  assert.equal(inFolder?.cwd, join(root, HOSTILE));
  // A branch name git would refuse is not shown at all: it is no branch, only someone's text.
  assert.equal(inFolder?.git_branch, '');
  // A label is a name, not data: served cleaned.
  assert.equal(sessions.find((s) => s.pid === labelled.pid)?.label, `label ${HOSTILE_CLEANED}`);

  const table = captured();
  assert.equal(await runCli(['list'], table), 0, table.err());
  assert.doesNotMatch(table.out(), RAW_CONTROL);
  assert.match(table.out(), new RegExp(HOSTILE_CLEANED.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.match(table.out(), new RegExp(`label ${HOSTILE_CLEANED}`));
});
