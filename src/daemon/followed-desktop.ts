import { statSync } from 'node:fs';
import { inDesktopSession } from '../desktop/graphical-session.js';
import { DESKTOP_VARIABLES, type DesktopSession } from '../protocol/messages.js';
import type { Environment } from '../sessions/discovery-context.js';

/**
 * The desktop session vmuxd asks the window manager in: its own environment's at start, then the
 * one a client last sent, when that one leads to a window manager (its `SWAYSOCK` or `I3SOCK` is
 * a socket). vmuxd may start before the desktop (a systemd unit), or outlive it (a new login
 * moves the WM's socket); the clients run inside it, so the latest one knows best. A client
 * without a WM (over ssh, on a console) changes nothing.
 */
export class FollowedDesktop {
  private current: Environment;

  constructor(private readonly own: Environment) {
    this.current = own;
  }

  /** The environment to reach the window manager with. */
  get env(): Environment {
    return this.current;
  }

  /** Takes a client's desktop session; true when the window manager is now asked elsewhere. */
  offer(desktop: DesktopSession | undefined): boolean {
    if (desktop === undefined || !leadsToWindowManager(desktop)) return false;
    if (DESKTOP_VARIABLES.every((name) => (this.current[name] ?? '') === (desktop[name] ?? ''))) return false;
    this.current = inDesktopSession(this.own, desktop);
    return true;
  }
}

function leadsToWindowManager(desktop: DesktopSession): boolean {
  return [desktop.SWAYSOCK, desktop.I3SOCK].some((path) => {
    if (path === undefined || path === '') return false;
    try {
      return statSync(path).isSocket();
    } catch {
      return false;
    }
  });
}
