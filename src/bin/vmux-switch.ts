import type { CliIo, ExitCode } from '../cli/cli-io.js';
import { runCommandChecked } from '../cli/run-command.js';
import { switchToNext, switchToQuery } from '../cli/switch-by-query.js';
import type { QuickSwitchCall } from '../cli/switch-via-daemon.js';

/**
 * `vmux switch <query>` and `vmux next` when no daemon answers: bundled apart (`vmux-switch.cjs`)
 * so that a key binding that scans by itself compiles the scan and the desktop bridge, not every
 * other command, nor the picker, the launcher or the help of its own (the full CLI's).
 */
export function runSwitchCommand(call: QuickSwitchCall, io: CliIo): Promise<ExitCode> {
  return runCommandChecked(call.command, io, (checked) => (call.command === 'switch' ? switchToQuery(call.query, checked) : switchToNext(checked)));
}
