import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startFakeWm, type FakeReplyTable, type FakeWmServer } from '../../test/support/fake-wm-server.js';
import { waitUntil } from '../../test/support/private-tmux.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { MESSAGE_TYPES } from './wm-ipc/message-types.js';
import { WindowChangeFeed } from './window-changes.js';

/**
 * The feed against a stand-in i3 on a real Unix socket: which events count as "a window may have
 * moved", and how it lives through a WM that hangs up or refuses. The daemon's tests show the
 * same on a real i3 and sway (src/daemon/daemon-window-events.test.ts).
 */

const dir = tempDir('vmux-window-changes-');
const feeds: WindowChangeFeed[] = [];
const servers: FakeWmServer[] = [];
after(async () => {
  for (const feed of feeds) feed.close();
  await Promise.all(servers.map((server) => server.close()));
});

const LIMIT = { timeout: 15_000 };
const ACCEPTS: FakeReplyTable = { [MESSAGE_TYPES.SUBSCRIBE.code]: { json: { success: true } } };
const REFUSES: FakeReplyTable = { [MESSAGE_TYPES.SUBSCRIBE.code]: { json: { success: false } } };

const terminal = { id: 7, type: 'con', name: 'claude', nodes: [], floating_nodes: [] };
const workspace = { id: 3, type: 'workspace', name: '5', nodes: [], floating_nodes: [] };

async function fakeWm(table: FakeReplyTable): Promise<FakeWmServer> {
  const server = await startFakeWm(dir, table);
  servers.push(server);
  return server;
}

/** A feed on the WM socket at `socketPath`, and what it reported: each change's why, each log line. */
function follow(socketPath: string): { feed: WindowChangeFeed; changes: string[]; log: string[] } {
  const changes: string[] = [];
  const log: string[] = [];
  const feed = new WindowChangeFeed({ I3SOCK: socketPath }, (why) => changes.push(why), { log: (line) => log.push(line) });
  feeds.push(feed);
  return { feed, changes, log };
}

function subscribeRequests(server: FakeWmServer): number {
  return server.requests.filter((request) => request.type === MESSAGE_TYPES.SUBSCRIBE.code).length;
}

test('window changes: moved, opened and closed windows and renamed workspaces are reported; titles and focus are not', LIMIT, async () => {
  const server = await fakeWm(ACCEPTS);
  const { feed, changes } = follow(server.path);
  await waitUntil(() => feed.subscribed, 'the feed to subscribe');
  assert.deepEqual(server.requests.at(-1), { type: MESSAGE_TYPES.SUBSCRIBE.code, payload: '["window","workspace"]' });
  // Claude Code retitles its terminal all the time: titles must not cost a lookup each.
  await server.emitEvent('window', { change: 'title', container: terminal });
  await server.emitEvent('window', { change: 'focus', container: terminal });
  await server.emitEvent('workspace', { change: 'focus', current: workspace, old: null });
  await server.emitEvent('workspace', { change: 'init', current: workspace, old: null });
  await server.emitEvent('window', { change: 'move', container: terminal });
  await server.emitEvent('window', { change: 'new', container: terminal });
  await server.emitEvent('window', { change: 'close', container: terminal });
  await server.emitEvent('workspace', { change: 'rename', current: { ...workspace, name: 'mail' }, old: null });
  await waitUntil(() => changes.includes('workspace rename'), 'the rename to be reported');
  // Events come in order: everything before the rename has been seen.
  assert.deepEqual(changes, ['subscribed', 'window move', 'window new', 'window close', 'workspace rename']);
});

test('window changes: when the WM hangs up, the feed says why and subscribes again', LIMIT, async () => {
  const server = await fakeWm(ACCEPTS);
  const { feed, changes, log } = follow(server.path);
  await waitUntil(() => feed.subscribed, 'the feed to subscribe');
  server.dropClients();
  await waitUntil(() => log.some((line) => /window changes no longer followed \(trying again in \d+ ms\): .*closed/.test(line)), 'the feed to report the hang-up');
  await waitUntil(() => feed.subscribed && subscribeRequests(server) === 2, 'the feed to subscribe again');
  // Nothing was seen while it was away: the new subscription counts as a change.
  assert.deepEqual(changes, ['subscribed', 'subscribed']);
  assert.equal(await server.emitEvent('window', { change: 'move', container: terminal }), 1);
  await waitUntil(() => changes.at(-1) === 'window move', 'an event on the new subscription');
});

test('window changes: a WM that refuses the subscription is reported and asked again, never thrown at the caller', LIMIT, async () => {
  const server = await fakeWm(REFUSES);
  const { feed, changes, log } = follow(server.path);
  await waitUntil(() => subscribeRequests(server) >= 2, 'the feed to ask again');
  assert.equal(feed.subscribed, false);
  assert.deepEqual(changes, []);
  assert.match(log[0] ?? '', /cannot follow window changes \(trying again in \d+ ms\): the window manager refused to subscribe to window, workspace/);
});

test('window changes: with no window manager at the socket, the feed reports it and keeps trying', LIMIT, async () => {
  const { feed, log } = follow(join(dir, 'no-wm.sock'));
  await waitUntil(() => log.length >= 2, 'two attempts');
  assert.equal(feed.subscribed, false);
  assert.match(log[0] ?? '', /cannot follow window changes \(trying again in \d+ ms\): .*no-wm\.sock does not exist/s);
  // Backing off: each wait is longer than the one before.
  const waits = log.map((line) => Number(/trying again in (\d+) ms/.exec(line)?.[1]));
  assert.ok((waits[1] ?? 0) > (waits[0] ?? 0), `waits grow: ${waits.join(', ')}`);
});

test('window changes: close() ends the subscription, and the WM sees the connection go', LIMIT, async () => {
  const server = await fakeWm(ACCEPTS);
  const { feed, changes } = follow(server.path);
  await waitUntil(() => feed.subscribed, 'the feed to subscribe');
  feed.close();
  assert.equal(feed.subscribed, false);
  await waitUntil(async () => (await server.emitEvent('window', { change: 'move', container: terminal })) === 0, 'the WM to lose its subscriber');
  assert.deepEqual(changes, ['subscribed']);
});
