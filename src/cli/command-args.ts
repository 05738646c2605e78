import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliIo } from './cli-io.js';

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Parses a command's arguments strictly, `-h`/`--help` included. When help is asked for, prints
 * the command's help and returns undefined: the command has nothing more to do.
 */
export function parseCommandArgs<const O extends Options, const P extends boolean = false>(
  args: readonly string[],
  io: CliIo,
  help: string,
  options: O,
  allowPositionals?: P,
) {
  const parsed = parseArgs({ args: [...args], options: { ...options, ...HELP_OPTION }, allowPositionals: allowPositionals ?? false, strict: true });
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout.write(help);
    return undefined;
  }
  return parsed;
}
