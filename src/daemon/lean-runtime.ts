import { setFlagsFromString } from 'node:v8';

/**
 * vmuxd spends its life waiting: a poll every few seconds, a scan when a file changes. V8's
 * optimising compilers (Maglev, TurboFan) would make those scans a little faster, but they, and
 * the code they make, stay resident: with 50 live sessions vmuxd kept ~4 MiB more (RSS ~47 →
 * ~51 MiB) for no CPU saved at rest (`npm run bench -- --only idle`). So the daemon runs its
 * JavaScript in V8's interpreter and baseline compiler (Sparkplug) only. Set at start-up, before
 * any function is hot enough to be optimised; V8 honours it from then on.
 */
export function runWithBaselineCompilerOnly(): void {
  setFlagsFromString('--max-opt=1');
}
