import { debuglog } from 'node:util';
import type { Environment } from '../sessions/discovery-context.js';
import { readSessionTitle } from '../transcript/session-title.js';
import { hasGraphicalSession } from './graphical-session.js';
import { windowLookupIn, windowsTitled, workspacesOfSessions } from './window-of-process.js';
import { connectToWindowManager, type WmClient } from './wm-ipc/index.js';
import { TmuxServer, type TmuxAttachedClient } from './tmux/tmux-client.js';
import { readTmuxLocation } from './tmux/tmux-location.js';
import { messageOf } from '../errors.js';

const debug = debuglog('vmux:wm');

/** A session to place: its process, and its transcript, where its title is (read only when its terminal has several windows). */
export interface SessionWindowQuery {
  readonly pid: number;
  readonly transcriptPath?: string | undefined;
  /** The tmux pane the client reports itself in, if it does. */
  readonly tmuxPane?: string | undefined;
}

/**
 * The i3/sway workspace holding each session's terminal window, by PID, from one tree. Without a
 * graphical session in the environment no window manager is asked at all (a listing must stay
 * fast on a server); when one cannot be reached, sessions simply have no workspace.
 */
export async function sessionWorkspaces(
  sessions: readonly SessionWindowQuery[],
  env: Environment,
  procRoot: string,
  readTitle: (transcriptPath: string) => string | undefined = readSessionTitle,
): Promise<Map<number, string>> {
  const workspaces = new Map<number, string>();
  if (sessions.length === 0 || !hasGraphicalSession(env)) return workspaces;
  let client: WmClient | undefined;
  const tmuxClients = new TmuxClientsBySocket();
  try {
    client = await connectToWindowManager(env);
    const lookup = windowLookupIn(await client.getTree(), env, procRoot);
    // A session in tmux is on screen in the terminal of a tmux client showing its tmux session.
    const windowPids = await Promise.all(sessions.map((session) => terminalPidOf(session, procRoot, tmuxClients)));
    const windows = await workspacesOfSessions(windowPids.filter((pid): pid is number => pid !== undefined), lookup);
    sessions.forEach((session, index) => {
      const windowPid = windowPids[index];
      const window = windowPid === undefined ? undefined : windows.get(windowPid);
      if (window?.kind === 'found') workspaces.set(session.pid, window.workspace);
      if (window?.kind === 'several' && session.transcriptPath !== undefined) {
        // One of a terminal server's windows: the one titled like the session, as switching does.
        const [titled, ...others] = windowsTitled(window.candidates, readTitle(session.transcriptPath));
        if (titled !== undefined && others.length === 0) workspaces.set(session.pid, titled.workspace);
      }
    });
  } catch (error) {
    debug('no workspaces: %s', messageOf(error));
  } finally {
    client?.close();
  }
  return workspaces;
}

/**
 * The process whose window shows a session: the session itself, or for a session in tmux the
 * most recently active client showing its tmux session (none: the session is not on screen).
 */
async function terminalPidOf({ pid, tmuxPane }: SessionWindowQuery, procRoot: string, clients: TmuxClientsBySocket): Promise<number | undefined> {
  const location = readTmuxLocation(procRoot, pid, tmuxPane);
  if (location === undefined) return pid;
  try {
    const server = new TmuxServer(location.socketPath);
    const pane = await server.queryPane(location.paneId);
    const showing = (await clients.of(server, location.socketPath)).filter((c) => c.sessionId === pane.sessionId && !c.controlMode);
    showing.sort((a, b) => b.activity - a.activity);
    return showing[0]?.pid;
  } catch (error) {
    debug('tmux of pid %d: %s', pid, messageOf(error));
    return undefined;
  }
}

/** `list-clients` once per tmux server for a whole listing. */
class TmuxClientsBySocket {
  private readonly bySocket = new Map<string, Promise<TmuxAttachedClient[]>>();

  of(server: TmuxServer, socketPath: string): Promise<TmuxAttachedClient[]> {
    let clients = this.bySocket.get(socketPath);
    if (clients === undefined) {
      clients = server.listClients();
      this.bySocket.set(socketPath, clients);
    }
    return clients;
  }
}
