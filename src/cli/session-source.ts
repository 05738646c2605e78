import { existsSync } from 'node:fs';
import { LabelStore } from '../daemon/label-store.js';
import { SessionRegistry } from '../daemon/session-registry.js';
import type { VmuxHome } from '../daemon/vmux-home.js';
import { VmuxError } from '../errors.js';
import { toSessionInfo, type SessionInfo } from '../protocol/session-info.js';
import { requestDaemon } from '../protocol/socket-client.js';
import { discoveryContextFrom, type Environment } from '../sessions/discovery-context.js';
import { scanSessions } from '../sessions/scan-sessions.js';

export interface SessionListing {
  readonly sessions: readonly SessionInfo[];
  /** Whether a daemon answered or vmux scanned by itself. */
  readonly source: 'daemon' | 'scan';
}

/** The sessions from the daemon when one runs, else from a scan of this machine: the same list either way. */
export async function listSessions(home: VmuxHome, env: Environment): Promise<SessionListing> {
  if (!existsSync(home.socketPath)) return { sessions: scanDirectly(home, env), source: 'scan' };
  try {
    const response = await requestDaemon(home.socketPath, { action: 'list' });
    if (!response.ok) throw new VmuxError('DAEMON_ERROR', `vmuxd refused to list: ${response.error ?? 'no reason given'}`);
    return { sessions: response.sessions ?? [], source: 'daemon' };
  } catch (error) {
    if (error instanceof VmuxError && error.code === 'DAEMON_NOT_RUNNING') return { sessions: scanDirectly(home, env), source: 'scan' };
    throw error;
  }
}

/** One scan, read the way the daemon reads it: waiting since now when nothing says since when. */
export function scanDirectly(home: VmuxHome, env: Environment): SessionInfo[] {
  const context = discoveryContextFrom(env);
  const registry = new SessionRegistry();
  const now = context.now();
  for (const session of scanSessions(context)) registry.update(session, now);
  const labels = LabelStore.peek(home.labelsPath);
  return registry.list().map((session) => {
    const label = labels.get(session.sessionId);
    return toSessionInfo(session, label ? { label } : {});
  });
}
