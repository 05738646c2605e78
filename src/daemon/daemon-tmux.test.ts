import assert from 'node:assert/strict';
import { mkdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeSessionFile } from '../../test/support/fake-claude.js';
import { installFakeClaude, privateTmux, waitUntil } from '../../test/support/private-tmux.js';
import { skippedWithout } from '../../test/support/require-wm.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { vmuxHomeFrom } from '../home/vmux-home.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { requestDaemon } from '../protocol/socket-client.js';
import { Daemon } from './daemon.js';
import type { Logger } from './logger.js';
import type { NotifyMode } from '../settings/settings.js';

/**
 * vmuxd and tmux without a window manager (tmux over ssh): the pane an attached terminal shows is
 * in front of the user, followed by tmux's own events; each session's state is kept in tmux
 * options on its pane and window for the status line. Every daemon polls once in ten minutes, so
 * only an event can explain an update.
 */

const NO_POLL_MS = 600_000;
const FOLLOWS_WITHIN_MS = 5000;
const quiet: Logger = { info: () => {}, warn: () => {}, debug: () => {} };

/**
 * A private tmux server whose window holds two panes, each running a fixture claude (the first
 * pane active), with a Claude folder and a vmux home of the test's own, and the vmuxd to start there.
 */
async function twoClaudePanes(prefix: string) {
  const dir = tempDir(prefix);
  const server = privateTmux(dir, installFakeClaude(dir));
  const claudeDir = join(dir, 'claude');
  const home = vmuxHomeFrom({ VMUX_HOME: join(dir, 'vmux-home') });
  const first = await server.newSession('work', { kind: 'claude' });
  const second = await server.splitWindow(first.paneId, { kind: 'claude' });
  const startDaemon = (options: { notify?: NotifyMode } = {}) =>
    Daemon.start({ home, env: { CLAUDE_CONFIG_DIR: claudeDir, HOME: dir }, pollMs: NO_POLL_MS, logger: quiet, version: 'test', ...options });
  return { dir, server, claudeDir, home, first, second, startDaemon };
}

test('tmux without a window manager: the pane a terminal shows is focused and seen; one waiting beside it is unseen; states are kept on panes and windows', { timeout: 60_000 }, async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  const { server, claudeDir, home, first, second, startDaemon } = await twoClaudePanes('vmux-daemon-tmux-');
  const pids = [await server.claudeIn(first.paneId), await server.claudeIn(second.paneId)] as const;
  pids.forEach((pid, n) =>
    writeSessionFile(claudeDir, pid, { sessionId: `tm000000-0000-4000-8000-00000000000${n}`, cwd: readlinkSync(`/proc/${pid}/cwd`), status: 'waiting', waitingFor: 'permission prompt' }),
  );
  await server.attach(first.sessionId);
  const daemon = await startDaemon();
  const sessionOf = async (pid: number): Promise<SessionInfo | undefined> => (await requestDaemon(home.socketPath, { action: 'list' })).sessions?.find((s) => s.pid === pid);
  const until = (what: string, check: (first: SessionInfo | undefined, second: SessionInfo | undefined) => boolean) =>
    waitUntil(async () => check(await sessionOf(pids[0]), await sessionOf(pids[1])), what, FOLLOWS_WITHIN_MS);
  try {
    // The split left the first pane active: it is in front, the second waits unseen.
    await until('the first pane in front, the second unseen', (a, b) => a?.focused === true && a.unseen === false && b?.focused === false && b.unseen === true);
    await waitUntil(async () => (await server.show(second.paneId, '#{@vmux_pane_state} #{@vmux_pane_unseen}')) === 'needs_input 1', 'the second pane to show its state');
    await waitUntil(async () => (await server.show(first.paneId, '#{@vmux_pane_state}#{@vmux_pane_unseen}')) === 'needs_input', 'the first pane to show its state, seen');
    assert.equal(await server.show(first.windowId, '#{@vmux_state} #{@vmux_unseen}'), 'needs_input 1', 'the window shows what needs the user most');

    await server.tmux(['select-pane', '-t', second.paneId]);
    await until('the second pane in front: seen', (a, b) => b?.focused === true && b.unseen === false && a?.focused === false);
    await waitUntil(async () => (await server.show(first.windowId, '#{@vmux_unseen}')) === '', 'the window to show nothing unseen');
  } finally {
    await daemon.stop('test over');
  }
  // vmuxd takes its options off the server as it stops.
  assert.equal(await server.show(first.paneId, '#{@vmux_pane_state}'), '');
  await server.close();
});

test('vmuxd --notify tmux: a session that starts waiting beside the pane in front is told once on the attached terminal', { timeout: 60_000 }, async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  const { dir, server, claudeDir, home, first, second, startDaemon } = await twoClaudePanes('vmux-daemon-tmux-notify-');
  const pid = await server.claudeIn(second.paneId);
  const cwd = join(dir, 'billing');
  mkdirSync(cwd);
  const status = (value: string) =>
    writeSessionFile(claudeDir, pid, { sessionId: 'tn000000-0000-4000-8000-000000000001', cwd, status: value, ...(value === 'waiting' ? { waitingFor: 'permission prompt' } : {}) });
  status('busy');
  const client = await server.attach(first.sessionId);
  const daemon = await startDaemon({ notify: 'tmux' });
  const messages = async () =>
    (await server.tmux(['show-messages'])).split('\n').filter((line) => line.includes(`${client.tty} message: vmux: billing`));
  try {
    await waitUntil(async () => (await requestDaemon(home.socketPath, { action: 'list' })).sessions?.some((s) => s.pid === pid && s.state === 'working') === true, 'the session working');
    status('waiting');
    await waitUntil(async () => (await messages()).length > 0, 'the message on the attached terminal', FOLLOWS_WITHIN_MS);
    assert.match((await messages())[0] ?? '', /message: vmux: billing — asks for permission$/);
    assert.equal((await requestDaemon(home.socketPath, { action: 'status' })).status?.signals['notifications'], 'tmux');
  } finally {
    await daemon.stop('test over');
  }
  assert.equal((await messages()).length, 1, 'told once, not at every scan');
  await server.close();
});
