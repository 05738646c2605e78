import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { vmuxHomeFrom } from '../home/vmux-home.js';
import { desktopSessionOf } from '../desktop/graphical-session.js';
import { VmuxError } from '../errors.js';
import type { Request } from '../protocol/messages.js';
import { requestDaemon } from '../protocol/socket-client.js';
import type { CliIo, ExitCode } from './cli-io.js';
import { reportError } from './report-error.js';
import { reportSwitchResponse } from './switch-report.js';

/**
 * The quick path of `vmux switch <query>` and `vmux next` when vmuxd runs, which is what key
 * bindings call: vmuxd has the sessions and switches, in the caller's desktop session (sent
 * along), so this loads no more of vmux than `vmux list` does. Undefined when no daemon answers:
 * the call is then made by scanning (`vmux-switch.cjs`).
 */
export async function switchViaDaemon(call: QuickSwitchCall, io: CliIo): Promise<ExitCode | undefined> {
  const home = vmuxHomeFrom(io.env);
  // A relative home (an empty HOME, say) is a wrong setting: the full CLI says so.
  if (!isAbsolute(home.dir) || !existsSync(home.socketPath)) return undefined;
  const request = requestOf(call, io.env);
  try {
    return reportSwitchResponse(await requestDaemon(home.socketPath, request), io);
  } catch (error) {
    // Nothing was switched when no daemon answered: the full CLI scans and switches instead.
    if (error instanceof VmuxError && error.code === 'DAEMON_NOT_RUNNING') return undefined;
    return reportError(error, io);
  }
}

/** A plain `vmux next`, or `vmux switch <words>`: what a key binding runs. */
export type QuickSwitchCall = { readonly command: 'switch'; readonly query: string } | { readonly command: 'next' };

/**
 * `argv` as a quick switch call; undefined for anything with options or without a query (the
 * picker, the launcher, help), which is the full CLI's.
 */
export function quickSwitchCall(argv: readonly string[]): QuickSwitchCall | undefined {
  const [command, ...rest] = argv;
  if (rest.some((arg) => arg.startsWith('-'))) return undefined;
  if (command === 'next' && rest.length === 0) return { command: 'next' };
  const query = rest.join(' ');
  if (command === 'switch' && query.trim() !== '') return { command: 'switch', query };
  return undefined;
}

function requestOf(call: QuickSwitchCall, env: CliIo['env']): Request {
  const desktop = desktopSessionOf(env);
  return call.command === 'next' ? { action: 'next', args: { desktop } } : { action: 'switch', args: { query: call.query, desktop } };
}
