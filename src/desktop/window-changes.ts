import { debuglog } from 'node:util';
import type { Environment } from '../sessions/discovery-context.js';
import { hasGraphicalSession } from './graphical-session.js';
import { focusedWindowIn } from './wm-ipc/wm-tree.js';
import { connectToWindowManager, type WmClient, type WmEvent, type WmSubscription } from './wm-ipc/index.js';
import { messageOf } from '../errors.js';

const debug = debuglog('vmux:wm');

/**
 * Window changes that can put a terminal on another workspace or take it off screen: it opened
 * (a tmux client attached in a new terminal), closed, or moved. Not `title`: Claude Code retitles
 * its terminal all the time while it works, and a title says nothing about where a window is;
 * nor `focus`, `fullscreen_mode`, `floating`, `urgent` or `mark`, which leave it where it is.
 */
const WINDOW_CHANGES: ReadonlySet<string> = new Set(['new', 'close', 'move']);

/**
 * Workspace changes that can change the name a window is listed under: a rename, a config reload
 * (i3 and sway) and a layout restored after an i3 restart. Not `focus`, `init`, `empty`, `urgent`,
 * or `move` (to another output: same name); a window moving between workspaces is its own event.
 */
const WORKSPACE_CHANGES: ReadonlySet<string> = new Set(['rename', 'reload', 'restored']);

/** A WM restarting takes a moment: the first try again comes soon, then less and less often. */
const FIRST_RETRY_MS = 500;
/** A WM that stays away (the session ended, a stale socket) costs one attempt this often at most. */
const MAX_RETRY_MS = 30_000;

export interface WindowChangeFeedOptions {
  /** Where to report a subscription that failed or ended (the daemon's debug log). */
  readonly log?: (message: string) => void;
  /** Told the container that got the focus: a window, or a workspace with none. */
  readonly onFocus?: (containerId: number) => void;
}

/**
 * Tells when a window or workspace changed in a way that may move a session's terminal, from the
 * i3/sway events on a connection of its own. It never throws: when the WM refuses, is not there
 * or goes away (exit, restart), it reports that and subscribes again later, backing off.
 * `onChange` also runs on every successful subscription, since nothing was seen while there was
 * none. Without a graphical session in the environment it does nothing at all.
 */
export class WindowChangeFeed {
  private subscription: WmSubscription | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  private closed = false;
  private readonly log: (message: string) => void;
  private readonly onFocus: ((containerId: number) => void) | undefined;

  constructor(
    private readonly env: Environment,
    private readonly onChange: (why: string) => void,
    options: WindowChangeFeedOptions = {},
  ) {
    this.log = options.log ?? ((message) => debug('%s', message));
    this.onFocus = options.onFocus;
    if (hasGraphicalSession(env)) void this.subscribe();
  }

  /** Whether events are coming in right now. */
  get subscribed(): boolean {
    return this.subscription !== undefined;
  }

  /** Ends the subscription and any retry; nothing is reported after this. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.subscription?.close();
    this.subscription = undefined;
  }

  private async subscribe(): Promise<void> {
    let client: WmClient | undefined;
    let subscription: WmSubscription;
    try {
      client = await connectToWindowManager(this.env);
      subscription = await client.subscribe(['window', 'workspace'], (event) => this.receive(event));
    } catch (error) {
      this.retryLater('cannot follow window changes', messageOf(error));
      return;
    } finally {
      // The subscription has a connection of its own; the one that found the socket is done.
      client?.close();
    }
    if (this.closed) {
      subscription.close();
      return;
    }
    this.subscription = subscription;
    const since = performance.now();
    this.log('following window changes');
    this.onChange('subscribed');
    void subscription.ended.then((end) => {
      if (this.closed) return;
      this.subscription = undefined;
      // A subscription that lasted was a WM that worked: start the backoff over.
      if (performance.now() - since >= MAX_RETRY_MS) this.retryMs = FIRST_RETRY_MS;
      this.retryLater('window changes no longer followed', end?.message ?? 'the subscription ended');
    });
  }

  private retryLater(what: string, why: string): void {
    if (this.closed) return;
    this.log(`${what} (trying again in ${this.retryMs} ms): ${why}`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.subscribe();
    }, this.retryMs);
    // Closing the feed clears it; it must not be what keeps a process alive either.
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  private receive(event: WmEvent): void {
    if (this.closed) return;
    switch (event.type) {
      case 'window':
        if (WINDOW_CHANGES.has(event.change)) this.onChange(`window ${event.change}`);
        if (event.change === 'focus') this.onFocus?.(event.container.id);
        return;
      case 'workspace':
        if (WORKSPACE_CHANGES.has(event.change)) this.onChange(`workspace ${event.change}`);
        // A workspace with no window takes the focus itself; one with windows sends the window's focus too.
        if (event.change === 'focus' && event.current !== null) this.onFocus?.(focusedWindowIn(event.current) ?? event.current.id);
        return;
      default:
        // Only window and workspace events are subscribed to; the subscription ends on any other.
        return;
    }
  }
}
