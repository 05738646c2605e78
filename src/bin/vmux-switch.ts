import type { CliIo, ExitCode } from '../cli/cli-io.js';
import { runCommandChecked } from '../cli/run-command.js';
import { runNext, runSwitch } from '../cli/switch-command.js';

/**
 * `vmux switch` and `vmux next` when no daemon answers: bundled apart (`vmux-switch.cjs`) so that
 * a key binding that scans by itself compiles the scan and the desktop bridge, not every other
 * command.
 */
export function runSwitchCommand(command: 'switch' | 'next', args: readonly string[], io: CliIo): Promise<ExitCode> {
  return runCommandChecked(command, io, (checked) => (command === 'switch' ? runSwitch(args, checked) : runNext(args, checked)));
}
