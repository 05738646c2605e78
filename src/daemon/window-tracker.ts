import { messageOf } from '../errors.js';
import { hasGraphicalSession } from '../desktop/graphical-session.js';
import { sessionPlaces, type SessionPlace } from '../desktop/session-workspaces.js';
import { WindowChangeFeed } from '../desktop/window-changes.js';
import { DESKTOP_VARIABLES, type DesktopSession } from '../protocol/messages.js';
import { discoveryContextFrom, type Environment } from '../sessions/discovery-context.js';
import type { Session } from '../sessions/session.js';
import { SessionTitleCache } from '../transcript/session-title.js';
import { FollowedDesktop } from './followed-desktop.js';
import type { Logger } from './logger.js';

/** One window move is several WM events (the window, the workspaces it left and entered): one lookup. */
const WINDOW_SETTLE_MS = 50;

/**
 * vmuxd's knowledge of where each session's window is and which one is in front of the user:
 * which desktop session to ask (its own, or the one its clients run in), the window manager's
 * events there, and one lookup at a time. The focus is followed from the window manager's focus
 * events between lookups. All of it is extra: a lookup that fails leaves the last places and
 * never stops the daemon.
 */
export class WindowTracker {
  /** Where each session's window is, by PID, as of the last lookup. */
  private places: ReadonlyMap<number, SessionPlace> = new Map();
  /** The container with the focus, as the last lookup or focus event told. */
  private focusedWindow: number | undefined;
  /** Focus events seen so far: a lookup's tree, taken before the latest one, is older news. */
  private focusEvents = 0;
  /** Session titles, which tell apart the windows of one terminal server. */
  private readonly titles = new SessionTitleCache();
  private readonly desktop: FollowedDesktop;
  private windowChanges: WindowChangeFeed | undefined;
  private windowTimer: NodeJS.Timeout | undefined;
  private lookupRunning = false;
  private lookupAgain = false;
  private closed = false;
  /** Settles when the lookup under way (if any) has published its workspaces. */
  lookupDone: Promise<void> = Promise.resolve();

  constructor(
    env: Environment,
    /** The sessions to look up, as of now. */
    private readonly sessions: () => readonly Session[],
    /** Told when new workspaces are known. */
    private readonly onChange: () => void,
    private readonly logger: Logger,
  ) {
    this.desktop = new FollowedDesktop(env);
  }

  /** The environment the window manager (and a switch) is asked in. */
  get env(): Environment {
    return this.desktop.env;
  }

  workspaceOf(pid: number): string | undefined {
    return this.places.get(pid)?.workspace;
  }

  /** Windows are followed: a window manager is reachable from the desktop session vmuxd follows. */
  get followsWindows(): boolean {
    return hasGraphicalSession(this.desktop.env);
  }

  /**
   * The session's terminal window has the focus (for a session in tmux: the window of the
   * terminal that last showed its tmux session).
   */
  windowFocused(pid: number): boolean {
    const windowId = this.places.get(pid)?.windowId;
    return windowId !== undefined && windowId === this.focusedWindow;
  }

  /** For a session in tmux, whether its pane was the one its tmux session showed at the last lookup. */
  paneInFront(pid: number): boolean | undefined {
    return this.places.get(pid)?.paneInFront;
  }

  /** Follows the window manager's events from now on (and again after the desktop changes). */
  followWindowChanges(): void {
    this.windowChanges?.close();
    this.windowChanges = new WindowChangeFeed(this.desktop.env, () => this.lookUpSoon(), {
      log: (message) => this.logger.debug(message),
      onFocus: (containerId) => {
        this.focusEvents++;
        if (containerId === this.focusedWindow) return;
        this.focusedWindow = containerId;
        this.onChange();
      },
    });
  }

  /**
   * A client's desktop session; when it moves where the window manager is asked, window changes
   * are followed there and workspaces looked up again. True then.
   */
  offerDesktop(desktop: DesktopSession | undefined): boolean {
    if (!this.desktop.offer(desktop)) return false;
    this.logger.debug(`window manager now asked in the desktop session of a client (${describeDesktop(this.desktop.env)})`);
    this.followWindowChanges();
    void this.lookUp();
    return true;
  }

  /**
   * Asks the window manager where each session's window is, after a scan, a window change or a
   * new desktop session; one lookup at a time, and one more if more were asked for meanwhile.
   * Never holds up a scan; resolves when the workspaces asked for are published.
   */
  lookUp(): Promise<void> {
    if (this.lookupRunning) {
      this.lookupAgain = true;
      return this.lookupDone;
    }
    this.lookupRunning = true;
    this.lookupDone = this.runLookups();
    return this.lookupDone;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.windowTimer);
    this.windowChanges?.close();
  }

  /** After the window manager reported a change: the burst of events it comes in settles first. */
  private lookUpSoon(): void {
    if (this.windowTimer !== undefined || this.closed) return;
    this.windowTimer = setTimeout(() => {
      this.windowTimer = undefined;
      void this.lookUp();
    }, WINDOW_SETTLE_MS);
  }

  private async runLookups(): Promise<void> {
    try {
      do {
        this.lookupAgain = false;
        const env = this.desktop.env;
        if (!hasGraphicalSession(env)) return;
        const sessions = this.sessions();
        this.titles.keepOnly(new Set(sessions.flatMap((s) => s.transcriptPath ?? [])));
        const focusEventsBefore = this.focusEvents;
        const { places, focusedWindow } = await sessionPlaces(sessions, env, discoveryContextFrom(env).procRoot, (path) => this.titles.titleOf(path));
        if (this.closed) return;
        this.places = places;
        // A lookup that reached no window manager tells nothing of the focus: the last one stays.
        if (focusedWindow !== undefined && this.focusEvents === focusEventsBefore) this.focusedWindow = focusedWindow;
        this.onChange();
      } while (this.lookupAgain);
    } catch (error) {
      this.logger.warn(`workspace lookup failed: ${messageOf(error)}`);
    } finally {
      this.lookupRunning = false;
    }
  }
}

/** For the log: the desktop variables, not the whole environment. */
function describeDesktop(env: Environment): string {
  return DESKTOP_VARIABLES.flatMap((name) => (env[name] ? [`${name}=${env[name]}`] : [])).join(' ');
}
