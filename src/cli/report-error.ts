import { VmuxError, errnoCode, messageOf, type VmuxErrorCode } from '../errors.js';
import { printableLines } from '../text/sanitize-text.js';
import { ExitCode, type CliIo } from './cli-io.js';

/**
 * Any failure of a command, said on stderr as the user can act on it; resolves to its exit code.
 * Messages quote what came from outside (an option typed, a folder, a socket path, tmux's or
 * vmuxd's words): each line is cleaned of control characters before it reaches the terminal.
 */
export function reportError(error: unknown, io: CliIo): ExitCode {
  const say = (message: string) => io.stderr.write(`vmux: ${printableLines(message)}\n`);
  if (error instanceof VmuxError) {
    const hint = error.code === 'DAEMON_NOT_RUNNING' ? "; start it with 'vmux daemon' (or 'systemctl --user start vmuxd')" : '';
    say(`${error.message}${hint}`);
    return exitCodeOf(error.code);
  }
  const code = errnoCode(error);
  say(`${messageOf(error)}${code === 'EACCES' ? ' (permission denied: run vmux as the user who runs Claude Code)' : ''}`);
  return ExitCode.failure;
}

/** SPEC §7: exit 2 for a wrong call, no match or an ambiguous query, and a WM or tmux that refused. */
const USAGE_CODES: ReadonlySet<string> = new Set<VmuxErrorCode>(['USAGE', 'BAD_SETTING', 'NO_MATCH', 'AMBIGUOUS', 'WM_REFUSED', 'TMUX_REFUSED']);

/** The exit code for an error of this code, whether raised here or reported by vmuxd. */
export function exitCodeOf(code: string | undefined): ExitCode {
  return code !== undefined && USAGE_CODES.has(code) ? ExitCode.usage : ExitCode.failure;
}
