import { runDaemon } from '../cli/daemon-command.js';
import { runCommandChecked } from '../cli/run-command.js';
import { exitIfNodeTooOld } from './require-node.js';
import { standardError, standardOutput } from './standard-output.js';

exitIfNodeTooOld();

// vmuxd is `vmux daemon`: the same command, bundled with only what the daemon needs. Its first
// lines (build-bundles.ts) start Node with DAEMON_NODE_OPTIONS.
const io = { env: process.env, stdout: standardOutput(), stderr: standardError() };
void runCommandChecked('daemon', io, (checked) => runDaemon(process.argv.slice(2), checked)).then((code) => {
  process.exitCode = code;
});
