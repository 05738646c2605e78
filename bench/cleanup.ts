/**
 * Everything the benchmarks leave on the machine (fixture processes, temp folders, a 1 GB file)
 * is undone through one registry, on every way the harness can end: normal exit, an exception,
 * or a signal. Only SIGKILL escapes it.
 */
import { messageOf } from '../src/errors.js';

export class Cleanup {
  private readonly actions: Array<() => void> = [];
  private hooked = false;

  /** Registers an undo step; steps run last-registered first, each at most once. */
  add(action: () => void): void {
    this.actions.push(action);
  }

  /** Synchronous, so it can run from an `exit` handler; one failing step does not stop the rest. */
  runAll(): void {
    for (let action = this.actions.pop(); action !== undefined; action = this.actions.pop()) {
      try {
        action();
      } catch (error) {
        process.stderr.write(`bench cleanup step failed: ${messageOf(error)}\n`);
      }
    }
  }

  /** Runs the registry on exit and turns the usual termination signals into a clean exit. */
  installProcessHooks(): void {
    if (this.hooked) return;
    this.hooked = true;
    process.on('exit', () => this.runAll());
    const signals: Array<[NodeJS.Signals, number]> = [
      ['SIGINT', 2],
      ['SIGTERM', 15],
      ['SIGHUP', 1],
    ];
    for (const [signal, number] of signals) {
      process.once(signal, () => {
        process.stderr.write(`\nbench: ${signal}, cleaning up\n`);
        this.runAll();
        process.exit(128 + number);
      });
    }
  }
}
