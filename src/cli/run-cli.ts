import { didYouMeanHint } from '../text/did-you-mean.js';
import { echoInput } from '../text/sanitize-text.js';
import { ExitCode, type CliIo } from './cli-io.js';
import { commandHelp, commandNames, findCommand, mainHelp, NOT_YET_AVAILABLE } from './command-table.js';
import { reportError } from './report-error.js';
import { runCommandChecked } from './run-command.js';
import { runStatus, runStop } from './daemon-control-commands.js';
import { runLabel } from './label-command.js';
import { runList } from './list-command.js';
import { VERSION } from './version.js';
import { runWatch } from './watch-command.js';

/** The whole CLI as a function of its arguments and outside world; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
        io.stdout.write(mainHelp());
        return ExitCode.ok;
      case 'help':
        return showHelp(rest, io);
      case '-V':
      case '--version':
        io.stdout.write(`vmux ${VERSION}\n`);
        return ExitCode.ok;
    }
    if (findCommand(command) === undefined) return unknownCommand(command, io);
    return await runCommandChecked(command, io, (checked) => runCommand(command, rest, checked));
  } catch (error) {
    return reportError(error, io);
  }
}

async function runCommand(command: string, rest: readonly string[], io: CliIo): Promise<ExitCode> {
  switch (command) {
    case 'list':
    case 'ls':
      return await runList(rest, io);
    case 'label':
      return await runLabel(rest, io);
    case 'watch':
      return await runWatch(rest, io);
    case 'explain':
      return await (await import('./explain-command.js')).runExplain(rest, io);
    case 'daemon': {
      // Loaded only here: the daemon's server code would slow every other command's start.
      const { runDaemon } = await import('./daemon-command.js');
      return await runDaemon(rest, io);
    }
    case 'stop':
      return await runStop(rest, io);
    case 'switch':
      return await (await import('./switch-command.js')).runSwitch(rest, io);
    case 'next':
      return await (await import('./switch-command.js')).runNext(rest, io);
    case 'status':
      return await runStatus(rest, io);
    case 'config':
      return await (await import('./config-command.js')).runConfig(rest, io);
    case 'doctor':
      return await (await import('./doctor-command.js')).runDoctor(rest, io);
    case 'service':
      return await (await import('./service-command.js')).runService(rest, io);
    case 'bar':
      return await (await import('./bar-command.js')).runBar(rest, io);
    case 'completion':
      return (await import('./completion-command.js')).runCompletion(rest, io);
    default:
      return unknownCommand(command, io);
  }
}

function unknownCommand(command: string, io: CliIo): ExitCode {
  if (NOT_YET_AVAILABLE.has(command)) {
    io.stderr.write(`vmux: '${command}' is not available in this version yet; see 'vmux --help' for what is.\n`);
    return ExitCode.usage;
  }
  io.stderr.write(`vmux: unknown command '${echoInput(command)}'${didYouMeanHint(command, commandNames())}. Run 'vmux --help' for the list of commands.\n`);
  return ExitCode.usage;
}

/** `vmux help [<command>]`: the list of commands, or one command's help. */
function showHelp(args: readonly string[], io: CliIo): ExitCode {
  const [name, ...extra] = args;
  if (name === undefined) {
    io.stdout.write(mainHelp());
    return ExitCode.ok;
  }
  const command = findCommand(name);
  if (command === undefined || extra.length > 0) {
    const what = command === undefined ? `no command '${echoInput(name)}'${didYouMeanHint(name, commandNames())}` : 'one command at a time';
    io.stderr.write(`vmux help: ${what}. Run 'vmux --help' for the list of commands.\n`);
    return ExitCode.usage;
  }
  io.stdout.write(commandHelp(command));
  return ExitCode.ok;
}
