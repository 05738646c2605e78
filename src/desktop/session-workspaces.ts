import { debuglog } from 'node:util';
import type { Environment } from '../sessions/discovery-context.js';
import { readSessionTitle } from '../transcript/session-title.js';
import { hasGraphicalSession } from './graphical-session.js';
import { windowLookupIn, windowsTitled, workspacesOfSessions } from './window-of-process.js';
import { connectToWindowManager, type WmClient } from './wm-ipc/index.js';
import { focusedWindowIn } from './wm-ipc/wm-tree.js';
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

/** Where a session is shown, as far as the window manager and tmux tell. */
export interface SessionPlace {
  /** Name of the i3/sway workspace holding its terminal window. */
  readonly workspace?: string;
  /** Container id of that window. */
  readonly windowId?: number;
  /**
   * For a session in tmux: its pane is the active pane of its tmux session's current window, and
   * a tmux client shows that session. Undefined for a session outside tmux.
   */
  readonly paneInFront?: boolean;
}

/** Each session's place, by PID, and which window has the focus, from one tree. */
export interface SessionPlaces {
  readonly places: ReadonlyMap<number, SessionPlace>;
  /** Container id of the focused window; undefined without a window manager. */
  readonly focusedWindow?: number;
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
  const { places } = await sessionPlaces(sessions, env, procRoot, readTitle);
  return new Map([...places].flatMap(([pid, place]) => (place.workspace === undefined ? [] : [[pid, place.workspace]])));
}

/**
 * Where each session is shown: its terminal window (workspace and container id) and, in tmux,
 * whether its pane is the one in front; and which window has the focus. Same rules as
 * `sessionWorkspaces`: no window manager is asked without a graphical session.
 */
export async function sessionPlaces(
  sessions: readonly SessionWindowQuery[],
  env: Environment,
  procRoot: string,
  readTitle: (transcriptPath: string) => string | undefined = readSessionTitle,
): Promise<SessionPlaces> {
  const places = new Map<number, SessionPlace>();
  if (sessions.length === 0 || !hasGraphicalSession(env)) return { places };
  let client: WmClient | undefined;
  const tmuxClients = new TmuxClientsBySocket();
  try {
    client = await connectToWindowManager(env);
    const tree = await client.getTree();
    const lookup = windowLookupIn(tree, env, procRoot);
    // A session in tmux is on screen in the terminal of a tmux client showing its tmux session.
    const terminals = await Promise.all(sessions.map((session) => terminalOf(session, procRoot, tmuxClients)));
    const windows = await workspacesOfSessions(terminals.flatMap((terminal) => terminal.pid ?? []), lookup);
    sessions.forEach((session, index) => {
      const terminal = terminals[index];
      const window = terminal?.pid === undefined ? undefined : windows.get(terminal.pid);
      const pane = terminal?.paneInFront === undefined ? {} : { paneInFront: terminal.paneInFront };
      if (window?.kind === 'found') places.set(session.pid, { workspace: window.workspace, windowId: window.conId, ...pane });
      else if (window?.kind === 'several' && session.transcriptPath !== undefined) {
        // One of a terminal server's windows: the one titled like the session, as switching does.
        const [titled, ...others] = windowsTitled(window.candidates, readTitle(session.transcriptPath));
        places.set(session.pid, titled !== undefined && others.length === 0 ? { workspace: titled.workspace, windowId: titled.conId, ...pane } : pane);
      } else places.set(session.pid, pane);
    });
    const focused = focusedWindowIn(tree);
    return focused === undefined ? { places } : { places, focusedWindow: focused };
  } catch (error) {
    debug('no workspaces: %s', messageOf(error));
    return { places };
  } finally {
    client?.close();
  }
}

/** The process whose window shows a session and, in tmux, whether its pane is the one shown. */
interface Terminal {
  readonly pid?: number;
  readonly paneInFront?: boolean;
}

/**
 * The process whose window shows a session: the session itself, or for a session in tmux the
 * most recently active client showing its tmux session (none: the session is not on screen).
 */
async function terminalOf({ pid, tmuxPane }: SessionWindowQuery, procRoot: string, clients: TmuxClientsBySocket): Promise<Terminal> {
  const location = readTmuxLocation(procRoot, pid, tmuxPane);
  if (location === undefined) return { pid };
  try {
    const server = new TmuxServer(location.socketPath);
    const pane = await server.queryPane(location.paneId);
    const showing = (await clients.of(server, location.socketPath)).filter((c) => c.sessionId === pane.sessionId && !c.controlMode);
    showing.sort((a, b) => b.activity - a.activity);
    const paneInFront = showing.length > 0 && pane.windowActive && pane.paneActive;
    return showing[0] === undefined ? { paneInFront } : { pid: showing[0].pid, paneInFront };
  } catch (error) {
    debug('tmux of pid %d: %s', pid, messageOf(error));
    return {};
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
