import { existsSync } from 'node:fs';
import { LabelStore } from '../home/label-store.js';
import { desktopSessionOf, hasGraphicalSession } from '../desktop/graphical-session.js';
import { SessionRegistry } from '../sessions/session-registry.js';
import type { VmuxHome } from '../home/vmux-home.js';
import { VmuxError } from '../errors.js';
import { toSessionInfo, type SessionInfo } from '../protocol/session-info.js';
import { sessionsFromDaemon } from '../protocol/socket-client.js';
import { discoveryContextFrom, type Environment } from '../sessions/discovery-context.js';
import { scanSessions } from '../sessions/scan-sessions.js';
import { vmuxCacheDir } from '../files/private-cache.js';
import { SavedTails } from '../transcript/saved-tails.js';
import { VERSION } from './version.js';

export interface SessionListing {
  readonly sessions: readonly SessionInfo[];
  /** Whether a daemon answered or vmux scanned by itself. */
  readonly source: 'daemon' | 'scan';
}

/** The sessions from the daemon when one runs, else from a scan of this machine: the same list either way. */
export async function listSessions(home: VmuxHome, env: Environment, options: ScanOptions = {}): Promise<SessionListing> {
  if (!existsSync(home.socketPath)) return { sessions: await scanDirectly(home, env, options), source: 'scan' };
  try {
    return { sessions: await sessionsFromDaemon(home.socketPath, desktopSessionOf(env)), source: 'daemon' };
  } catch (error) {
    if (error instanceof VmuxError && error.code === 'DAEMON_NOT_RUNNING') return { sessions: await scanDirectly(home, env, options), source: 'scan' };
    throw error;
  }
}

export interface ScanOptions {
  /** Ask the window manager where each session is (a listing does; switching finds the one it needs). */
  readonly workspaces?: boolean;
}

/**
 * One scan, read the way the daemon reads it: waiting since now when nothing says since when,
 * labels from the daemon's file, workspaces from the window manager.
 */
export async function scanDirectly(home: VmuxHome, env: Environment, options: ScanOptions = {}): Promise<SessionInfo[]> {
  const context = discoveryContextFrom(env);
  const registry = new SessionRegistry();
  const now = context.now();
  const savedTails = SavedTails.open(vmuxCacheDir(env), context.claudeDir, VERSION);
  for (const session of scanSessions(context, { savedTails })) registry.update(session, now);
  savedTails.save(VERSION);
  const labels = LabelStore.peek(home.labelsPath);
  const sessions = registry.list();
  // The window manager's client loads only when there is a graphical session to ask.
  const workspaces = options.workspaces !== false && hasGraphicalSession(env)
    ? await (await import('../desktop/session-workspaces.js')).sessionWorkspaces(sessions, env, context.procRoot)
    : new Map<number, string>();
  return sessions.map((session) => {
    const label = labels.get(session.sessionId);
    const workspace = workspaces.get(session.pid);
    return toSessionInfo(session, { ...(label ? { label } : {}), ...(workspace ? { workspace } : {}) });
  });
}
