import type { DaemonStatus } from '../protocol/messages.js';
import { stopDaemon } from '../home/stop-daemon.js';
import { vmuxHomeFrom } from '../home/vmux-home.js';
import { VmuxError } from '../errors.js';
import { requestDaemon } from '../protocol/socket-client.js';
import { printableJson } from '../text/printable-json.js';
import { printableLines } from '../text/sanitize-text.js';
import { formatAge } from '../transcript/format-age.js';
import { parseCommandArgs } from './command-args.js';
import { ExitCode, type CliIo } from './cli-io.js';

export async function runStop(args: readonly string[], io: CliIo): Promise<ExitCode> {
  if (parseCommandArgs(args, io, 'stop', {}) === undefined) return ExitCode.ok;
  await stopDaemon(vmuxHomeFrom(io.env).socketPath);
  io.stdout.write('vmuxd stopped.\n');
  return ExitCode.ok;
}

export async function runStatus(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, io, 'status', { json: { type: 'boolean' } });
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
  const lines = [
    `vmuxd ${status.version} runs (pid ${status.pid}, up ${formatAge(status.uptime_s * 1000)}), following ${status.sessions} session${status.sessions === 1 ? '' : 's'}.`,
    ...describeSignals(status.signals),
    `Socket: ${home.socketPath}`,
  ];
  const line = lines.join('\n');
  // Whatever answers on the socket wrote most of it.
  io.stdout.write(`${printableLines(line)}\n`);
  return ExitCode.ok;
}

/** The signals vmuxd reports, in sentences rather than as keys and values. */
function describeSignals(signals: DaemonStatus['signals']): string[] {
  const lines: string[] = [];
  const poll = signals['poll_s'];
  const watched = signals['watched_folders'];
  if (typeof poll === 'number') {
    const folders = typeof watched === 'number' ? ` (${watched} folder${watched === 1 ? '' : 's'} watched)` : '';
    lines.push(`Rescans as soon as a session's files change${folders}; polls every ${poll} s.`);
  }
  const wm = signals['window_manager'];
  if (typeof wm === 'boolean') lines.push(wm ? 'Window manager: followed (workspaces listed, switching focuses windows).' : 'Window manager: none known yet (a client from your desktop tells vmuxd where it is).');
  const hooks = signals['hooks'];
  if (typeof hooks === 'boolean') lines.push(hooks ? 'Claude Code hooks: installed.' : 'Claude Code hooks: not used (none are needed: vmux reads the files Claude Code writes).');
  const notifications = signals['notifications'];
  if (typeof notifications === 'string') {
    lines.push(notifications === 'off' ? "Notifications: off ('vmuxd --notify' or notify in the config file turns them on)." : `Notifications: ${notifications}.`);
  }
  for (const [name, value] of Object.entries(signals)) {
    if (!['poll_s', 'watched_folders', 'window_manager', 'hooks', 'notifications'].includes(name)) lines.push(`${name.replace(/_/g, ' ')}: ${String(value)}`);
  }
  return lines;
}
