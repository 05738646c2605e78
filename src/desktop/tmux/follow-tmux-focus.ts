import { debuglog } from 'node:util';
import { TmuxStaleError, VmuxError, messageOf } from '../../errors.js';
import { ACTIVE_PANE_FORMAT, activePanesOf, parseListedClients, sameActivePanes, sessionToSitIn, type ActiveClientPane, type ListedClient } from './active-client-panes.js';
import { startControlClient, type ControlModeClient, type ControlNotification } from './control-mode-client.js';
import { TmuxServer, type TmuxOptions } from './tmux-client.js';

const debug = debuglog('vmux:tmux');

/**
 * Notifications after which some client may show another pane: a pane or window selected or
 * gone, a client attached, switched or detached, a session created, closed or renamed. Not
 * `%output` (turned off), `%layout-change` (a split or resize: the active pane changes with its
 * own notification), `%window-renamed` (tmux renames windows as their programs change, all the
 * time) or `%session-changed` (vmux's own client moving).
 */
const FOCUS_CHANGES: ReadonlySet<string> = new Set([
  'window-pane-changed',
  'session-window-changed',
  'client-session-changed',
  'client-detached',
  'sessions-changed',
  'session-renamed',
  'window-add',
  'window-close',
  'unlinked-window-add',
  'unlinked-window-close',
]);

/** Without events, how often tmux is asked; the caller usually passes its own poll interval. */
export const DEFAULT_FOCUS_POLL_MS = 2000;
/** A control client that went away is attached again after this, then less and less often. */
const FIRST_RETRY_MS = 1000;
/** …but at least this often, so that events come back soon after whatever removed it. */
const MAX_RETRY_MS = 60_000;
/** A control client that stayed this long was working: the next one starts the backoff over. */
const STABLE_MS = 30_000;

/** How the follower learns of changes right now. */
export type TmuxFocusMethod =
  /** A control-mode client hears every change as it happens. */
  | 'events'
  /** `list-clients` every poll interval: no terminal is attached (nothing to sit beside), or events failed. */
  | 'polling';

/** Why a follower stopped on its own; it reported an empty picture first. */
export type TmuxFocusEnd =
  /** No tmux server answers on the socket any more. */
  | { readonly kind: 'server-gone' }
  /** tmux cannot be run or reached (not installed, another user's server), or answers in a shape vmux does not know. */
  | { readonly kind: 'failed'; readonly error: VmuxError };

export interface FollowTmuxFocusOptions extends TmuxOptions {
  /** How often to ask while not following events (default DEFAULT_FOCUS_POLL_MS). */
  readonly pollIntervalMs?: number;
  /** `polling` never starts a control client (for comparison, or a tmux older than 3.2). */
  readonly method?: 'auto' | 'polling';
  /** Once, when the follower stops by itself (never after `close`). */
  readonly onEnd?: (end: TmuxFocusEnd) => void;
  /** Where to say what the follower does and why (the daemon's debug log). */
  readonly log?: (message: string) => void;
}

export interface TmuxFocusFollower {
  /** How changes are learnt right now. */
  readonly method: TmuxFocusMethod;
  /** PID of the control client while there is one. */
  readonly controlPid: number | undefined;
  /** Stops following; nothing is reported after it. Resolves once every process it started has exited. */
  close(): Promise<void>;
}

/**
 * Follows which pane is in front of the users of one tmux server: for each client attached in a
 * terminal, its session, current window and that window's active pane. `onChange` gets the whole
 * picture once at the start and then whenever it changes (never the same picture twice in a row).
 *
 * Changes are heard from a control-mode client (`tmux -C`, see `startControlClient`) that sits in
 * a session a terminal already shows, moves with the users, and leaves when the last terminal
 * detaches: it never sizes a window, gets no pane output, and makes no session look attached that
 * is not. Without a terminal attached, on a tmux older than 3.2, or while a control client cannot be
 * attached, `list-clients` is asked every `pollIntervalMs`. When the server goes, it reports an
 * empty picture, calls `onEnd` and stops. It never throws; `close` stops everything it started.
 */
