import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { vmuxHomeFrom } from '../daemon/vmux-home.js';
import { VmuxError } from '../errors.js';
import { requestDaemon } from '../protocol/socket-client.js';
import { printableJson } from '../text/printable-json.js';
import { stripControlSequences } from '../text/sanitize-text.js';
import { formatAge } from '../transcript/format-age.js';
import { parseCommandArgs } from './command-args.js';
import { ExitCode, type CliIo } from './cli-io.js';

export const STOP_HELP = `Usage: vmux stop

Asks the running vmuxd to stop, and waits until it has. Exit 1 when none runs.
`;

export const STATUS_HELP = `Usage: vmux status [--json]

Tells whether vmuxd runs: its PID, version, uptime, how many sessions it follows and which
signals feed it. Exit 1 when none runs.
`;

/** How long `vmux stop` waits for the daemon to remove its socket. */
const STOP_WAIT_MS = 5000;

export async function runStop(args: readonly string[], io: CliIo): Promise<ExitCode> {
  if (parseCommandArgs(args, io, STOP_HELP, {}) === undefined) return ExitCode.ok;
  const home = vmuxHomeFrom(io.env);
  const response = await requestDaemon(home.socketPath, { action: 'stop' });
  if (!response.ok) throw new VmuxError('DAEMON_ERROR', response.error ?? 'vmuxd refused to stop');
  const deadline = Date.now() + STOP_WAIT_MS;
  while (existsSync(home.socketPath)) {
    if (Date.now() > deadline) throw new VmuxError('DAEMON_ERROR', `vmuxd accepted the stop request but still runs after ${STOP_WAIT_MS / 1000} s`);
    await delay(20);
  }
  io.stdout.write('vmuxd stopped.\n');
  return ExitCode.ok;
}

export async function runStatus(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, io, STATUS_HELP, { json: { type: 'boolean' } });
  if (parsed === undefined) return ExitCode.ok;
  const { values } = parsed;
  const home = vmuxHomeFrom(io.env);
  const response = await requestDaemon(home.socketPath, { action: 'status' });
  const status = response.status;
  if (!response.ok || status === undefined) throw new VmuxError('DAEMON_ERROR', response.error ?? 'vmuxd gave no status');
  if (values.json) {
    io.stdout.write(`${printableJson(status, 2)}\n`);
    return ExitCode.ok;
  }
  const signals = Object.entries(status.signals).map(([name, value]) => `${name.replace(/_/g, ' ')} ${String(value)}`);
  const line =
    `vmuxd ${status.version} runs (pid ${status.pid}, up ${formatAge(status.uptime_s * 1000)}), ` +
    `following ${status.sessions} session${status.sessions === 1 ? '' : 's'}; ${signals.join(', ')}; socket ${home.socketPath}`;
  // Whatever answers on the socket wrote most of it.
  io.stdout.write(`${stripControlSequences(line)}\n`);
  return ExitCode.ok;
}
