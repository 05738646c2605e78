import { echoInput } from '../text/sanitize-text.js';
import { ExitCode, type CliIo } from './cli-io.js';
import { reportError } from './report-error.js';
import { runStatus, runStop } from './daemon-control-commands.js';
import { runLabel } from './label-command.js';
import { runList } from './list-command.js';
import { VERSION } from './version.js';
import { runWatch } from './watch-command.js';

const HELP = `Usage: vmux <command> [options]

See every running Claude Code session, which one needs you, and what each is doing.

Commands:
  list         list sessions (--json for scripts)
  label        name a session: vmux label <session> <text> | --clear
  watch        live list of sessions, fed by vmuxd (--json: one line per change)
  daemon       run vmuxd in the foreground
  status       is vmuxd running, and what does it follow
  switch       go to a session: vmux switch <query> (tmux pane and i3/sway window)
  next         go to the session that has waited longest for you
  stop         stop vmuxd
  help         show this help

Options:
  -h, --help      show help (also after a command: vmux list --help)
  -V, --version   print the version

Exit codes: 0 ok, 1 vmux failed, 2 usage error.
`;

/** Commands of the product (SPEC §7) that this build does not have yet. */
const NOT_YET = new Set(['explain', 'bar', 'hooks']);

/** The whole CLI as a function of its arguments and outside world; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '-h':
      case '--help':
        io.stdout.write(HELP);
        return ExitCode.ok;
      case '-V':
      case '--version':
        io.stdout.write(`vmux ${VERSION}\n`);
        return ExitCode.ok;
      case 'list':
      case 'ls':
        return await runList(rest, io);
      case 'label':
        return await runLabel(rest, io);
      case 'watch':
        return await runWatch(rest, io);
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
      default:
        if (NOT_YET.has(command)) {
          io.stderr.write(`vmux: '${command}' is not available in this version yet; see 'vmux --help' for what is.\n`);
          return ExitCode.failure;
        }
        io.stderr.write(`vmux: unknown command '${echoInput(command)}'. Run 'vmux --help' for the list of commands.\n`);
        return ExitCode.usage;
    }
  } catch (error) {
    return reportError(error, io);
  }
}
