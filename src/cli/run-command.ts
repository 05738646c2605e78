import { environmentWithSettings, settingsOrThrow } from '../settings/settings.js';
import { printableLines } from '../text/sanitize-text.js';
import type { CliIo, ExitCode } from './cli-io.js';
import { reportError } from './report-error.js';

/**
 * vmuxd has options for its settings; `config` and `doctor` show what is wrong with them; a
 * completion script must load even then, or every new shell would print the error; `service`
 * writes into its unit only the variables the user set, not what they resolve to.
 */
const CHECKS_OWN_SETTINGS: ReadonlySet<string> = new Set(['daemon', 'config', 'doctor', 'completion', 'service']);

/**
 * One command, run the way every entry runs it (the full CLI, `vmux list` on its own, vmuxd):
 * with its settings checked first, and any failure said on stderr and turned into its exit code.
 */
export async function runCommandChecked(command: string, io: CliIo, run: (io: CliIo) => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await run(CHECKS_OWN_SETTINGS.has(command) ? io : { ...io, env: checkedEnvironment(io) });
  } catch (error) {
    return reportError(error, io);
  }
}

/** The environment with the settings resolved into it; a wrong setting stops here (exit 2), a doubtful one is told. */
function checkedEnvironment(io: CliIo): CliIo['env'] {
  const settings = settingsOrThrow(io.env, {}, (warning) => io.stderr.write(`vmux: warning: ${printableLines(warning)}\n`));
  return environmentWithSettings(io.env, settings);
}
