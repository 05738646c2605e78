import { messageOf } from '../errors.js';
import type { ActiveClientPane } from '../desktop/tmux/active-client-panes.js';
import { followTmuxFocus, type TmuxFocusFollower } from '../desktop/tmux/follow-tmux-focus.js';
import { TmuxIndicators, type PaneIndicator } from '../desktop/tmux/tmux-indicators.js';
import { readTmuxLocation } from '../desktop/tmux/tmux-location.js';
import type { SessionInfo } from '../protocol/session-info.js';
import type { Session } from '../sessions/session.js';
import type { Logger } from './logger.js';

/** Where a session runs in tmux: its server's socket and its pane. */
interface PaneOfSession {
  readonly socketPath: string;
  readonly paneId: string;
}

/** What vmuxd keeps for one tmux server its sessions run in. */
interface FollowedServer {
  readonly follower: TmuxFocusFollower;
  readonly indicators: TmuxIndicators;
  /** The pane each attached terminal shows, as last reported; undefined until the first report. */
  shown: readonly ActiveClientPane[] | undefined;
}

/**
 * vmuxd's knowledge of the tmux servers its sessions run in: which pane each attached terminal
 * shows (followed by events, see `followTmuxFocus`), and the status-line options that show each
 * session's state on its pane and window. A server is followed while some session runs in it.
 * Everything here is extra: tmux failing or going away never stops the daemon.
 */
export class TmuxTracker {
  /** By the session's process (`pid:procStart`): read once from `/proc`, as a process never moves to another server. */
  private readonly panes = new Map<string, PaneOfSession | undefined>();
  private readonly paneByPid = new Map<number, PaneOfSession>();
  private readonly servers = new Map<string, FollowedServer>();
  private closed = false;

  constructor(
    private readonly procRoot: () => string,
    /** Told when what a terminal shows changed. */
    private readonly onChange: () => void,
    private readonly logger: Logger,
    private readonly pollMs: number,
  ) {}

  /** Takes in the sessions of a scan: their panes are learnt, and the servers they run in followed. */
  follow(sessions: readonly Session[]): void {
    if (this.closed) return;
    const live = new Set<string>();
    this.paneByPid.clear();
    for (const session of sessions) {
      const key = `${session.pid}:${session.procStart}`;
      live.add(key);
      if (!this.panes.has(key)) this.panes.set(key, this.locate(session));
      const pane = this.panes.get(key);
      if (pane !== undefined) this.paneByPid.set(session.pid, pane);
    }
    for (const key of this.panes.keys()) if (!live.has(key)) this.panes.delete(key);
    const sockets = new Set([...this.paneByPid.values()].map((pane) => pane.socketPath));
    for (const socketPath of sockets) if (!this.servers.has(socketPath)) this.startFollowing(socketPath);
    for (const socketPath of this.servers.keys()) if (!sockets.has(socketPath)) this.stopFollowing(socketPath);
  }

  /**
   * Whether some attached terminal shows the session's pane (the active pane of its session's
   * current window); undefined for a session outside tmux, or before its server has told.
   */
  paneShown(pid: number): boolean | undefined {
    const pane = this.paneByPid.get(pid);
    const server = pane === undefined ? undefined : this.servers.get(pane.socketPath);
    if (pane === undefined || server?.shown === undefined) return undefined;
    return server.shown.some((client) => client.paneId === pane.paneId);
  }

  /** Shows each session's state on its pane and window (`@vmux_state`, `@vmux_unseen` and the others). */
  showStates(sessions: readonly SessionInfo[]): void {
    const bySocket = new Map<string, PaneIndicator[]>();
    for (const session of sessions) {
      const pane = this.paneByPid.get(session.pid);
      if (pane === undefined) continue;
      const list = bySocket.get(pane.socketPath) ?? [];
      list.push({ paneId: pane.paneId, state: session.state, unseen: session.unseen });
      bySocket.set(pane.socketPath, list);
    }
    for (const [socketPath, server] of this.servers) {
      void server.indicators.update(bySocket.get(socketPath) ?? []).then((outcome) => {
        if (outcome.kind === 'failed') this.logger.debug(`tmux ${socketPath}: could not show states: ${outcome.error.message}`);
      });
    }
  }

  /** Stops following every server, and takes vmux's options off them. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.servers.keys()].map((socketPath) => this.stopFollowing(socketPath)));
  }

  private locate(session: Session): PaneOfSession | undefined {
    try {
      const location = readTmuxLocation(this.procRoot(), session.pid, session.tmuxPane);
      return location === undefined ? undefined : { socketPath: location.socketPath, paneId: location.paneId };
    } catch (error) {
      this.logger.debug(`tmux pane of pid ${session.pid}: ${messageOf(error)}`);
      return undefined;
    }
  }

  private startFollowing(socketPath: string): void {
    const log = (message: string) => this.logger.debug(`tmux ${socketPath}: ${message}`);
    const server: FollowedServer = {
      shown: undefined,
      indicators: new TmuxIndicators(socketPath, { log }),
      follower: followTmuxFocus(
        socketPath,
        (shown) => {
          server.shown = shown;
          this.onChange();
        },
        {
          pollIntervalMs: this.pollMs,
          log,
          // The server ended: followed again if a session runs in a new one on that socket.
          onEnd: () => this.servers.delete(socketPath),
        },
      ),
    };
    this.servers.set(socketPath, server);
  }

  private async stopFollowing(socketPath: string): Promise<void> {
    const server = this.servers.get(socketPath);
    if (server === undefined) return;
    this.servers.delete(socketPath);
    await Promise.all([server.follower.close(), server.indicators.clear()]);
  }
}
