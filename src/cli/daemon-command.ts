import { Daemon } from '../daemon/daemon.js';
import { runWithBaselineCompilerOnly } from '../lean-runtime.js';
import { stderrLogger } from '../daemon/logger.js';
import { vmuxHomeFrom } from '../home/vmux-home.js';
import { environmentWithSettings, SettingsFollower, settingsOrThrow } from '../settings/settings.js';
import { printableLines } from '../text/sanitize-text.js';
import { parseCommandArgs } from './command-args.js';
import { ExitCode, type CliIo } from './cli-io.js';
import { VERSION } from './version.js';

export async function runDaemon(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const parsed = parseCommandArgs(args.flatMap(withNotifyValue), io, 'daemon', {
    verbose: { type: 'boolean', short: 'v' },
    'poll-seconds': { type: 'string' },
    notify: { type: 'string' },
    version: { type: 'boolean', short: 'V' },
  });
  if (parsed === undefined) return ExitCode.ok;
  const { values } = parsed;
  if (values.version) {
    io.stdout.write(`vmuxd ${VERSION}\n`);
    return ExitCode.ok;
  }
  const pollOption = values['poll-seconds'];
  const commandLine = {
    ...(pollOption === undefined ? {} : { pollSeconds: pollOption.trim() === '' ? Number.NaN : Number(pollOption) }),
    ...(values.notify === undefined ? {} : { notify: values.notify }),
  };
  // Log lines quote session ids, folders and socket paths: cleaned, as everything vmux prints.
  const logger = stderrLogger(values.verbose === true, (line) => io.stderr.write(printableLines(line)));
  const settings = settingsOrThrow(io.env, commandLine, (warning) => logger.warn(warning));
  const env = environmentWithSettings(io.env, settings);
  runWithBaselineCompilerOnly();
  const daemon = await Daemon.start({
    home: vmuxHomeFrom(env),
    env,
    pollMs: Math.round(settings.pollSeconds.value * 1000),
    settings: new SettingsFollower(io.env, commandLine),
    logger,
    version: VERSION,
    notify: settings.notify.value,
  });
  const onSignal = (signal: NodeJS.Signals) => void daemon.stop(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await daemon.stopped;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return ExitCode.ok;
}

/** `--notify` alone means desktop notifications; `--notify tmux` (or `=tmux`) names where. */
function withNotifyValue(arg: string, index: number, args: readonly string[]): string[] {
  if (arg !== '--notify') return [arg];
  const next = args[index + 1];
  return next !== undefined && !next.startsWith('-') ? [arg] : ['--notify=desktop'];
}
