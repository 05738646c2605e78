import { debuglog } from 'node:util';
import type { Environment } from '../sessions/discovery-context.js';
import { hasGraphicalSession } from './graphical-session.js';
import { wmKindOf } from './switch-to-session.js';
import { workspacesOfSessions } from './window-of-process.js';
import { findWmSocketPath, WmClient } from './wm-ipc/index.js';
import { xpropWindowPidReader } from './x11-window-pid.js';

const debug = debuglog('vmux:wm');

/**
 * The i3/sway workspace holding each session's terminal window, by PID, from one tree. Without a
 * graphical session in the environment no window manager is asked at all (a listing must stay
 * fast on a server); when one cannot be reached, sessions simply have no workspace.
 */
export async function sessionWorkspaces(pids: readonly number[], env: Environment, procRoot: string): Promise<Map<number, string>> {
  const workspaces = new Map<number, string>();
  if (pids.length === 0 || !hasGraphicalSession(env)) return workspaces;
  let client: WmClient | undefined;
  try {
    client = await WmClient.connect((await findWmSocketPath({ env })).path);
    const tree = await client.getTree();
    const kind = wmKindOf(tree);
    const windows = await workspacesOfSessions(pids, {
      tree,
      procRoot,
      kind,
      ...(kind === 'i3' ? { windowPidOf: xpropWindowPidReader({ env }) } : {}),
    });
    for (const [pid, window] of windows) if (window.kind === 'found') workspaces.set(pid, window.workspace);
  } catch (error) {
    debug('no workspaces: %s', error instanceof Error ? error.message : String(error));
  } finally {
    client?.close();
  }
  return workspaces;
}
