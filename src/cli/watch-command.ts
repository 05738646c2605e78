import { vmuxHomeFrom } from '../home/vmux-home.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { desktopSessionOf } from '../desktop/graphical-session.js';
import { subscribeToDaemon } from '../protocol/socket-client.js';
import { printableJson } from '../text/printable-json.js';
import { parseCommandArgs } from './command-args.js';
import { ExitCode, wantsColor, type CliIo } from './cli-io.js';
import { renderSessionTable } from './session-table.js';
import { palette } from './style.js';

/** Waiting times in the table tick on their own between changes. */
const REDRAW_MS = 1000;

export async function runWatch(args: readonly string[], io: CliIo, signal?: AbortSignal): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, io, 'watch', { json: { type: 'boolean' } });
  if (parsed === undefined) return ExitCode.ok;
  const { values } = parsed;
  const home = vmuxHomeFrom(io.env);
  const live = values.json !== true && io.stdout.isTTY === true;
  if (!live) {
    await subscribeToDaemon(home.socketPath, (event) => io.stdout.write(`${printableJson(event)}\n`), signal, desktopSessionOf(io.env));
    return ExitCode.ok;
  }
  let latest: readonly SessionInfo[] = [];
  const colors = palette(wantsColor(io.stdout, io.env));
  const draw = () => {
    const table = renderSessionTable(latest, { now: new Date(), palette: colors, ...(io.stdout.columns ? { columns: io.stdout.columns } : {}) });
    // Home, the table cut to the screen (a scrolling table could not be redrawn in place), then
    // clear what an older, longer table left below.
    io.stdout.write(`\u001b[H${fitToScreen(table, io.stdout.rows).replace(/\n/g, '\u001b[K\n')}\u001b[J`);
  };
  io.stdout.write('\u001b[2J');
  const timer = setInterval(draw, REDRAW_MS);
  try {
    await subscribeToDaemon(
      home.socketPath,
      (event) => {
        latest = event.sessions;
        draw();
      },
      signal,
      desktopSessionOf(io.env),
    );
  } finally {
    clearInterval(timer);
  }
  return ExitCode.ok;
}

function fitToScreen(table: string, rows: number | undefined): string {
  const lines = table.trimEnd().split('\n');
  if (rows === undefined || lines.length < rows) return `${lines.join('\n')}\n`;
  const shown = lines.slice(0, Math.max(1, rows - 2));
  return `${shown.join('\n')}\n… ${lines.length - shown.length} more (vmux list shows all)\n`;
}
