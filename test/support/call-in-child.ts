import { spawnSync } from 'node:child_process';

/** What a call in a child process gave back, and how long the call itself took there. */
export interface ChildCall {
  readonly value: unknown;
  readonly ms: number;
}

/**
 * Calls `exportName(...args)` of the module at `moduleUrl` in a child Node process, killed after
 * `timeoutMs`: a read that blocks (a FIFO opened for reading) or eats memory then fails the test
 * instead of freezing the test process, whose event loop a blocked synchronous read would stop.
 * Maps come back as arrays of entries, Dates as ISO strings.
 */
export function callInChild(moduleUrl: string, exportName: string, args: readonly unknown[], timeoutMs = 10_000): ChildCall {
  const script = `
    const m = await import(${JSON.stringify(moduleUrl)});
    const args = JSON.parse(process.argv[1]);
    const started = performance.now();
    const value = m[${JSON.stringify(exportName)}](...args);
    const ms = performance.now() - started;
    const plain = (_key, v) => (v instanceof Map ? [...v.entries()] : v);
    process.stdout.write(JSON.stringify({ value, ms }, plain));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '--max-old-space-size=256', '-e', script, JSON.stringify(args)], {
    timeout: timeoutMs,
    encoding: 'utf8',
  });
  if (child.error !== undefined || child.status !== 0) {
    const why = child.signal === 'SIGTERM' ? `did not return within ${timeoutMs} ms` : `failed (${child.error?.message ?? `exit ${child.status}, signal ${child.signal}`})`;
    throw new Error(`${exportName}(${JSON.stringify(args).slice(1, -1)}) ${why}: ${child.stderr.slice(0, 2000)}`);
  }
  const result = JSON.parse(child.stdout) as { value?: unknown; ms: number };
  return { value: result.value, ms: result.ms };
}
