import { vmuxHomeFrom } from '../home/vmux-home.js';
import { ExitCode, type CliIo } from './cli-io.js';
import { parseCommandArgs } from './command-args.js';
import { printSessions } from './print-sessions.js';
import { listSessions } from './session-source.js';

export async function runList(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, io, 'list', { json: { type: 'boolean' } });
  if (parsed === undefined) return ExitCode.ok;
  const { values } = parsed;
  const { sessions } = await listSessions(vmuxHomeFrom(io.env), io.env);
  printSessions(sessions, values.json === true, io);
  return ExitCode.ok;
}
