#!/usr/bin/env node
import { runCli } from '../cli/run-cli.js';
import { standardError, standardOutput } from './standard-output.js';

const terminalInput = () => (process.stdin.isTTY ? process.stdin : undefined);
void runCli(process.argv.slice(2), { env: process.env, stdout: standardOutput(), stderr: standardError(), terminalInput }).then((code) => {
  process.exitCode = code;
});
