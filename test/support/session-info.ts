import type { SessionInfo } from '../../src/protocol/session-info.js';

/**
 * A session as vmuxd serves it, for tests of what is made of the list (bars, notifications):
 * working in `/home/me/project-<pid>` on `main`, with whatever `fields` change.
 */
export function sessionInfo(pid: number, fields: Partial<SessionInfo> = {}): SessionInfo {
  return {
    pid,
    session_id: `session-${pid}`,
    cwd: `/home/me/project-${pid}`,
    git_branch: 'main',
    state: 'working',
    preview: '',
    workspace: '',
    reason: 'running tool: Bash',
    unseen: false,
    focused: false,
    ...fields,
  };
}
