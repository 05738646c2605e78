import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';
import { echoInput } from '../text/sanitize-text.js';
import { didYouMeanHint } from '../text/did-you-mean.js';
import type { CliIo } from './cli-io.js';
import { commandHelp, findCommand } from './command-table.js';

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Parses a command's arguments strictly, `-h`/`--help` included. When help is asked for, prints
 * the command's help (from the command table) and returns undefined: the command has nothing
 * more to do. A wrong option is a `UsageError` that names the command and the closest option.
 */
export function parseCommandArgs<const O extends Options, const P extends boolean = false>(
  args: readonly string[],
  io: CliIo,
  command: string,
  options: O,
  allowPositionals?: P,
) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: { ...options, ...HELP_OPTION }, allowPositionals: allowPositionals ?? false, strict: true });
  } catch (error) {
    throw usageErrorOf(error, command, Object.keys(options));
  }
  if ((parsed.values as { help?: boolean }).help) {
    const spec = findCommand(command);
    if (spec !== undefined) io.stdout.write(commandHelp(spec));
    return undefined;
  }
  return parsed;
}

/** node:util's parse errors, said in vmux's words with the way out. */
function usageErrorOf(error: unknown, command: string, known: readonly string[]): unknown {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string' || !error.code.startsWith('ERR_PARSE_ARGS')) return error;
  const help = `run 'vmux ${command} --help'`;
  const named = /'([^']*)'/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const hint = didYouMeanHint(named.replace(/^-+/, ''), [...known, 'help']).replace(/'([^']+)'/, "'--$1'");
      return new UsageError(`vmux ${command} has no option ${echoInput(named)}${hint}; ${help}`);
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`vmux ${command} takes no argument ${echoInput(named)}; ${help}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(error.message)) return new UsageError(`${echoInput(named.split(' ')[0] ?? named)} needs a value; ${help}`);
      return new UsageError(`${echoInput(error.message.replace(/\.$/, ''))}; ${help}`);
    default:
      return new UsageError(`${echoInput(error.message)}; ${help}`);
  }
}
