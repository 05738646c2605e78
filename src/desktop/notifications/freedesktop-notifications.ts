import { createConnection as connectSocket } from 'node:net';
import { debuglog } from 'node:util';
import type * as DBus from 'dbus-native';
import { NotificationsUnavailableError, errnoCode, messageOf } from '../../errors.js';
import type { Environment } from '../../sessions/discovery-context.js';
import { findSessionBus, type BusSocket } from './session-bus-address.js';
import { URGENCY_LEVEL, type CloseReason, type Notification, type NotificationSink, type SinkEvent } from './notification-sink.js';
import { loadDbusNative } from './load-dbus-native.js';

const debug = debuglog('vmux:notify');

const NOTIFICATIONS = 'org.freedesktop.Notifications';
const NOTIFICATIONS_PATH = '/org/freedesktop/Notifications';
const BUS = 'org.freedesktop.DBus';
const BUS_PATH = '/org/freedesktop/DBus';
/** D-Bus message type of a signal. */
const SIGNAL = 4;
/** The freedesktop `NotificationClosed` reasons, by number. */
const CLOSE_REASONS: Readonly<Record<number, CloseReason>> = { 1: 'expired', 2: 'dismissed', 3: 'closed', 4: 'undefined' };
/** A notification server answers in milliseconds; one silent this long is wedged, and vmuxd goes on without it. */
export const CALL_TIMEOUT_MS = 3000;
/** `expire_timeout` -1: the server's own default for the urgency (critical ones usually stay). */
const SERVER_DEFAULT_TIMEOUT = -1;

export interface FreedesktopNotificationsOptions {
  /** The environment whose session bus to use, read again at each notification (vmuxd learns it from clients). */
  readonly env: () => Environment;
  /** The application name servers show and filter on. */
  readonly appName?: string;
  readonly timeoutMs?: number;
}

/** What a live connection knows. */
interface Connection {
  readonly lib: typeof DBus;
  readonly bus: DBus.MessageBus;
  readonly address: string;
  /** The server now owning `org.freedesktop.Notifications`; looked up again after it changes. */
  server: Server | undefined;
  /** Why the connection ended, once it has. */
  lost: Error | undefined;
}

interface Server {
  /** Its unique name: signals from anyone else are not believed. */
  readonly name: string;
  readonly capabilities: ReadonlySet<string>;
}

/**
 * A client of the freedesktop Notifications service (org.freedesktop.Notifications, spec 1.2) on
 * the D-Bus session bus. It connects at the first notification, not before, and again at the next
 * one after the bus went away or moved (another address in the environment). It asks the server
 * for its capabilities once per server: the body is escaped where the server reads markup, and
 * the click action offered where it has actions. Every failure is a `NotificationsUnavailableError`
 * from `show`: a missing bus or server is a state to report, never a crash.
 *
 * The D-Bus library (dbus-native, chosen by measurement: README, "Why this D-Bus library") is
 * loaded at the first notification, so a vmuxd without `--notify` never pays for it.
 */
export class FreedesktopNotifications implements NotificationSink {
  readonly kind = 'desktop';
  readonly #env: () => Environment;
  readonly #appName: string;
  readonly #timeoutMs: number;
  #connection: Connection | undefined;
  #connecting: Promise<Connection> | undefined;
  #listener: (event: SinkEvent) => void = () => {};
  /** Ids the current server gave and has not reported closed: only those may be replaced or closed. */
  readonly #shown = new Set<number>();
  #disposed = false;

  constructor(options: FreedesktopNotificationsOptions) {
    this.#env = options.env;
    this.#appName = options.appName ?? 'vmux';
    this.#timeoutMs = options.timeoutMs ?? CALL_TIMEOUT_MS;
  }

  listen(listener: (event: SinkEvent) => void): void {
    this.#listener = listener;
  }

