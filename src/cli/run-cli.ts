import { VmuxError, errnoCode } from '../errors.js';
import { ExitCode, type CliIo } from './cli-io.js';
import { runList } from './list-command.js';

export const VERSION = '0.1.0';

const HELP = `Usage: vmux <command> [options]

See every running Claude Code session, which one needs you, and what each is doing.

Commands:
  list         list sessions (--json for scripts)
  help         show this help

Options:
  -h, --help      show help (also after a command: vmux list --help)
  -V, --version   print the version

Exit codes: 0 ok, 1 vmux failed, 2 usage error.
`;

/** Commands of the product (SPEC §7) that this build does not have yet. */
const NOT_YET = new Set(['switch', 'next', 'label', 'explain', 'watch', 'bar', 'hooks', 'daemon', 'stop', 'status']);

/** The whole CLI as a function of its arguments and outside world; returns the exit code. */
export function runCli(argv: readonly string[], io: CliIo): ExitCode {
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
        return runList(rest, io);
      default:
        if (NOT_YET.has(command)) {
          io.stderr.write(`vmux: '${command}' is not available in this version yet; 'vmux list' is.\n`);
          return ExitCode.failure;
        }
        io.stderr.write(`vmux: unknown command '${printable(command)}'. Run 'vmux --help' for the list of commands.\n`);
        return ExitCode.usage;
    }
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIo): ExitCode {
  if (isParseArgsError(error)) {
    io.stderr.write(`vmux: ${error.message}. Run 'vmux <command> --help'.\n`);
    return ExitCode.usage;
  }
  if (error instanceof VmuxError) {
    io.stderr.write(`vmux: ${error.message}\n`);
    return error.code === 'USAGE' || error.code === 'NO_MATCH' || error.code === 'AMBIGUOUS'
      ? ExitCode.usage
      : ExitCode.failure;
  }
  const code = errnoCode(error);
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`vmux: ${message}${code === 'EACCES' ? ' (permission denied: run vmux as the user who runs Claude Code)' : ''}\n`);
  return ExitCode.failure;
}

function isParseArgsError(error: unknown): error is Error {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS');
}

/** Echoes user input safely: no control characters reach the terminal. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
