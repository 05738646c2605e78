/**
 * The last line of clean-up of a test process: what the `after` hooks did not stop (a hook that
 * never ran, a test file that crashed, Ctrl-C or the runner's SIGTERM) is stopped here, when the
 * process ends. The usual termination signals become an exit, so that these steps run then too;
 * only SIGKILL escapes them. No `node:test` import, so benchmarks can use what relies on it.
 */

const steps: Array<() => void> = [];
let hooked = false;

/**
 * Runs `step` when the process ends, after the steps registered before it (a harness's processes
 * are killed before the user they ran as is removed). It must be synchronous: nothing else runs
 * at exit. A step that throws does not stop the others.
 */
export function atExit(step: () => void): void {
  steps.push(step);
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (let next = steps.shift(); next !== undefined; next = steps.shift()) {
      try {
        next();
      } catch (error) {
        process.stderr.write(`test clean-up at exit failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  });
  for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    process.once(signal, () => process.exit(128 + number));
  }
}
