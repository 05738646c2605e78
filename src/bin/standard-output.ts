import { fstatSync, writeSync } from 'node:fs';
import type { OutputStream } from '../cli/cli-io.js';
import { errnoCode } from '../errors.js';

/**
 * Standard output for a short-lived command. Node's `process.stdout` loads its whole stream
 * stack on first use (a noticeable part of `vmux list` piped into a script or a status bar), so
 * output that is not a terminal is written straight to the descriptor. A terminal keeps
 * `process.stdout`, which knows its width.
 */
export function standardOutput(): OutputStream {
  if (isCharacterDevice(1)) return usingNodeStream(process.stdout);
  let closed = false;
  return {
    isTTY: false,
    // A status bar that went away is how `vmux bar` learns to end.
    get closed() {
      return closed;
    },
    write(text: string): boolean {
      const bytes = Buffer.from(text);
      let written = 0;
      try {
        while (written < bytes.length) written += writeSync(1, bytes, written);
      } catch (error) {
        const code = errnoCode(error);
        // The reader went away (`vmux list | head -1`): nothing more to say.
        if (code === 'EPIPE') {
          closed = true;
          return false;
        }
        // A non-blocking pipe that is full: let Node's stream queue the rest.
        if (code !== 'EAGAIN') throw error;
        const stdout = usingNodeStream(process.stdout);
        if (stdout.listenerCount('error') === 0) stdout.on('error', () => (closed = true));
        stdout.write(bytes.subarray(written));
      }
      return true;
    },
  };
}

/** Standard error, created only when something is written to it. */
export function standardError(): OutputStream {
  return { write: (text: string) => usingNodeStream(process.stderr).write(text) };
}

/** Node's streams vmux has written through (a terminal, standard error, a pipe that was full): they may still hold output. */
const nodeStreams = new Set<NodeJS.WriteStream>();

function usingNodeStream(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  nodeStreams.add(stream);
  return stream;
}

/**
 * Ends the process with `code` once its output is written: at once when all of it is, else once
 * Node has written what its streams still hold (a pipe that was full) and has nothing left to do.
 * Ending at once skips what Node does before it ends by itself: run V8's pending tasks (a
 * young-generation collection V8 schedules once the young generation is 80 % full) and tear down
 * the heap, threads and handles, which the system frees anyway. In A/B runs of `vmux switch` on
 * i3: ~4 ms less than exiting at 'beforeExit', ~5 ms less than Node's own exit. Call it once the
 * command is done, with nothing else to wait for.
 */
export function exitWhenWritten(code: number): void {
  process.exitCode = code;
  if ([...nodeStreams].some((stream) => stream.writableLength > 0)) process.once('beforeExit', () => process.exit());
  else process.exit();
}

function isCharacterDevice(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return false;
  }
}
