import { setFlagsFromString } from 'node:v8';

/**
 * V8's optimising compiler (TurboFan) pays off in code that runs hot for long; vmux's processes
 * do not. A command lives a tenth of a second: code optimised on its hot loops (the transcript
 * tails of a listing) is ready about when the command ends. vmuxd and the long-running clients
 * (`vmux bar`, `vmux watch`) spend their lives waiting, and optimised code stays resident: with
 * 50 live sessions vmuxd kept ~4 MiB more (RSS ~47 → ~51 MiB) for no CPU saved at rest
 * (`npm run bench -- --only idle`). So vmux runs its JavaScript in V8's interpreter and baseline
 * compiler (Sparkplug) only. Set first thing, before any bundle is loaded: the flags are part of
 * what V8's code cache is made for.
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