  async show(notification: Notification, replaces?: number): Promise<number> {
    const connection = await this.#connect();
    const server = await this.#server(connection);
    const body = server.capabilities.has('body-markup') ? escapeMarkup(notification.body) : notification.body;
    const actions = server.capabilities.has('actions') ? ['default', notification.actionLabel] : [];
    const hints = { urgency: new connection.lib.Variant('y', URGENCY_LEVEL[notification.urgency]) };
    // An id from another server (or connection) is not ours to replace.
    const replacesId = replaces !== undefined && this.#shown.has(replaces) ? replaces : 0;
    const reply = await this.#call(connection, NOTIFICATIONS, NOTIFICATIONS_PATH, NOTIFICATIONS, 'Notify', 'susssasa{sv}i', [
      this.#appName,
      replacesId,
      '',
      notification.title,
      body,
      actions,
      hints,
      SERVER_DEFAULT_TIMEOUT,
    ]);
    if (typeof reply !== 'number' || !Number.isInteger(reply) || reply <= 0) {
      throw new NotificationsUnavailableError('server-failed', `The notification server answered Notify with ${JSON.stringify(reply)} instead of an id.`);
    }
    if (replacesId !== 0 && reply !== replacesId) this.#shown.delete(replacesId);
    this.#shown.add(reply);
    debug('notification %d shown (replacing %d), urgency %s', reply, replacesId, notification.urgency);
    return reply;
  }

  async close(id: number): Promise<void> {
    const connection = this.#connection;
    if (!this.#shown.has(id) || connection === undefined || connection.lost !== undefined) return;
    await this.#call(connection, NOTIFICATIONS, NOTIFICATIONS_PATH, NOTIFICATIONS, 'CloseNotification', 'u', [id]);
    debug('notification %d closed', id);
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    const connection = this.#connection ?? (await this.#connecting?.catch(() => undefined));
    this.#connection = undefined;
    if (connection !== undefined && connection.lost === undefined) await connection.bus.close().catch(() => undefined);
  }

  /** The live connection to the environment's bus, made (or made again) when needed. */
  async #connect(): Promise<Connection> {
    if (this.#disposed) throw new NotificationsUnavailableError('bus-unreachable', 'Desktop notifications are turned off (vmuxd is stopping).');
    const location = findSessionBus(this.#env());
    if (location === undefined) {
      throw new NotificationsUnavailableError(
        'no-bus',
        'No D-Bus session bus for desktop notifications: DBUS_SESSION_BUS_ADDRESS is not set and $XDG_RUNTIME_DIR/bus does not exist; run vmux once from your desktop session, or use --notify tmux.',
      );
    }
    if (location.socket === undefined) {
      throw new NotificationsUnavailableError(
        'no-bus',
        `The D-Bus session bus address ${JSON.stringify(location.address)} (from ${location.source}) names no unix socket; vmux connects only to unix:path= or unix:abstract= buses.`,
      );
    }
    const current = this.#connection;
    if (current !== undefined && current.lost === undefined && current.address === location.address) return current;
    if (current !== undefined) {
      // The bus moved (a new login) or went away: what the old server showed is not ours to touch.
      this.#connection = undefined;
      if (current.lost === undefined) void current.bus.close().catch(() => undefined);
      this.#forgetShown('server-gone');
    }
    this.#connecting ??= this.#open(location.address, location.socket).finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #open(address: string, socket: BusSocket): Promise<Connection> {
    const lib = await loadDbusNative();
    const stream = connectSocket('path' in socket ? socket.path : `\0${socket.abstract}`);
    // `direct`: dbus-native would say Hello itself and throw, uncaught, when the bus does not
    // answer in time (a wedged bus would end vmuxd); it is said below, where a failure is handled.
    const bus = lib.createClient({ stream, timeout: this.#timeoutMs, direct: true });
    const connection: Connection = { lib, bus, address, server: undefined, lost: undefined };
    // Without a listener an 'error' event would throw; the connection's end is handled on 'close'.
    bus.connection.on('error', (error: Error) => {
      connection.lost ??= error;
      debug('session bus %s: %s', address, error.message);
    });
    bus.on('error', (error: Error) => debug('session bus %s: %s', address, error.message));
    bus.connection.on('close', (cause?: Error) => {
      connection.lost ??= cause ?? new Error('the bus closed the connection');
      if (this.#connection === connection) {
        this.#connection = undefined;
        this.#forgetShown('server-gone');
      }
      debug('session bus %s closed', address);
    });
    bus.connection.on('message', (message: DBus.Message) => this.#onMessage(connection, message));
    try {
      bus.name = String(await this.#call(connection, BUS, BUS_PATH, BUS, 'Hello', '', []));
      // Signals from whoever owns the name, and news of its owner changing. dunst sends its
      // signals to the caller alone, other servers to everyone: the first rule covers both.
      await Promise.all([
        this.#call(connection, BUS, BUS_PATH, BUS, 'AddMatch', 's', [`type='signal',sender='${NOTIFICATIONS}',interface='${NOTIFICATIONS}',path='${NOTIFICATIONS_PATH}'`]),
        this.#call(connection, BUS, BUS_PATH, BUS, 'AddMatch', 's', [`type='signal',sender='${BUS}',interface='${BUS}',member='NameOwnerChanged',arg0='${NOTIFICATIONS}'`]),
      ]);
    } catch (error) {
      connection.lost ??= error instanceof Error ? error : new Error(messageOf(error));
      void bus.close().catch(() => undefined);
      throw error;
    }
    debug('connected to the session bus at %s', address);
    this.#connection = connection;
    return connection;
  }

  /** The server owning the name now, with its capabilities; asked once per server. */
  async #server(connection: Connection): Promise<Server> {
    if (connection.server !== undefined) return connection.server;
    const [name, capabilities] = await Promise.all([
      this.#call(connection, BUS, BUS_PATH, BUS, 'GetNameOwner', 's', [NOTIFICATIONS]),
      this.#call(connection, NOTIFICATIONS, NOTIFICATIONS_PATH, NOTIFICATIONS, 'GetCapabilities', '', []),
    ]);
    if (typeof name !== 'string') throw new NotificationsUnavailableError('server-failed', 'The session bus answered GetNameOwner without a name.');
    const server = { name, capabilities: new Set(Array.isArray(capabilities) ? capabilities.filter((item): item is string => typeof item === 'string') : []) };
    debug('notification server %s: %o', name, [...server.capabilities]);
    connection.server = server;
    return server;
  }

  #onMessage(connection: Connection, message: DBus.Message): void {
    if (message.type !== SIGNAL || this.#connection !== connection) return;
    const body = message.body ?? [];
    if (message.interface === BUS && message.member === 'NameOwnerChanged' && body[0] === NOTIFICATIONS && message.sender === BUS) {
      // Another server (or none): its notifications are gone, and its capabilities are asked again.
      connection.server = undefined;
      this.#forgetShown('server-gone');
      debug('org.freedesktop.Notifications now owned by %o', body[2]);
      return;
    }
    if (message.interface !== NOTIFICATIONS || connection.server === undefined || message.sender !== connection.server.name) return;
    const id = body[0];
    if (typeof id !== 'number' || !this.#shown.has(id)) return;
    if (message.member === 'ActionInvoked' && body[1] === 'default') {
      this.#listener({ kind: 'activated', id });
    } else if (message.member === 'NotificationClosed') {
      this.#shown.delete(id);
      const reason = typeof body[1] === 'number' ? CLOSE_REASONS[body[1]] : undefined;
      this.#listener({ kind: 'closed', id, reason: reason ?? 'undefined' });
    }
  }

  #forgetShown(reason: CloseReason): void {
    const ids = [...this.#shown];
    this.#shown.clear();
    for (const id of ids) this.#listener({ kind: 'closed', id, reason });
  }

  /** One method call; its failure as a `NotificationsUnavailableError` that says what to do. */
  async #call(connection: Connection, destination: string, path: string, iface: string, member: string, signature: string, body: unknown[]): Promise<unknown> {
    try {
      return await connection.bus.invoke({ destination, path, interface: iface, member, ...(signature ? { signature, body } : {}) });
    } catch (error) {
      throw explainFailure(error, connection, destination, member, this.#timeoutMs);
    }
  }
}

/** What a failed call means for the user. */
function explainFailure(error: unknown, connection: Connection, destination: string, member: string, timeoutMs: number): NotificationsUnavailableError {
  const dbusName = typeof error === 'object' && error !== null && 'dbusName' in error && typeof error.dbusName === 'string' ? error.dbusName : undefined;
  if (dbusName === 'org.freedesktop.DBus.Error.ServiceUnknown' || dbusName === 'org.freedesktop.DBus.Error.NameHasNoOwner') {
    connection.server = undefined;
    return new NotificationsUnavailableError(
      'no-server',
      'No notification server on the D-Bus session bus (nothing owns org.freedesktop.Notifications): start one (dunst, mako, your desktop\'s), or use --notify tmux.',
      { cause: error },
    );
  }
  if (errnoCode(error) === 'ETIMEDOUT') {
    const [reason, who] = destination === BUS ? (['bus-unreachable', `The D-Bus session bus at ${connection.address}`] as const) : (['server-failed', 'The notification server'] as const);
    return new NotificationsUnavailableError(reason, `${who} did not answer ${member} within ${timeoutMs / 1000} s.`, { cause: error });
  }
  if (connection.lost !== undefined || errnoCode(error) === 'ECONNCLOSED') {
    const why = connection.lost?.message ?? messageOf(error);
    return new NotificationsUnavailableError('bus-unreachable', `Cannot reach the D-Bus session bus at ${connection.address} (${why}); vmux tries again at the next notification.`, {
      cause: error,
    });
  }
  return new NotificationsUnavailableError('server-failed', `The notification server refused ${member}: ${dbusName ? `${dbusName}: ` : ''}${messageOf(error)}`, { cause: error });
}

/**
 * Text as markup servers read it (a subset of HTML): `&`, `<` and `>` escaped, so that a preview
 * holding `<b>` or `&amp;` shows literally.
 */
export function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
