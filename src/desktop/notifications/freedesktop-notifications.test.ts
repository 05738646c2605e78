import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { NotificationsUnavailableError } from '../../errors.js';
import { execQuiet, pollFor } from '../../../test/support/i3-xvfb.js';
import { startDunst, startSessionBus, type NotificationServer, type SessionBus } from '../../../test/support/notification-server.js';
import { skippedWithout } from '../../../test/support/require-wm.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { FreedesktopNotifications, escapeMarkup } from './freedesktop-notifications.js';
import type { Notification, SinkEvent } from './notification-sink.js';
import { findSessionBus, unixSocketOf } from './session-bus-address.js';

const notification = (fields: Partial<Notification> = {}): Notification => ({
  title: 'api (fix-auth)',
  body: 'wants to run Bash: npm run migrate',
  urgency: 'critical',
  actionLabel: 'Switch to this session',
  sessions: [{ sessionId: 's-1', pid: 1 }],
  ...fields,
});

/** A bus (and, when asked, dunst on it) stopped when the test ends, whatever happens. */
async function startServer(t: TestContext, withDunst: true): Promise<NotificationServer>;
async function startServer(t: TestContext, withDunst: false): Promise<SessionBus>;
async function startServer(t: TestContext, withDunst: boolean): Promise<NotificationServer | SessionBus> {
  const bus = await startSessionBus();
  t.after(() => bus.stop());
  if (!withDunst) return bus;
  const server = await startDunst(bus);
  t.after(() => server.stop());
  return server;
}

/** One dunst for the tests that only show things (it takes a second to start); stopped when the file ends. */
let shared: Promise<NotificationServer> | undefined;
function sharedServer(): Promise<NotificationServer> {
  shared ??= startSessionBus().then((bus) =>
    startDunst(bus).catch(async (error: unknown) => {
      await bus.stop();
      throw error;
    }),
  );
  return shared;
}
// Registered here, at the top of the file: inside a test it would end with that test.
after(async () => {
  const server = await shared?.catch(() => undefined);
  await server?.stop();
  await server?.bus.stop();
});

/** A sink on `env`, disposed when the test ends, with the events it reports. */
function sinkOn(t: TestContext, env: () => Record<string, string>): { sink: FreedesktopNotifications; events: SinkEvent[] } {
  const sink = new FreedesktopNotifications({ env });
  const events: SinkEvent[] = [];
  sink.listen((event) => events.push(event));
  t.after(() => sink.dispose());
  return { sink, events };
}

/** Fails the test on an unhandled rejection while it runs: a missing bus must never cause one. */
function noUnhandledRejections(t: TestContext): void {
  const seen: unknown[] = [];
  const record = (reason: unknown): void => {
    seen.push(reason);
  };
  process.on('unhandledRejection', record);
  t.after(() => {
    process.off('unhandledRejection', record);
    assert.deepEqual(seen, [], 'unhandled rejections');
  });
}

