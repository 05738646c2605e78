import type * as Net from 'node:net';

/**
 * `node:net`, loaded when a socket is first needed, so that a command that never opens one
 * (`vmux list` with no daemon) does not pay for Node's stream stack. `process.getBuiltinModule`
 * (Node ≥ 20.16) loads it synchronously; `import()`, for older Node, starts the ES module loader,
 * a few milliseconds more.
 */
export async function loadNet(): Promise<typeof Net> {
  return typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:net') : await import('node:net');
}
