import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capturedIo, type CapturedIo } from '../../test/support/captured-io.js';
import { HOSTILE, HOSTILE_CLEANED, RAW_CONTROL } from '../../test/support/hostile-text.js';
import { VmuxError } from '../errors.js';
import { reportError } from './report-error.js';
import { runCli } from './run-cli.js';

function captured(): CapturedIo {
  return capturedIo({});
}

test('an error message quoting outside text is printed cleaned, one line at a time', () => {
  const io = captured();
  const code = reportError(new VmuxError('TMUX_STALE', `the tmux server on /tmp/${HOSTILE}/s was restarted:\n  pane ${HOSTILE}`), io);
  assert.equal(code, 1);
  assert.equal(io.err(), `vmux: the tmux server on /tmp/${HOSTILE_CLEANED}/s was restarted:\n  pane ${HOSTILE_CLEANED}\n`);
  const plain = captured();
  reportError(new Error(`EACCES ${HOSTILE}`), plain);
  assert.doesNotMatch(plain.err(), RAW_CONTROL);
});

test('an unknown option holding escape sequences is named without them', async () => {
  const io = captured();
  assert.equal(await runCli(['list', `--x${HOSTILE}`], io), 2);
  assert.match(io.err(), /vmux list has no option --x.*; run 'vmux list --help'/);
  assert.doesNotMatch(io.err(), RAW_CONTROL);
});
