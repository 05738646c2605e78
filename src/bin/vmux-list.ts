import type { CliIo, ExitCode } from '../cli/cli-io.js';
import { runList } from '../cli/list-command.js';
import { runCommandChecked } from '../cli/run-command.js';

/**
 * `vmux list` when no daemon answers: bundled apart (`vmux-list.cjs`) so that a listing that
 * scans by itself compiles the scan and the table, not every other command.
 */
export function runListCommand(args: readonly string[], io: CliIo): Promise<ExitCode> {
  return runCommandChecked('list', io, (checked) => runList(args, checked));
}
