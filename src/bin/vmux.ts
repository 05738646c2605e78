import { join } from 'node:path';
import type { runCli as RunCli } from '../cli/run-cli.js';
import { listViaDaemon } from '../cli/list-via-daemon.js';
import { quickSwitchCall, switchViaDaemon } from '../cli/switch-via-daemon.js';
import type { runListCommand as RunListCommand } from './vmux-list.js';
import type { runSwitchCommand as RunSwitchCommand } from './vmux-switch.js';
import { codeCacheDir, loadBundle, type LoadedBundle } from './load-bundle.js';
import { exitIfNodeTooOld } from './require-node.js';
import { exitWhenWritten, standardError, standardOutput } from './standard-output.js';

exitIfNodeTooOld();

// The executable's first lines (build-bundles.ts) start Node with SCAN_NODE_OPTIONS for a listing
// that will scan by itself, with none otherwise.

const terminalInput = () => (process.stdin.isTTY ? process.stdin : undefined);
const io = { env: process.env, stdout: standardOutput(), stderr: standardError(), terminalInput, standardInput: () => process.stdin };
const argv = process.argv.slice(2);

/**
 * The rest of vmux lives in bundles beside this file (see build-bundles.ts), each loaded only
 * when no quicker path applies: `vmux-list.cjs` lists by scanning, `vmux-switch.cjs` switches by
 * scanning (`switch <query>`, `next`), `vmux-cli.cjs` is the whole CLI. This file runs only as a
 * bundle, whose `__dirname` Node has resolved through the link npm installs the bin as; the
 * bundles get its `require`, which resolves from that same folder.
 */
function bundle<T>(name: string): LoadedBundle<T> {
  return loadBundle<T>(join(__dirname, name), codeCacheDir(process.env), require);
}

async function run(): Promise<number> {
  const [command, ...rest] = argv;
  const switchCall = quickSwitchCall(argv);
  const quick = (await listViaDaemon(argv, io)) ?? (switchCall !== undefined ? await switchViaDaemon(switchCall, io) : undefined);
  if (quick !== undefined) return quick;
  if (command === 'list' || command === 'ls') {
    const list = bundle<{ runListCommand: typeof RunListCommand }>('vmux-list.cjs');
    return await list.exports.runListCommand(rest, io).finally(list.saveCache);
  }
  if (switchCall !== undefined) {
    const go = bundle<{ runSwitchCommand: typeof RunSwitchCommand }>('vmux-switch.cjs');
    return await go.exports.runSwitchCommand(switchCall, io).finally(go.saveCache);
  }
  const cli = bundle<{ runCli: typeof RunCli }>('vmux-cli.cjs');
  return await cli.exports.runCli(argv, io).finally(cli.saveCache);
}

// A command is done when its promise settles: every file written, every request answered, every
// program it ran awaited (a terminal opened for a background session runs on, detached).
void run().then(exitWhenWritten);
