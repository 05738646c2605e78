import { inDesktopSession } from '../desktop/graphical-session.js';
import { switchToListedSession } from '../desktop/switch-to-session.js';
import { VmuxError, messageOf } from '../errors.js';
import type { DesktopSession, Response } from '../protocol/messages.js';
import { resolveSession } from '../selection/resolve-session.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { discoveryContextFrom, type Environment } from '../sessions/discovery-context.js';
import { takeNext } from '../selection/next-cycle.js';
import type { VmuxHome } from '../home/vmux-home.js';

/** What vmuxd switches with: its current list, its environment, and its home (for `next`'s walk). */
export interface SwitchContext {
  readonly sessions: readonly SessionInfo[];
  readonly env: Environment;
  readonly home: VmuxHome;
}

/**
 * `switch`: the same rules as `vmux switch <query>`. The window is looked up in the caller's
 * desktop session when it sent one (vmuxd's own environment may have none), else in vmuxd's.
 */
export function answerSwitch(query: string, desktop: DesktopSession | undefined, context: SwitchContext): Promise<Response> {
  return answering(() => resolveSession(query, context.sessions, { fuzzy: true }), desktop, context);
}

/** `next`: the session waiting longest, then the next one on repeated calls, as `vmux next` does. */
export function answerNext(desktop: DesktopSession | undefined, context: SwitchContext): Promise<Response> {
  return answering(() => takeNext(context.sessions, context.home), desktop, context);
}

async function answering(choose: () => SessionInfo, desktop: DesktopSession | undefined, context: SwitchContext): Promise<Response> {
  try {
    const session = choose();
    const env = desktop === undefined ? context.env : inDesktopSession(context.env, desktop);
    const switched = await switchToListedSession(session, { env, procRoot: discoveryContextFrom(env).procRoot });
    return { ok: true, switched };
  } catch (error) {
    if (error instanceof VmuxError) return { ok: false, error: error.message, code: error.code };
    return { ok: false, error: messageOf(error) };
  }
}
