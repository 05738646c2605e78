import type * as ChildProcess from 'node:child_process';
import type * as Module from 'node:module';
import type * as Net from 'node:net';
import type * as Os from 'node:os';

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

/**
 * Node modules that only a rare path needs, loaded there and synchronously: `node:os` (the home
 * folder when HOME is unset, ~0.4 ms to load) and `node:module` (~0.7 ms). vmux runs from its
 * CommonJS bundles, where `require` is at hand; its modules run as ES modules only in the tests,
 * on a Node with `process.getBuiltinModule`.
 */
export function loadOs(): typeof Os {
  return typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:os') : (require('node:os') as typeof Os);
}

export function loadCreateRequire(): typeof Module.createRequire {
  return (typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:module') : (require('node:module') as typeof Module)).createRequire;
}