export function followTmuxFocus(
  socketPath: string,
  onChange: (panes: readonly ActiveClientPane[]) => void,
  options: FollowTmuxFocusOptions = {},
): TmuxFocusFollower {
  return new FocusFollower(socketPath, onChange, options);
}

class FocusFollower implements TmuxFocusFollower {
  readonly #socketPath: string;
  readonly #server: TmuxServer;
  readonly #onChange: (panes: readonly ActiveClientPane[]) => void;
  readonly #options: FollowTmuxFocusOptions;
  readonly #log: (message: string) => void;
  readonly #pollMs: number;

  #closed = false;
  #last: readonly ActiveClientPane[] | undefined;
  #control: ControlModeClient | undefined;
  #controlSince = 0;
  #starting: Promise<void> | undefined;
  /** Why control mode is not tried any more (a tmux without its flags), once known. */
  #noEvents: string | undefined;
  #retryMs = FIRST_RETRY_MS;
  #nextAttempt = 0;
  #pollTimer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;
  #again = false;

  constructor(socketPath: string, onChange: (panes: readonly ActiveClientPane[]) => void, options: FollowTmuxFocusOptions) {
    this.#socketPath = socketPath;
    this.#server = new TmuxServer(socketPath, options);
    this.#onChange = onChange;
    this.#options = options;
    this.#log = options.log ?? ((message) => debug('%s', message));
    this.#pollMs = options.pollIntervalMs ?? DEFAULT_FOCUS_POLL_MS;
    if (options.method === 'polling') this.#noEvents = 'polling asked for';
    this.#refresh('start');
  }

  get method(): TmuxFocusMethod {
    return this.#control === undefined ? 'polling' : 'events';
  }

  get controlPid(): number | undefined {
    return this.#control?.pid;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#pollTimer);
    const control = this.#control;
    this.#control = undefined;
    await Promise.all([control?.close(), this.#starting, this.#refreshing]);
  }

  /** Asks tmux for the picture now; a request while one runs makes it ask once more after. */
  #refresh(why: string): void {
    if (this.#closed) return;
    if (this.#refreshing !== undefined) {
      this.#again = true;
      return;
    }
    debug('%s: refresh (%s)', this.#socketPath, why);
    clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
    this.#refreshing = (async () => {
      do {
        this.#again = false;
        await this.#queryOnce();
      } while (this.#again && !this.#closed);
    })().finally(() => {
      this.#refreshing = undefined;
      this.#pollLater();
    });
  }

  #pollLater(): void {
    if (this.#closed || this.#control !== undefined || this.#pollTimer !== undefined || this.#refreshing !== undefined) return;
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = undefined;
      this.#refresh('poll');
    }, this.#pollMs);
    this.#pollTimer.unref();
  }

  async #queryOnce(): Promise<void> {
    let clients: ListedClient[];
    try {
      clients = parseListedClients(await this.#listClients());
    } catch (error) {
      this.#failed(error);
      return;
    }
    if (this.#closed) return;
    const panes = activePanesOf(clients);
    if (this.#last === undefined || !sameActivePanes(this.#last, panes)) {
      this.#last = panes;
      this.#onChange(panes);
    }
    await this.#placeControlClient(clients);
  }

  /** Through the control client when there is one (no process per query), else `tmux list-clients`. */
  async #listClients(): Promise<readonly string[]> {
    const control = this.#control;
    if (control !== undefined) {
      try {
        return await control.command(['list-clients', '-F', ACTIVE_PANE_FORMAT]);
      } catch (error) {
        if (this.#closed) throw error;
        this.#log(`control client could not list clients, asking tmux directly: ${messageOf(error)}`);
      }
    }
    return (await this.#server.run(['list-clients', '-F', ACTIVE_PANE_FORMAT])).split('\n');
  }

  /**
   * Keeps the control client where nothing shows it: in a session a terminal shows, and gone when
   * no terminal is attached; starts one when terminals are attached and none runs.
   */
  async #placeControlClient(clients: readonly ListedClient[]): Promise<void> {
    const target = sessionToSitIn(clients);
    const control = this.#control;
    if (control !== undefined) {
      if (target === undefined) {
        this.#log('no terminal attached any more: control client detached, polling');
        this.#control = undefined;
        await control.close();
        return;
      }
      const own = clients.find((client) => client.controlMode && client.clientPid === control.pid);
      const shown = new Set(clients.filter((client) => !client.controlMode).map((client) => client.sessionId));
      if (own !== undefined && !shown.has(own.sessionId)) {
        await control.command(['switch-client', '-t', target]).catch((error: unknown) => this.#log(`control client could not move to ${target}: ${messageOf(error)}`));
      }
      return;
    }
    if (target !== undefined && this.#starting === undefined && this.#noEvents === undefined && Date.now() >= this.#nextAttempt) {
      this.#starting = this.#startControl(target).finally(() => (this.#starting = undefined));
    }
  }

  async #startControl(sessionId: string): Promise<void> {
    let control: ControlModeClient;
    try {
      control = await startControlClient(this.#socketPath, sessionId, {
        ...this.#options,
        onNotification: (notification) => this.#notified(notification),
        onExit: (why) => this.#controlEnded(why),
      });
    } catch (error) {
      const why = messageOf(error);
      // tmux < 3.2 knows neither `attach -f` nor `-N`: it will not learn them while vmuxd runs.
      if (/unknown flag|invalid flag|unknown option|usage: /i.test(why)) this.#noEvents = why;
      this.#backOff();
      this.#log(`cannot follow tmux ${this.#socketPath} by events, polling every ${this.#pollMs} ms: ${why}`);
      this.#pollLater();
      return;
    }
    // Gone already: its `onExit` has run.
    if (this.#closed || control.gone) {
      await control.close();
      return;
    }
    this.#control = control;
    this.#controlSince = Date.now();
    this.#log(`following tmux ${this.#socketPath} by events (control client ${control.pid ?? '?'} in ${sessionId})`);
    clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
    // Whatever changed while it attached was not heard.
    this.#refresh('control client attached');
  }

  #notified(notification: ControlNotification): void {
    if (FOCUS_CHANGES.has(notification.name)) this.#refresh(`%${notification.name} ${notification.args}`);
  }

