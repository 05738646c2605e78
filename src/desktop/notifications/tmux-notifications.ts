import { debuglog } from 'node:util';
import { NotificationsUnavailableError, messageOf } from '../../errors.js';
import { stripControlSequences } from '../../text/sanitize-text.js';
import { TmuxServer, type TmuxOptions } from '../tmux/tmux-client.js';
import { readTmuxLocation } from '../tmux/tmux-location.js';
import type { Notification, NotificationSink, SinkEvent, Urgency } from './notification-sink.js';

const debug = debuglog('vmux:notify');

/**
 * How long a message stays on a client's status line, in ms. 0 keeps it until a key is pressed
 * in that client: a session blocked on a question waits for the user like a critical desktop
 * notification does (vmux clears it when the session is seen); the others go by themselves.
 */
export const TMUX_DISPLAY_MS: Readonly<Record<Urgency, number>> = { critical: 0, normal: 10_000, low: 5_000 };

export interface TmuxNotificationsOptions extends Pick<TmuxOptions, 'tmuxPath' | 'env' | 'timeoutMs'> {
  /** Where the sessions' processes are read (default `/proc`). */
  readonly procRoot?: string;
  readonly now?: () => number;
}

/** A message on one client's status line. */
interface OnClient {
  readonly id: number;
  /** When it goes by itself; infinite until a key is pressed. */
  readonly until: number;
}

/**
 * `--notify tmux`: the notification as one line on the status line of every client attached to
 * the tmux server each named session runs on (`display-message -c <client>`), for a user with no
 * desktop (tmux over ssh). Replacing is showing the new line; closing clears the line where it
 * is still shown. tmux has no click, so no event ever comes back.
 */
export class TmuxNotifications implements NotificationSink {
  readonly kind = 'tmux';
  readonly #options: TmuxNotificationsOptions;
  readonly #procRoot: string;
  readonly #now: () => number;
  /** What each client (`<socket>\t<tty>`) shows, as far as vmux put it there. */
  readonly #onClients = new Map<string, OnClient>();
  #nextId = 1;

  constructor(options: TmuxNotificationsOptions = {}) {
    this.#options = options;
    this.#procRoot = options.procRoot ?? '/proc';
    this.#now = options.now ?? Date.now;
  }

  listen(_listener: (event: SinkEvent) => void): void {
    // Nothing to tell: a status-line message cannot be clicked, and vmux itself clears it.
  }

  async show(notification: Notification, replaces?: number): Promise<number> {
    const sockets = new Set<string>();
    for (const session of notification.sessions) {
      const location = readTmuxLocation(this.#procRoot, session.pid, session.tmuxPane);
      if (location !== undefined) sockets.add(location.socketPath);
    }
    if (sockets.size === 0) {
      throw new NotificationsUnavailableError('no-server', 'Not shown: the session does not run in tmux, and --notify tmux shows messages only on the tmux server a session runs on.');
    }
    const id = this.#nextId++;
    const text = tmuxMessageText(notification);
    const displayMs = TMUX_DISPLAY_MS[notification.urgency];
    const until = displayMs === 0 ? Number.POSITIVE_INFINITY : this.#now() + displayMs;
    const failures: string[] = [];
    let shownOn = 0;
    for (const socketPath of sockets) {
      const server = this.#server(socketPath);
      try {
        const clients = (await server.listClients()).filter((client) => !client.controlMode && client.tty !== '');
        for (const client of clients) {
          await server.run(['display-message', '-c', client.tty, '-d', String(displayMs), text]);
          this.#onClients.set(clientKey(socketPath, client.tty), { id, until });
          shownOn++;
        }
      } catch (error) {
        failures.push(`${socketPath}: ${messageOf(error)}`);
      }
    }
    if (failures.length === sockets.size) {
      throw new NotificationsUnavailableError('server-failed', `Could not show a message in tmux: ${failures.join('; ')}`);
    }
    // A replaced message left on a client this one did not reach goes too.
    if (replaces !== undefined) await this.close(replaces);
    debug('tmux message %d on %d client(s)', id, shownOn);
    return id;
  }

  async close(id: number): Promise<void> {
    const now = this.#now();
    for (const [key, shown] of this.#onClients) {
      if (shown.id !== id) continue;
      this.#onClients.delete(key);
      if (shown.until <= now) continue;
      const [socketPath = '', tty = ''] = key.split('\t');
      // An empty message for a millisecond takes the line away.
      await this.#server(socketPath)
        .run(['display-message', '-c', tty, '-d', '1', ''])
        .catch((error: unknown) => debug('clearing the message on %s: %s', tty, messageOf(error)));
    }
  }

  async dispose(): Promise<void> {
    this.#onClients.clear();
  }

  #server(socketPath: string): TmuxServer {
    const { tmuxPath, env, timeoutMs } = this.#options;
    return new TmuxServer(socketPath, { ...(tmuxPath ? { tmuxPath } : {}), ...(env ? { env } : {}), ...(timeoutMs ? { timeoutMs } : {}) });
  }
}

function clientKey(socketPath: string, tty: string): string {
  return `${socketPath}\t${tty}`;
}

/**
 * The one line a tmux client shows: `vmux: <title> — <body>`, its lines joined. `display-message`
 * expands `#{…}` formats and `#[…]` styles in its text, so every `#` is doubled: outside text
 * (labels, previews) shows as it is, and runs nothing (`#(…)` would run a shell command).
 */
export function tmuxMessageText(notification: Pick<Notification, 'title' | 'body'>): string {
  const body = notification.body
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' · ');
  const line = stripControlSequences(`vmux: ${notification.title}${body ? ` — ${body}` : ''}`).replace(/\s+/g, ' ');
  return line.replace(/#/g, '##');
}
