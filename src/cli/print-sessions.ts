import type { SessionInfo } from '../protocol/session-info.js';
import { printableJson } from '../text/printable-json.js';
import { wantsColor, type CliIo } from './cli-io.js';
import { renderSessionTable } from './session-table.js';
import { palette } from './style.js';

/** `vmux list`'s output, whoever found the sessions: JSON for scripts, else the table. */
export function printSessions(sessions: readonly SessionInfo[], json: boolean, io: CliIo): void {
  if (json) {
    io.stdout.write(`${printableJson(sessions, 2)}\n`);
    return;
  }
  io.stdout.write(
    renderSessionTable(sessions, {
      now: new Date(),
      palette: palette(wantsColor(io.stdout, io.env)),
      ...(io.stdout.isTTY && io.stdout.columns ? { columns: io.stdout.columns } : {}),
    }),
  );
}
