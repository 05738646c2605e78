import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { claudeSessionsFixture } from '../../test/support/claude-sessions-fixture.js';
import { writeSessionFile } from '../../test/support/fake-claude.js';
import { HOSTILE, HOSTILE_CLEANED, RAW_CONTROL } from '../../test/support/hostile-text.js';
import { capturedIo, type CapturedIo } from '../../test/support/captured-io.js';
import { vmuxHomeFrom } from '../home/vmux-home.js';
import { runCli } from './run-cli.js';

const { root, claudeDir, session } = claudeSessionsFixture({ prefix: 'vmux-label-' });
const home = vmuxHomeFrom({ VMUX_HOME: join(root, 'vmux-home') });

// No daemon runs on this home: vmux label writes labels.json itself.
function captured(): CapturedIo {
  return capturedIo({ CLAUDE_CONFIG_DIR: claudeDir, VMUX_HOME: home.dir });
}

async function label(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captured();
  const code = await runCli(['label', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

const labelsOnDisk = (): unknown => JSON.parse(readFileSync(home.labelsPath, 'utf8'));

test('vmux label stores the label cleaned; one left empty, of digits only or like a session id is refused with exit 2', async () => {
  const proc = await session('project');
  const sessionId = '1abe0000-0000-4000-8000-000000000001';
  writeSessionFile(claudeDir, proc.pid, { sessionId, cwd: proc.cwd, status: 'idle' });

  const set = await label(String(proc.pid), '\u001b[31mreview', `MR ${HOSTILE}`);
  assert.equal(set.code, 0, set.err);
  assert.equal(set.out, `Labelled 1abe0000 (pid ${proc.pid}): review MR ${HOSTILE_CLEANED}\n`);
  assert.deepEqual(labelsOnDisk(), { [sessionId]: `review MR ${HOSTILE_CLEANED}` });

  const refusals: Array<[string, RegExp]> = [
    ['\u001b[31m\u001b]0;pwned\u0007', /label is empty once control characters and escape sequences are removed/],
    ['   ', /label is empty/],
    [String(proc.pid), /only digits: '\d+' would be read as a PID/],
    ['1abe0000-0000', /cannot look like a session id/],
  ];
  for (const [text, message] of refusals) {
    const refused = await label(String(proc.pid), text);
    assert.equal(refused.code, 2, `'${text}' is refused`);
    assert.match(refused.err, message);
    assert.doesNotMatch(refused.err, RAW_CONTROL);
    assert.equal(refused.out, '');
  }
  assert.deepEqual(labelsOnDisk(), { [sessionId]: `review MR ${HOSTILE_CLEANED}` }, 'a refused label changes nothing');

  // The label names the session, typed as it was first given.
  const cleared = await label(`\u001b[31mreview MR ${HOSTILE}`, '--clear');
  assert.equal(cleared.code, 0, cleared.err);
  assert.deepEqual(labelsOnDisk(), {});
});
