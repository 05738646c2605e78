import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { requireProgram } from '../../../test/support/programs.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { WmNotFoundError } from '../../errors.js';
import { findWmSocketPath } from './wm-socket-path.js';

const dir = tempDir('vmux-wm-path-');
let folders = 0;

/** A real listening Unix socket, as i3 or sway would leave at the path. */
async function listeningSocket(name: string): Promise<string> {
  const path = join(dir, name);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  after(() => server.close());
  return path;
}

/** A folder for PATH holding the given stub programs (shell scripts). */
function binFolder(programs: Record<string, string> = {}): string {
  const bin = join(dir, `bin-${++folders}`);
  mkdirSync(bin);
  for (const [name, body] of Object.entries(programs)) {
    const file = join(bin, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
  }
  return bin;
}

/** A stub that prints `path` only when asked the way vmux asks. */
const printing = (path: string): string => `[ "$1" = "--get-socketpath" ] || exit 64\necho '${path}'`;

test('$SWAYSOCK comes first, even when $I3SOCK is set too (sway sets both)', async () => {
  const sway = await listeningSocket('sway-ipc.sock');
  const i3 = await listeningSocket('i3-ipc.sock');
  const found = await findWmSocketPath({ env: { SWAYSOCK: sway, I3SOCK: i3, PATH: binFolder() } });
  assert.deepEqual(found, { path: sway, source: '$SWAYSOCK', skipped: [] });
});

test('$I3SOCK when $SWAYSOCK is not set', async () => {
  const i3 = await listeningSocket('i3-only.sock');
  const found = await findWmSocketPath({ env: { I3SOCK: i3, PATH: binFolder() } });
  assert.equal(found.path, i3);
  assert.equal(found.source, '$I3SOCK');
  assert.deepEqual(found.skipped, [{ source: '$SWAYSOCK', reason: 'not set' }]);
});

test('a variable pointing at a missing file or a non-socket falls through to the next step, and says so', async () => {
  const i3 = await listeningSocket('i3-after-stale.sock');
  const plain = join(dir, 'plain-file');
  writeFileSync(plain, '');
  const found = await findWmSocketPath({ env: { SWAYSOCK: join(dir, 'gone.sock'), I3SOCK: plain, PATH: binFolder({ i3: printing(i3) }) } });
  assert.equal(found.source, 'i3 --get-socketpath');
  assert.equal(found.path, i3);
  assert.equal(found.skipped.length, 2);
  assert.match(found.skipped[0]?.reason ?? '', /gone\.sock does not exist/);
  assert.match(found.skipped[1]?.reason ?? '', /plain-file is not a socket/);
});

test('`i3 --get-socketpath` is asked when no variable is set', async () => {
  const i3 = await listeningSocket('from-i3.sock');
  const found = await findWmSocketPath({ env: { PATH: binFolder({ i3: printing(i3), sway: 'exit 99' }) } });
  assert.equal(found.path, i3);
  assert.equal(found.source, 'i3 --get-socketpath');
});

test('`sway --get-socketpath` when i3 fails; the i3 failure is kept with its message', async () => {
  const sway = await listeningSocket('from-sway.sock');
  const bin = binFolder({ i3: 'echo "i3: cannot open display" >&2; exit 1', sway: printing(sway) });
  const found = await findWmSocketPath({ env: { SWAYSOCK: '', PATH: bin } });
  assert.equal(found.path, sway);
  assert.equal(found.source, 'sway --get-socketpath');
  assert.deepEqual(found.skipped, [
    { source: '$SWAYSOCK', reason: 'set but empty' },
    { source: '$I3SOCK', reason: 'not set' },
    { source: 'i3 --get-socketpath', reason: 'exited with status 1: i3: cannot open display' },
  ]);
});

test('nothing anywhere: WM_NOT_FOUND listing every step and why it failed', async () => {
  await assert.rejects(findWmSocketPath({ env: { PATH: binFolder() } }), (error: unknown) => {
    assert.ok(error instanceof WmNotFoundError);
    assert.equal(error.code, 'WM_NOT_FOUND');
    assert.deepEqual(error.attempts, [
      { source: '$SWAYSOCK', reason: 'not set' },
      { source: '$I3SOCK', reason: 'not set' },
      { source: 'i3 --get-socketpath', reason: 'i3 is not installed (not on PATH)' },
      { source: 'sway --get-socketpath', reason: 'sway is not installed (not on PATH)' },
    ]);
    assert.equal(
      error.message,
      [
        'no i3 or sway IPC socket found:',
        '  $SWAYSOCK: not set',
        '  $I3SOCK: not set',
        '  i3 --get-socketpath: i3 is not installed (not on PATH)',
        '  sway --get-socketpath: sway is not installed (not on PATH)',
        'Run vmux inside an i3 or sway session, or point $I3SOCK or $SWAYSOCK at its socket.',
      ].join('\n'),
    );
    return true;
  });
});

test('programs that print nothing, a non-socket, or many lines do not count', async () => {
  const plain = join(dir, 'printed-plain');
  writeFileSync(plain, '');
  const bin = binFolder({ i3: `echo '${plain}'`, sway: 'echo' });
  await assert.rejects(findWmSocketPath({ env: { PATH: bin } }), (error: unknown) => {
    assert.ok(error instanceof WmNotFoundError);
    assert.deepEqual(
      error.attempts.slice(2).map((attempt) => attempt.reason),
      [`${plain} is not a socket`, 'printed nothing'],
    );
    return true;
  });
  const chatty = binFolder({ i3: 'echo one; echo two', sway: 'exit 0' });
  await assert.rejects(findWmSocketPath({ env: { PATH: chatty } }), /i3 --get-socketpath: printed several lines/);
});

test('a program that hangs is given up on at the deadline, also when a child of it holds the output open', async () => {
  // `sleep` without exec: killing the shell leaves sleep holding stdout, so the pipe never closes.
  // The stubs' PATH is their folder alone: they run the sleep this test's PATH finds.
  const sleep = requireProgram('sleep', 'a stub that hangs');
  const bin = binFolder({ i3: `exec '${sleep}' 5`, sway: `'${sleep}' 5` });
  const started = performance.now();
  await assert.rejects(findWmSocketPath({ env: { PATH: bin }, commandTimeoutMs: 200 }), (error: unknown) => {
    assert.ok(error instanceof WmNotFoundError);
    assert.deepEqual(
      error.attempts.slice(2).map((attempt) => attempt.reason),
      ['no answer within 200 ms', 'no answer within 200 ms'],
    );
    return true;
  });
  const took = performance.now() - started;
  assert.ok(took < 1500, `took ${Math.round(took)} ms`);
});

test('a printed path with shell characters in it is taken verbatim', async () => {
  const odd = await listeningSocket('odd $(touch pwned) ; name.sock');
  const found = await findWmSocketPath({ env: { PATH: binFolder({ i3: `printf '%s\\n' '${odd}'` }) } });
  assert.equal(found.path, odd);
  assert.equal(found.source, 'i3 --get-socketpath');
});
