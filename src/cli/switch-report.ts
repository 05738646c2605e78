import { debuglog } from 'node:util';
import type { Response, SwitchedTo } from '../protocol/messages.js';
import { printableLines, stripControlSequences } from '../text/sanitize-text.js';
import { ExitCode, type CliIo } from './cli-io.js';
import { exitCodeOf } from './report-error.js';

const debug = debuglog('vmux:wm');

/** What `vmux switch` and `vmux next` say about where they went, and their exit code. */
export function reportSwitched(switched: SwitchedTo, io: CliIo): ExitCode {
  const name = `${stripControlSequences(switched.label || switched.cwd)} (pid ${switched.pid})`;
  if (switched.attach !== undefined) {
    // vmux quotes control characters in the command ($'\033'); an older vmuxd may not have.
    io.stderr.write(`vmux: ${name} runs in a tmux session no terminal shows. Its pane is selected; attach with:\n  ${stripControlSequences(switched.attach)}\n`);
    return ExitCode.usage;
  }
  if (switched.opened !== undefined) {
    io.stdout.write(`${name} runs in the background: opened a terminal showing it (${stripControlSequences(switched.opened)}).\n`);
  } else if (switched.workspace !== undefined) {
    const where = `workspace ${stripControlSequences(switched.workspace)}${switched.tmux_pane !== undefined ? ', in its tmux pane' : ''}`;
    io.stdout.write(`Switched to ${name} on ${where}.\n`);
  } else if (switched.unfocused !== undefined) {
    // The pane is all a tmux user without i3 or sway asked for: why no window was focused is no news to them.
    debug('no window focused: %s', stripControlSequences(switched.unfocused));
    io.stdout.write(`Switched to ${name} in its tmux pane.\n`);
  } else {
    io.stdout.write(`Switched to ${name}.\n`);
  }
  return ExitCode.ok;
}

/** vmuxd's answer to `switch` or `next`, said the same way as a switch made here. */
export function reportSwitchResponse(response: Response, io: CliIo): ExitCode {
  if (response.ok && response.switched !== undefined) return reportSwitched(response.switched, io);
  // Its lines (a list of candidates) are kept; anything else that could drive the terminal is not.
  const error = printableLines(response.error ?? 'vmuxd did not say where it switched');
  io.stderr.write(`vmux: ${error}\n`);
  return response.ok ? ExitCode.failure : exitCodeOf(response.code);
}
