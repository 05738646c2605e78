/**
 * A private D-Bus session bus, and a real notification server on it, for the tests of vmux's
 * desktop notifications and for `bench/bench-dbus.ts`. No `node:test` import, so benchmarks can
 * use it too; the skip-or-fail policy for a missing program lives in `require-wm.ts`.
 *
 * - `startSessionBus()`: `dbus-daemon` on a socket in a scratch folder, with a configuration of
 *   its own: no service activation, so that a call to a name nobody owns fails at once instead of
 *   starting the machine's notification daemon behind the test's back.
 * - `startDunst(bus)`: dunst on that bus, drawing on an Xvfb of its own (it needs a display), with
 *   markup on (it then advertises `body-markup`, and vmux must escape what it sends). dunst prints
 *   every notification it receives (`-print`): `shown()` is that printout, parsed; `dunstctl`
 *   counts what is on screen and invokes a notification's default action, as a click does.
 *
 * Everything started here is stopped by `stop()`, or killed when the process exits.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  execQuiet,
  exitReason,
  makeScratchDir,
  pollFor,
  releaseDir,
  startProcess,
  startXvfb,
  stopProcessTree,
  type ManagedProcess,
} from './i3-xvfb.js';

/** What a private session bus needs. */
export const SESSION_BUS_PROGRAMS = ['dbus-daemon'] as const;
/** What a notification server on it needs: dunst draws on an X display; dunstctl calls dbus-send. */
export const NOTIFICATION_SERVER_PROGRAMS = ['dbus-daemon', 'dbus-send', 'Xvfb', 'dunst', 'dunstctl'] as const;

const READY_TIMEOUT_MS = 10_000;

export interface SessionBus {
  /** `unix:path=…,guid=…`, as the daemon printed it. */
  readonly address: string;
  /** The socket's path. */
  readonly socketPath: string;
  /** `DBUS_SESSION_BUS_ADDRESS` for a client of this bus. */
  readonly env: { readonly DBUS_SESSION_BUS_ADDRESS: string };
  readonly pid: number;
  /** Stops the daemon (clients see their connection end) and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts a bus of its own; resolves once it accepts connections. `socketPath` puts its socket
 * there (a folder the caller keeps), to start a bus again where one was.
 */
export async function startSessionBus(options: { readonly socketPath?: string } = {}): Promise<SessionBus> {
  const dir = makeScratchDir('vmux-bus-');
  const socketPath = options.socketPath ?? join(dir, 'bus');
  const configPath = join(dir, 'session.conf');
  writeFileSync(
    configPath,
    [
      '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"',
      ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">',
      '<busconfig>',
      '  <type>session</type>',
      `  <listen>unix:path=${socketPath}</listen>`,
      '  <auth>EXTERNAL</auth>',
      '  <policy context="default">',
      '    <allow send_destination="*" eavesdrop="true"/>',
      '    <allow eavesdrop="true"/>',
      '    <allow own="*"/>',
      '  </policy>',
      '</busconfig>',
      '',
    ].join('\n'),
  );
  let daemon: ManagedProcess | undefined;
  try {
    daemon = await startProcess('dbus-daemon', 'dbus-daemon', ['--config-file', configPath, '--nofork', '--print-address=1'], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8' },
    });
    const started = daemon;
    // The address is printed once the daemon listens.
    const address = await pollFor(() => /^(unix:\S+)$/m.exec(started.output())?.[1], 'dbus-daemon to print its address', {
      timeoutMs: READY_TIMEOUT_MS,
      abort: () => exitReason(started),
    });
    let stopped = false;
    return {
      address,
      socketPath,
      env: { DBUS_SESSION_BUS_ADDRESS: address },
      pid: started.pid,
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopProcessTree(started);
        rmSync(socketPath, { force: true });
        releaseDir(dir);
      },
    };
  } catch (error) {
    if (daemon !== undefined) await stopProcessTree(daemon).catch(() => undefined);
    releaseDir(dir);
    throw error;
  }
}

/** One notification as dunst printed it on receipt. */
export interface PrintedNotification {
  readonly id: number;
  readonly appname: string;
  readonly summary: string;
  /** As sent: with markup on, dunst renders it, so text vmux sends must arrive escaped. */
  readonly body: string;
  readonly urgency: 'LOW' | 'NORMAL' | 'CRITICAL';
  /** Action key → label. */
  readonly actions: Readonly<Record<string, string>>;
}

