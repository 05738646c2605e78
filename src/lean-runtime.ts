import { setFlagsFromString } from 'node:v8';

/**
 * vmuxd spends its life waiting: a poll every few seconds, a scan when a file changes. V8's
 * optimising compiler (TurboFan) would make those scans a little faster, but it, and the code it
 * makes, stay resident: with 50 live sessions vmuxd kept ~5 MiB more (at rest ~44.7 → ~49.5 MiB)
 * for no CPU saved at rest (`npm run bench -- --only idle`). So the daemon runs its JavaScript
 * in V8's interpreter and baseline compiler (Sparkplug) only. Set at start-up, before any
 * function is hot enough to be optimised. (Not for the commands: loading `node:v8` alone costs
 * a command ~3.5 ms, more than it could save in its tenth of a second.)
 */
export function runWithBaselineCompilerOnly(): void {
  setFlagsFromString('--max-opt=1');
}

/**
 * Node options vmuxd is started with, wherever vmux starts it (the `vmuxd` executable, the
 * service `vmux service install` writes): they take effect only on Node's command line. V8 lets
 * its young generation grow to 16 MiB, fine for a program that allocates fast and long; vmuxd
 * allocates in short bursts (a scan) and then waits, and a young generation kept at 1 MiB held
 * its memory at rest with 50 live sessions ~1.7 MiB lower (at most 46.9 MiB instead of 48.6,
 * `npm run bench -- --only idle`), for no CPU that the bench could tell.
 */
export const DAEMON_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=1'];

/**
 * Node options `vmux list` is started with when it will scan by itself (no vmuxd socket), by the
 * first lines of the `vmux` executable (build-bundles.ts). A listing lives a tenth of a second,
 * and V8 starts its young generation at 1 MiB, a third of it taken by Node's own start: a scan
 * filled it once or twice, each collection copying what was alive into fresh memory (~3-4 ms
 * each); at 2 MiB a scan of 20 sessions runs without one. The baseline compiler (Sparkplug)
 * compiled code such a run never reused. Together: `vmux list --json` scanning by itself 1.51 →
 * 1.37 × `node -e 0` (medians of 40 interleaved runs, with and without them).
 *
 * Only there: any V8 option makes V8 refuse the code Node ships precompiled for its own modules,
 * which are then compiled from source. A listing by itself loads a few of them; a command that
 * opens a socket (through vmuxd, or to i3) loads the stream stack, ~9 ms more (`node:net` and
 * `node:child_process` load in 5.7 ms without options, 14.5 ms with any).
 */
export const SCAN_NODE_OPTIONS: readonly string[] = ['--min-semi-space-size=2', '--no-sparkplug'];
