import { Daemon, DEFAULT_POLL_MS } from '../daemon/daemon.js';
import { runWithBaselineCompilerOnly } from '../daemon/lean-runtime.js';
import { stderrLogger } from '../daemon/logger.js';
import { vmuxHomeFrom } from '../daemon/vmux-home.js';
import { UsageError } from '../errors.js';
import { printableLines } from '../text/sanitize-text.js';
import { parseCommandArgs } from './command-args.js';
import { ExitCode, type CliIo } from './cli-io.js';
import { VERSION } from './version.js';

export const DAEMON_HELP = `Usage: vmux daemon [--verbose] [--poll-seconds N]
       vmuxd [--verbose] [--poll-seconds N]

Runs vmuxd in the foreground: it keeps the state of every Claude Code session current and
serves it on $VMUX_HOME/vmuxd.sock (default ~/.vmux) to 'vmux list', 'vmux watch', status bars
and scripts. It rescans every few seconds and as soon as a session's files change. Stop it
with Ctrl-C, SIGTERM or 'vmux stop'. Logs go to stderr.

Options:
  --poll-seconds N   full rescan interval (default ${DEFAULT_POLL_MS / 1000})
  -v, --verbose      log every scan and connection problem
  -h, --help         show this help
`;

export async function runDaemon(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, io, DAEMON_HELP, { verbose: { type: 'boolean', short: 'v' }, 'poll-seconds': { type: 'string' } });
  if (parsed === undefined) return ExitCode.ok;
  const { values } = parsed;
  const pollSeconds = values['poll-seconds'] === undefined ? DEFAULT_POLL_MS / 1000 : Number(values['poll-seconds']);
  if (!Number.isFinite(pollSeconds) || pollSeconds < 0.1 || pollSeconds > 3600) {
    throw new UsageError('--poll-seconds takes a number of seconds between 0.1 and 3600');
  }
  runWithBaselineCompilerOnly();
  const daemon = await Daemon.start({
    home: vmuxHomeFrom(io.env),
    env: io.env,
    pollMs: Math.round(pollSeconds * 1000),
    // Log lines quote session ids, folders and socket paths: cleaned, as everything vmux prints.
    logger: stderrLogger(values.verbose === true, (line) => io.stderr.write(printableLines(line))),
    version: VERSION,
  });
  const onSignal = (signal: NodeJS.Signals) => void daemon.stop(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await daemon.stopped;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return ExitCode.ok;
}
