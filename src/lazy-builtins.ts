import type * as ChildProcess from 'node:child_process';
import type * as Net from 'node:net';

/**
 * Node modules that load Node's whole stream stack, loaded when first needed rather than with
 * the bundle, so that a command that never opens a socket or runs a program (`vmux list` with no
 * daemon; `vmux switch` on i3) does not pay for them: `node:child_process` alone, with the
 * `node:net` it loads, took ~10 ms of `vmux switch`. `process.getBuiltinModule` (Node ≥ 20.16)
 * loads one synchronously; `import()`, for older Node, starts the ES module loader, a few
 * milliseconds more.
 */
export async function loadNet(): Promise<typeof Net> {
  return typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:net') : await import('node:net');
}

export async function loadChildProcess(): Promise<typeof ChildProcess> {
  return typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:child_process') : await import('node:child_process');
}
