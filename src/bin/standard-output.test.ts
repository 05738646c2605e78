import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, constants, createReadStream, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireProgram } from '../../test/support/programs.js';
import { tempDir } from '../../test/support/temp-dir.js';

const MODULE = new URL('./standard-output.js', import.meta.url).href;

test('output a full pipe holds back is written, whole, before vmux ends with its exit code', async () => {
  const fifo = join(tempDir('vmux-output-'), 'out');
  execFileSync(requireProgram('mkfifo', 'a pipe that fills'), [fifo]);
  // One descriptor that reads and writes, without blocking: filled here first, so that every
  // write of the program below meets a full pipe and Node has to keep the rest.
  const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  let prefilled = 0;
  try {
    for (;;) prefilled += writeSync(fd, Buffer.alloc(4096, '.'));
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'EAGAIN');
  }
  const said = 'x'.repeat(256 * 1024);
  const program = [
    `import { exitWhenWritten, standardOutput } from ${JSON.stringify(MODULE)};`,
    // Node makes the descriptor of a stream it opens on a pipe non-blocking, as some parents hand
    // standard output over; a child's is blocking otherwise (libuv makes it so).
    'process.stdout;',
    `standardOutput().write('x'.repeat(${said.length}));`,
    "process.stderr.write('done\\n');",
    'exitWhenWritten(3);',
  ].join(' ');
  const child = spawn(process.execPath, ['--input-type=module', '-e', program], { stdio: ['ignore', fd, 'pipe'] });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  // Nothing is read before the program is done writing: what it could not write, Node holds.
  await new Promise<void>((resolve) => child.stderr?.on('data', (chunk: Buffer) => chunk.toString().includes('done') && resolve()));
  // The pipe ends when the program, its last writer, has ended.
  let read = '';
  for await (const chunk of createReadStream(fifo, 'latin1')) read += chunk;
  assert.equal(await exited, 3);
  assert.equal(read.length, prefilled + said.length);
  assert.ok(read.endsWith(said));
});