test('the session bus is found as libdbus finds it, and only a unix socket is used', () => {
  const dir = tempDir('vmux-bus-address-');
  assert.deepEqual(findSessionBus({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' })?.socket, { path: '/run/user/1000/bus' });
  assert.equal(findSessionBus({ XDG_RUNTIME_DIR: dir }), undefined, 'no bus socket there');
  assert.equal(findSessionBus({}), undefined);
  assert.deepEqual(unixSocketOf('tcp:host=localhost,port=1;unix:abstract=/tmp/dbus-x,guid=1'), { abstract: '/tmp/dbus-x' });
  assert.deepEqual(unixSocketOf('unix:path=/tmp/a%2cb,guid=1'), { path: '/tmp/a,b' }, 'values are %-escaped');
  assert.equal(unixSocketOf('unixexec:path=/bin/sh,argv1=-c,argv2=touch%20/tmp/pwned'), undefined, 'never a program to run');
  assert.equal(unixSocketOf('unix:path=relative/bus'), undefined);
  assert.equal(escapeMarkup('<b>bold</b> & "quoted"'), '&lt;b&gt;bold&lt;/b&gt; &amp; "quoted"');
});

test('on a real server: shown with its urgency, the click action and the body escaped for markup; replaced in place; closed', async (t) => {
  if (skippedWithout(t, 'notification server')) return;
  const server = await sharedServer();
  const { sink, events } = sinkOn(t, () => server.bus.env);
  const before = server.shown().length;
  const displayed = await server.displayedCount();

  const id = await sink.show(notification({ body: 'finished: use <b>bold</b> & "quotes"', urgency: 'low' }));
  const shown = (await server.waitForShown(before + 1))[before];
  assert.deepEqual(shown, {
    id,
    appname: 'vmux',
    summary: 'api (fix-auth)',
    // dunst runs with markup on (it then advertises body-markup): the text must arrive escaped.
    body: 'finished: use &lt;b&gt;bold&lt;/b&gt; &amp; "quotes"',
    urgency: 'LOW',
    actions: { default: 'Switch to this session' },
  });
  await server.waitForDisplayed(displayed + 1);

  const again = await sink.show(notification(), id);
  assert.equal(again, id, 'replaced, not stacked');
  const printed = (await server.waitForShown(before + 2))[before + 1];
  assert.deepEqual([printed?.id, printed?.urgency, printed?.body], [id, 'CRITICAL', 'wants to run Bash: npm run migrate']);
  assert.equal(await server.displayedCount(), displayed + 1);
  const normal = await sink.show(notification({ urgency: 'normal' }), id);
  assert.equal((await server.waitForShown(before + 3))[before + 2]?.urgency, 'NORMAL');
  assert.equal(normal, id);

  await sink.close(id);
  await server.waitForDisplayed(displayed);
  await pollFor(() => (events.length > 0 ? true : undefined), 'the NotificationClosed signal');
  assert.deepEqual(events, [{ kind: 'closed', id, reason: 'closed' }]);
  await sink.close(id);
  assert.equal(events.length, 1, 'closing it again does nothing');
});

test('a click on the notification is reported; a forged signal from another bus client is not', async (t) => {
  if (skippedWithout(t, 'notification server')) return;
  const server = await sharedServer();
  const { sink, events } = sinkOn(t, () => server.bus.env);
  const displayed = await server.displayedCount();
  const id = await sink.show(notification());
  await server.waitForDisplayed(displayed + 1);

  // Anyone on the session bus can send a signal; only the server's own are believed.
  const forged = await execQuiet(
    'dbus-send',
    ['--session', '--type=signal', '/org/freedesktop/Notifications', 'org.freedesktop.Notifications.ActionInvoked', `uint32:${id}`, 'string:default'],
    5000,
    { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...server.bus.env },
  );
  assert.equal(forged.code, 0, forged.stderr);

  await server.click();
  await pollFor(() => (events.some((event) => event.kind === 'activated') ? true : undefined), 'the click to be reported');
  assert.deepEqual(
    events.filter((event) => event.kind === 'activated'),
    [{ kind: 'activated', id }],
  );
  await sink.close(id);
});

test('no bus, a bus that is not there, a wedged bus, a bus with no notification server: one clear line each, nothing thrown, nothing unhandled', async (t) => {
  noUnhandledRejections(t);
  const dir = tempDir('vmux-no-bus-');

  const nowhere = sinkOn(t, () => ({ HOME: dir })).sink;
  await assert.rejects(nowhere.show(notification()), (error: unknown) => {
    assert.ok(error instanceof NotificationsUnavailableError);
    assert.equal(error.reason, 'no-bus');
    assert.match(error.message, /^No D-Bus session bus for desktop notifications: DBUS_SESSION_BUS_ADDRESS is not set .*--notify tmux\.$/);
    return true;
  });

  const missing = join(dir, 'gone.sock');
  const gone = sinkOn(t, () => ({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${missing}` })).sink;
  await assert.rejects(gone.show(notification()), (error: unknown) => {
    assert.ok(error instanceof NotificationsUnavailableError);
    assert.equal(error.reason, 'bus-unreachable');
    assert.equal(error.message.includes('\n'), false);
    assert.match(error.message, /^Cannot reach the D-Bus session bus at unix:path=.*gone\.sock \(connect ENOENT .*\); vmux tries again at the next notification\.$/);
    return true;
  });

  // Something listens but never answers (a wedged bus): the call gives up in time, and what it opened goes.
  const wedgedPath = join(dir, 'wedged.sock');
  const wedged = createServer((socket) => socket.on('data', () => {}));
  await new Promise<void>((resolve) => wedged.listen(wedgedPath, resolve));
  t.after(() => new Promise<void>((resolve) => wedged.close(() => resolve())));
  const silent = new FreedesktopNotifications({ env: () => ({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${wedgedPath}` }), timeoutMs: 200 });
  t.after(() => silent.dispose());
  await assert.rejects(silent.show(notification()), (error: unknown) => {
    assert.ok(error instanceof NotificationsUnavailableError);
    assert.equal(error.reason, 'bus-unreachable');
    assert.match(error.message, /^The D-Bus session bus at unix:path=.*wedged\.sock did not answer Hello within 0\.2 s\.$/);
    return true;
  });
  const openConnections = (): Promise<number> => new Promise((resolve, reject) => wedged.getConnections((error, count) => (error ? reject(error) : resolve(count))));
  await pollFor(async () => ((await openConnections()) === 0 ? true : undefined), 'the connection to the wedged bus to be closed', { timeoutMs: 2000 });

  if (skippedWithout(t, 'session bus')) return;
  const bus = await startServer(t, false);
  const serverless = sinkOn(t, () => bus.env).sink;
  for (let attempt = 0; attempt < 2; attempt++) {
    await assert.rejects(serverless.show(notification()), (error: unknown) => {
      assert.ok(error instanceof NotificationsUnavailableError);
      assert.equal(error.reason, 'no-server');
      assert.equal(
        error.message,
        "No notification server on the D-Bus session bus (nothing owns org.freedesktop.Notifications): start one (dunst, mako, your desktop's), or use --notify tmux.",
      );
      return true;
    });
  }
});

test('a server that starts later, and a bus that goes away and comes back, are found again at the next notification', async (t) => {
  if (skippedWithout(t, 'notification server')) return;
  noUnhandledRejections(t);
  const dir = tempDir('vmux-bus-again-');
  const socketPath = join(dir, 'bus');
  const first = await startSessionBus({ socketPath });
  t.after(() => first.stop());
  const env = { DBUS_SESSION_BUS_ADDRESS: `unix:path=${socketPath}` };
  const { sink, events } = sinkOn(t, () => env);

  await assert.rejects(sink.show(notification()), { reason: 'no-server' });
  const dunst = await startDunst(first);
  t.after(() => dunst.stop());
  const id = await sink.show(notification());
  await dunst.waitForDisplayed(1);

  // The notification server goes: what it showed is gone with it.
  await dunst.stop();
  await pollFor(() => (events.length > 0 ? true : undefined), 'the server going to be noticed');
  assert.deepEqual(events, [{ kind: 'closed', id, reason: 'server-gone' }]);
  await assert.rejects(sink.show(notification()), { reason: 'no-server' });

  // The whole bus goes (a logout), and a new one listens at the same address (a login).
  await first.stop();
  await assert.rejects(sink.show(notification()), { reason: 'bus-unreachable' });
  const second = await startSessionBus({ socketPath });
  t.after(() => second.stop());
  const secondDunst = await startDunst(second);
  t.after(() => secondDunst.stop());
  await sink.show(notification({ title: 'after the new login' }));
  assert.equal((await secondDunst.waitForShown(1))[0]?.summary, 'after the new login');

  // The environment names another bus (a client from another desktop session): that one is used.
  const third = await startServer(t, true);
  env.DBUS_SESSION_BUS_ADDRESS = third.bus.address;
  await sink.show(notification({ title: 'on the other bus' }));
  assert.equal((await third.waitForShown(1))[0]?.summary, 'on the other bus');
});
