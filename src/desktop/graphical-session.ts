import type { Environment } from '../sessions/discovery-context.js';
import { DESKTOP_VARIABLES, type DesktopSession, type DesktopVariable } from '../protocol/messages.js';

/** Whether the environment points at a window manager or display vmux could ask at all. */
export function hasGraphicalSession(env: Environment): boolean {
  return Boolean(env['SWAYSOCK'] || env['I3SOCK'] || env['DISPLAY'] || env['WAYLAND_DISPLAY']);
}

/** The caller's desktop session, to send to vmuxd with a switch: only the variables that are set. */
export function desktopSessionOf(env: Environment): DesktopSession {
  const desktop: Partial<Record<DesktopVariable, string>> = {};
  for (const name of DESKTOP_VARIABLES) {
    const value = env[name];
    if (value) desktop[name] = value;
  }
  return desktop;
}

/** An environment to switch in: this one, its desktop variables replaced by the caller's. */
export function inDesktopSession(env: Environment, desktop: DesktopSession): Environment {
  const inSession: Record<string, string | undefined> = { ...env };
  for (const name of DESKTOP_VARIABLES) delete inSession[name];
  return { ...inSession, ...desktop };
}
