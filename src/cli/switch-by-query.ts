import { switchToListedSession } from '../desktop/switch-to-session.js';
import { vmuxHomeFrom } from '../home/vmux-home.js';
import { discoveryContextFrom } from '../sessions/discovery-context.js';
import { takeNext } from '../selection/next-cycle.js';
import { resolveSession } from '../selection/resolve-session.js';
import type { CliIo, ExitCode } from './cli-io.js';
import { listSessions } from './session-source.js';
import { reportSwitched } from './switch-report.js';

/**
 * `vmux switch <query>` and `vmux next` once their arguments are read, scanning by themselves:
 * what a key binding runs when vmuxd does not. Apart from the picker and the launcher
 * (switch-command.ts), so that `vmux-switch.cjs` carries only this.
 */
export async function switchToQuery(query: string, io: CliIo): Promise<ExitCode> {
  const { sessions } = await listSessions(vmuxHomeFrom(io.env), io.env, { workspaces: false });
  return reportSwitched(await switchToListedSession(resolveSession(query, sessions, { fuzzy: true }), switchOptions(io)), io);
}

export async function switchToNext(io: CliIo): Promise<ExitCode> {
  const home = vmuxHomeFrom(io.env);
  const { sessions } = await listSessions(home, io.env, { workspaces: false });
  return reportSwitched(await switchToListedSession(takeNext(sessions, home), switchOptions(io)), io);
}

export function switchOptions(io: CliIo): { env: CliIo['env']; procRoot: string } {
  return { env: io.env, procRoot: discoveryContextFrom(io.env).procRoot };
}