export interface NotificationServer {
  readonly bus: SessionBus;
  /** The Xvfb display dunst draws on. */
  readonly display: string;
  readonly pid: number;
  /** Every notification dunst received so far, in order (a replacement is printed again). */
  shown(): PrintedNotification[];
  /** Waits until dunst has printed `count` notifications; returns them all. */
  waitForShown(count: number, timeoutMs?: number): Promise<PrintedNotification[]>;
  /** How many notifications are on screen now. */
  displayedCount(): Promise<number>;
  /** Waits until exactly `count` are on screen. */
  waitForDisplayed(count: number, timeoutMs?: number): Promise<void>;
  /** Invokes the default action of the newest notification on screen, as clicking it does. */
  click(): Promise<void>;
  /** Stops dunst and its Xvfb (the bus stays). */
  stop(): Promise<void>;
}

/** Starts Xvfb and dunst on `bus`; resolves once dunst owns `org.freedesktop.Notifications`. */
export async function startDunst(bus: SessionBus): Promise<NotificationServer> {
  const dir = makeScratchDir('vmux-dunst-');
  const servers: ManagedProcess[] = [];
  try {
    const baseEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8', ...bus.env };
    const { xvfb, display } = await startXvfb(baseEnv, { timeoutMs: READY_TIMEOUT_MS });
    servers.unshift(xvfb);
    const configPath = join(dir, 'dunstrc');
    writeFileSync(configPath, ['[global]', '    markup = full', '    show_indicators = no', ''].join('\n'));
    const env = { ...baseEnv, DISPLAY: display };
    const dunst = await startProcess('dunst', 'dunst', ['-config', configPath, '-print'], { env });
    servers.unshift(dunst);
    const dunstctl = (args: readonly string[]): Promise<string> =>
      execQuiet('dunstctl', args, 5000, env).then((result) => {
        if (result.code !== 0) throw new Error(`dunstctl ${args.join(' ')}: ${result.stderr.trim() || `exit ${String(result.code)}`}`);
        return result.stdout;
      });
    await pollFor(async () => ((await dunstctl(['is-paused'])).trim() !== '' ? true : undefined), 'dunst to own org.freedesktop.Notifications', {
      timeoutMs: READY_TIMEOUT_MS,
      abort: () => exitReason(dunst) ?? exitReason(xvfb),
    });
    const displayedCount = async (): Promise<number> => Number((await dunstctl(['count', 'displayed'])).trim());
    const server: NotificationServer = {
      bus,
      display,
      pid: dunst.pid,
      shown: () => parseDunstPrintout(dunst.output()),
      waitForShown: (count, timeoutMs = 5000) =>
        pollFor(
          () => {
            const shown = server.shown();
            return shown.length >= count ? shown : undefined;
          },
          `dunst to print ${count} notification(s)`,
          { timeoutMs, abort: () => exitReason(dunst) },
        ),
      displayedCount,
      async waitForDisplayed(count, timeoutMs = 5000) {
        await pollFor(async () => ((await displayedCount()) === count ? true : undefined), `${count} notification(s) on screen`, {
          timeoutMs,
          abort: () => exitReason(dunst),
        });
      },
      async click() {
        await dunstctl(['action', '0']);
      },
      async stop() {
        for (const proc of servers.splice(0)) await stopProcessTree(proc);
        releaseDir(dir);
      },
    };
    return server;
  } catch (error) {
    for (const proc of servers) await stopProcessTree(proc).catch(() => undefined);
    releaseDir(dir);
    throw error;
  }
}

/**
 * dunst's `-print` output: one block per notification received, `{` … `}`, with a line per field
 * (`\tsummary: '…'`). A quoted value may span lines; it ends where the next known field starts.
 */
export function parseDunstPrintout(text: string): PrintedNotification[] {
  const printed: PrintedNotification[] = [];
  for (const block of text.split(/^\{\n/m).slice(1)) {
    const quoted = (field: string, next: string): string | undefined => new RegExp(`^\\t${field}: '([\\s\\S]*?)'\\n\\t${next}: `, 'm').exec(block)?.[1];
    const id = /^\tid: ([0-9]+)$/m.exec(block)?.[1];
    const urgency = /^\turgency: (LOW|NORMAL|CRITICAL)$/m.exec(block)?.[1];
    const appname = quoted('appname', 'summary');
    const summary = quoted('summary', 'body');
    const body = quoted('body', 'icon');
    if (id === undefined || (urgency !== 'LOW' && urgency !== 'NORMAL' && urgency !== 'CRITICAL') || appname === undefined || summary === undefined || body === undefined) {
      continue;
    }
    const actions: Record<string, string> = {};
    const actionBlock = /^\tactions: \{\n([\s\S]*?)^\t\}$/m.exec(block)?.[1] ?? '';
    for (const match of actionBlock.matchAll(/^\t\t"(.*)": "(.*)"$/gm)) {
      if (match[1] !== undefined && match[2] !== undefined) actions[match[1]] = match[2];
    }
    printed.push({ id: Number(id), appname, summary, body, urgency, actions });
  }
  return printed;
}
