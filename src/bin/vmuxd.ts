#!/usr/bin/env node
import { runCli } from '../cli/run-cli.js';
import { exitIfNodeTooOld } from './require-node.js';
import { standardError, standardOutput } from './standard-output.js';

exitIfNodeTooOld();

// vmuxd is `vmux daemon`: one way to start the daemon, whichever name runs it.
void runCli(['daemon', ...process.argv.slice(2)], { env: process.env, stdout: standardOutput(), stderr: standardError() }).then(
  (code) => {
    process.exitCode = code;
  },
);
