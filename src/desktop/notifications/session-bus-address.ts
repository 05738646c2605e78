import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from '../../sessions/discovery-context.js';

/** Where a session bus listens: a socket path, or a Linux abstract socket name. */
export type BusSocket = { readonly path: string } | { readonly abstract: string };

export interface SessionBusLocation {
  /** The address as found, for messages. */
  readonly address: string;
  /** Where it was found. */
  readonly source: 'DBUS_SESSION_BUS_ADDRESS' | 'XDG_RUNTIME_DIR';
  /** The socket to connect to; undefined when the address names no unix socket. */
  readonly socket: BusSocket | undefined;
}

/**
 * The D-Bus session bus of an environment, found as libdbus finds it: `DBUS_SESSION_BUS_ADDRESS`,
 * else the socket systemd's user manager keeps at `$XDG_RUNTIME_DIR/bus` when it is there (a vmuxd
 * started by systemd before the desktop may have only the latter). Undefined when there is neither.
 *
 * Only unix sockets are used. The address may be learnt from a client, and other transports
 * either run a program named in it (`unixexec:`), leave the machine (`tcp:`) or start a bus
 * (`autolaunch:`): nothing vmuxd should do on a variable's say-so.
 */
export function findSessionBus(env: Environment): SessionBusLocation | undefined {
  const address = env['DBUS_SESSION_BUS_ADDRESS']?.trim();
  if (address) return { address, source: 'DBUS_SESSION_BUS_ADDRESS', socket: unixSocketOf(address) };
  const runtimeDir = env['XDG_RUNTIME_DIR'];
  if (!runtimeDir) return undefined;
  const path = join(runtimeDir, 'bus');
  try {
    return statSync(path).isSocket() ? { address: `unix:path=${path}`, source: 'XDG_RUNTIME_DIR', socket: { path } } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The first unix socket of a D-Bus address list (`unix:path=…;unix:abstract=…`), its value
 * unescaped (`%XX`); undefined when it names none.
 */
export function unixSocketOf(addresses: string): BusSocket | undefined {
  for (const address of addresses.split(';')) {
    const colon = address.indexOf(':');
    if (colon < 0 || address.slice(0, colon) !== 'unix') continue;
    const params = new Map<string, string>();
    for (const pair of address.slice(colon + 1).split(',')) {
      const equals = pair.indexOf('=');
      if (equals <= 0) continue;
      const value = unescapeValue(pair.slice(equals + 1));
      if (value !== undefined) params.set(pair.slice(0, equals), value);
    }
    const path = params.get('path') ?? params.get('socket');
    if (path !== undefined && path.startsWith('/')) return { path };
    const abstract = params.get('abstract');
    if (abstract !== undefined && abstract !== '') return { abstract };
  }
  return undefined;
}

/** `%XX` back to its byte; undefined for a malformed escape. */
function unescapeValue(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
