#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { runCli as RunCli } from '../cli/run-cli.js';
import { listViaDaemon } from '../cli/list-via-daemon.js';
import { switchViaDaemon } from '../cli/switch-via-daemon.js';
import { exitIfNodeTooOld } from './require-node.js';
import { standardError, standardOutput } from './standard-output.js';

exitIfNodeTooOld();

const terminalInput = () => (process.stdin.isTTY ? process.stdin : undefined);
const io = { env: process.env, stdout: standardOutput(), stderr: standardError(), terminalInput, standardInput: () => process.stdin };
const argv = process.argv.slice(2);

/**
 * The full CLI lives in `vmux-cli.cjs` beside this file (see package.json's build): loaded only
 * when no quick path applies. The script path is resolved first, as npm runs the bin
 * through a link.
 */
function loadCli(): { runCli: typeof RunCli } {
  const here = realpathSync(process.argv[1] ?? '.');
  return createRequire(here)('./vmux-cli.cjs') as { runCli: typeof RunCli };
}

void (async () => {
  process.exitCode = (await listViaDaemon(argv, io)) ?? (await switchViaDaemon(argv, io)) ?? (await loadCli().runCli(argv, io));
})();
