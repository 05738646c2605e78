import { switchToListedSession } from '../desktop/switch-to-session.js';
import { vmuxHomeFrom } from '../home/vmux-home.js';
import { discoveryContextFrom } from '../sessions/discovery-context.js';
import { takeNext } from '../selection/next-cycle.js';
import { resolveSession } from '../selection/resolve-session.js';
import type { SessionInfo } from '../protocol/session-info.js';
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
  return goToSession(resolveSession(query, sessions, { fuzzy: true }), io);
}

export async function switchToNext(io: CliIo): Promise<ExitCode> {
  const home = vmuxHomeFrom(io.env);
  const { sessions } = await listSessions(home, io.env, { workspaces: false });
  return goToSession(takeNext(sessions, home), io);
}

/** Takes the user to a session found by a scan, and says where (however it was chosen). */
export async function goToSession(session: SessionInfo, io: CliIo): Promise<ExitCode> {
  return reportSwitched(await switchToListedSession(session, { env: io.env, procRoot: discoveryContextFrom(io.env).procRoot }), io);
}
