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
  if (isCharacterDevice(1)) return process.stdout;
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
        if (process.stdout.listenerCount('error') === 0) process.stdout.on('error', () => (closed = true));
        process.stdout.write(bytes.subarray(written));
      }
      return true;
    },
  };
}

/** Standard error, created only when something is written to it. */
export function standardError(): OutputStream {
  return { write: (text: string) => process.stderr.write(text) };
}

function isCharacterDevice(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return false;
  }
}