  /** The control client left without being asked (detached by someone, killed, the server gone). */
  #controlEnded(why: string): void {
    this.#control = undefined;
    if (Date.now() - this.#controlSince >= STABLE_MS) this.#retryMs = FIRST_RETRY_MS;
    this.#backOff();
    this.#log(`control client on ${this.#socketPath} went away (${why}); polling`);
    this.#refresh('control client ended');
  }

  #backOff(): void {
    this.#nextAttempt = Date.now() + this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
  }

  /** A listing that failed: the server is gone (the end), tmux stalled (ask again later), or cannot be used. */
  #failed(error: unknown): void {
    if (this.#closed) return;
    if (error instanceof TmuxStaleError && error.reason === 'server-gone') {
      this.#end({ kind: 'server-gone' });
      return;
    }
    const timedOut = error instanceof VmuxError && error.cause instanceof Error && (error.cause as { killed?: unknown }).killed === true;
    if (timedOut) {
      this.#log(`tmux ${this.#socketPath} did not answer; asking again in ${this.#pollMs} ms`);
      return;
    }
    this.#end({ kind: 'failed', error: error instanceof VmuxError ? error : new VmuxError('TMUX_UNAVAILABLE', messageOf(error), { cause: error }) });
  }

  #end(end: TmuxFocusEnd): void {
    this.#log(end.kind === 'server-gone' ? `tmux server ${this.#socketPath} is gone` : `stopped following tmux ${this.#socketPath}: ${end.error.message}`);
    if (this.#last === undefined || this.#last.length > 0) {
      this.#last = [];
      this.#onChange([]);
    }
    this.#closed = true;
    clearTimeout(this.#pollTimer);
    void this.#control?.close();
    this.#control = undefined;
    this.#options.onEnd?.(end);
  }
}
