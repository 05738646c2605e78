import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TmuxStaleError } from '../../errors.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { cleanEnv, installFakeClaude, privateTmux, waitUntil, type PrivateTmux } from '../../../test/support/private-tmux.js';
import { skippedWithout } from '../../../test/support/require-wm.js';
import { switchToTmuxPane } from './switch-to-pane.js';
import { readTmuxLocation, type TmuxLocation } from './tmux-location.js';

const ODD_NAME = `]; exec rm -rf ~ [ "it's" $(id)`;
const options = { env: cleanEnv() };

/** Where the fixture claude in the pane is, as vmux reads it from /proc. */
async function locate(server: PrivateTmux, paneId: string): Promise<TmuxLocation> {
  const pid = await server.claudeIn(paneId);
  let location: TmuxLocation | undefined;
  await waitUntil(() => (location = readTmuxLocation('/proc', pid)) !== undefined, `tmux location of ${pid}`);
  if (location === undefined) throw new Error('unreachable');
  return location;
}

/** `<window_active> <pane_active>` of a pane, in its own session. */
function activeState(server: PrivateTmux, paneId: string): Promise<string> {
  return server.show(paneId, '#{window_active} #{pane_active}');
}

/** What the client on that tty shows: its session, that session's current window and the window's active pane. */
async function clientView(server: PrivateTmux, tty: string): Promise<string> {
  const lines = (await server.tmux(['list-clients', '-F', '#{client_tty}\t#{session_id} #{window_id} #{pane_id}'])).split('\n');
  const line = lines.find((l) => l.startsWith(`${tty}\t`));
  if (line === undefined) throw new Error(`no client on ${tty}`);
  return line.slice(tty.length + 1);
}

/**
 * Server with three sessions: `alpha` (window 0 idle; window 1 split: idle pane, and claude
 * under a shell), an oddly named one (claude as the pane's process, in its second window) and
 * `gamma` (idle). Nothing of the targets is selected to begin with.
 */
async function threeSessions(dir: string) {
  const server = privateTmux(dir, installFakeClaude(dir));
  const alpha = await server.newSession('alpha', { kind: 'idle' });
  const alphaW1 = await server.newWindow(alpha.sessionId, { kind: 'idle' });
  const alphaClaude = await server.splitWindow(alphaW1.paneId, { kind: 'shell' });
  const odd = await server.newSession(ODD_NAME, { kind: 'idle' });
  const oddClaude = await server.newWindow(odd.sessionId, { kind: 'claude' });
  const gamma = await server.newSession('gamma', { kind: 'idle' });
  return { server, alpha, alphaW1, alphaClaude, odd, oddClaude, gamma };
}

test('no client attached: the pane is selected and the attach command shows it', async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  const dir = tempDir('vmux-tmux-switch-');
  const { server, alpha, alphaW1, alphaClaude } = await threeSessions(dir);
  try {
    assert.equal(await activeState(server, alphaClaude.paneId), '0 0');
    const location = await locate(server, alphaClaude.paneId);
    const plan = await switchToTmuxPane(location, options);
    assert.equal(await activeState(server, alphaClaude.paneId), '1 1');
    assert.equal(await activeState(server, alphaW1.paneId), '1 0');
    assert.equal(await activeState(server, alpha.paneId), '0 1');
    assert.deepEqual(plan.outcome, {
      kind: 'attach',
      argv: ['tmux', '-S', server.socketPath, 'attach', '-t', 'alpha'],
      commandLine: `tmux -S ${server.socketPath} attach -t alpha`,
    });
    // The command does what it says: run it, and the new client shows the pane.
    if (plan.outcome.kind !== 'attach') throw new Error('unreachable');
    const client = await server.attachWith(plan.outcome.argv, alpha.sessionId);
    assert.equal(await clientView(server, client.tty), `${alpha.sessionId} ${alphaW1.windowId} ${alphaClaude.paneId}`);
  } finally {
    await server.close();
  }
});

test('no client, oddly named session: the attach command targets its id and works', async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  const dir = tempDir('vmux-tmux-switch-');
  const { server, odd, oddClaude } = await threeSessions(dir);
  try {
    const plan = await switchToTmuxPane(await locate(server, oddClaude.paneId), options);
    if (plan.outcome.kind !== 'attach') throw new Error(`expected attach, got ${plan.outcome.kind}`);
    assert.deepEqual(plan.outcome.argv.slice(-2), ['-t', odd.sessionId]);
    assert.equal(plan.outcome.commandLine, `tmux -S ${server.socketPath} attach -t '${odd.sessionId}'`);
    assert.equal(plan.pane.sessionName, ODD_NAME);
    const client = await server.attachWith(plan.outcome.argv, odd.sessionId);
    assert.equal(await clientView(server, client.tty), `${odd.sessionId} ${oddClaude.windowId} ${oddClaude.paneId}`);
  } finally {
    await server.close();
  }
});

test('a client already shows the session: window and pane selected under it, that client returned', async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  const dir = tempDir('vmux-tmux-switch-');
  const { server, alpha, alphaW1, alphaClaude, gamma } = await threeSessions(dir);
  try {
    const viewer = await server.attach(alpha.sessionId);
    const elsewhere = await server.attach(gamma.sessionId);
    assert.equal(await clientView(server, viewer.tty), `${alpha.sessionId} ${alpha.windowId} ${alpha.paneId}`);
    const plan = await switchToTmuxPane(await locate(server, alphaClaude.paneId), options);
    assert.equal(plan.outcome.kind, 'shown');
    assert.equal(plan.outcome.kind === 'shown' ? plan.outcome.client.pid : undefined, viewer.pid);
    assert.equal(plan.outcome.kind === 'shown' ? plan.outcome.client.tty : undefined, viewer.tty);
    assert.equal(await clientView(server, viewer.tty), `${alpha.sessionId} ${alphaW1.windowId} ${alphaClaude.paneId}`);
    assert.equal(await clientView(server, elsewhere.tty), `${gamma.sessionId} ${gamma.windowId} ${gamma.paneId}`);
  } finally {
    await server.close();
  }
});

test('clients attached elsewhere: the most recently active one is switched to the session', async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  const dir = tempDir('vmux-tmux-switch-');
  const { server, alphaW1, alphaClaude, odd, oddClaude, gamma } = await threeSessions(dir);
  try {
    const activity = async (tty: string) => {
      const lines = (await server.tmux(['list-clients', '-F', '#{client_tty}\t#{client_activity}'])).split('\n');
      return Number(lines.find((l) => l.startsWith(`${tty}\t`))?.slice(tty.length + 1));
    };
    /** tmux keeps activity in whole seconds: wait until the clock has passed a client's. */
    const pastActivityOf = async (tty: string) => {
      const last = await activity(tty);
      await waitUntil(() => Date.now() / 1000 >= last + 1, 'the next second');
    };
    const first = await server.attach(gamma.sessionId);
    await pastActivityOf(first.tty);
    const second = await server.attach(gamma.sessionId);
    assert.ok((await activity(second.tty)) > (await activity(first.tty)));

    const toAlpha = await switchToTmuxPane(await locate(server, alphaClaude.paneId), options);
    assert.equal(toAlpha.outcome.kind, 'moved');
    assert.equal(toAlpha.outcome.kind === 'moved' ? toAlpha.outcome.client.pid : undefined, second.pid);
    assert.equal(toAlpha.outcome.kind === 'moved' ? toAlpha.outcome.fromSessionId : undefined, gamma.sessionId);
    assert.equal(await clientView(server, second.tty), `${alphaClaude.sessionId} ${alphaW1.windowId} ${alphaClaude.paneId}`);
    assert.equal(await clientView(server, first.tty), `${gamma.sessionId} ${gamma.windowId} ${gamma.paneId}`);

    // Typing in the first client makes it the most recent: it is the one moved next.
    await pastActivityOf(second.tty);
    first.type(' ');
    await waitUntil(async () => (await activity(first.tty)) > (await activity(second.tty)), 'the first client to be more recent');
    const toOdd = await switchToTmuxPane(await locate(server, oddClaude.paneId), options);
    assert.equal(toOdd.outcome.kind === 'moved' ? toOdd.outcome.client.pid : undefined, first.pid);
    assert.equal(await clientView(server, first.tty), `${odd.sessionId} ${oddClaude.windowId} ${oddClaude.paneId}`);
    assert.equal(await clientView(server, second.tty), `${alphaClaude.sessionId} ${alphaW1.windowId} ${alphaClaude.paneId}`);
  } finally {
    await server.close();
  }
});

test('several servers: each switch acts on the session\'s own server only', async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  const dir = tempDir('vmux-tmux-switch-');
  mkdirSync(join(dir, 'a'));
  mkdirSync(join(dir, 'b'));
  const a = await threeSessions(join(dir, 'a'));
  const b = privateTmux(join(dir, 'b'), installFakeClaude(join(dir, 'b')));
  try {
    // Same session name on the second server; its claude is started without TMUX (its shell has it).
    const bAlpha = await b.newSession('alpha', { kind: 'idle' });
    const bClaude = await b.newWindow(bAlpha.sessionId, { kind: 'shell-env-cleared' });
    const bOther = await b.newSession('other', { kind: 'idle' });
    const aClient = await a.server.attach(a.gamma.sessionId);
    const bClient = await b.attach(bOther.sessionId);

    const location = await locate(b, bClaude.paneId);
    assert.notEqual(location.envPid, location.ancestry[0], 'located through its parent');
    const plan = await switchToTmuxPane(location, options);
    assert.equal(plan.socketPath, b.socketPath);
    assert.equal(plan.outcome.kind === 'moved' ? plan.outcome.client.pid : undefined, bClient.pid);
    assert.equal(await clientView(b, bClient.tty), `${bAlpha.sessionId} ${bClaude.windowId} ${bClaude.paneId}`);
    assert.equal(await clientView(a.server, aClient.tty), `${a.gamma.sessionId} ${a.gamma.windowId} ${a.gamma.paneId}`);
    assert.equal(await activeState(a.server, a.alphaClaude.paneId), '0 0');
  } finally {
    await Promise.all([a.server.close(), b.close()]);
  }
});

test('never a guess: stale pane, stale server, and a process that only inherited the pane\'s variables', async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  const dir = tempDir('vmux-tmux-switch-');
  const { server, alphaClaude, oddClaude, gamma } = await threeSessions(dir);
  const stale = (reason: string) => (error: unknown) => error instanceof TmuxStaleError && error.reason === reason;
  const impostor = spawn(installFakeClaude(join(dir, 'impostor')), ['infinity'], { env: cleanEnv(), stdio: 'ignore' });
  const impostorExited = new Promise((resolve) => impostor.once('exit', resolve));
  // A copy of sleep: it would outlive a test that times out.
  t.after(async () => {
    impostor.kill('SIGKILL');
    await impostorExited;
  });
  try {
    const client = await server.attach(gamma.sessionId);
    const alphaLocation = await locate(server, alphaClaude.paneId);
    const oddLocation = await locate(server, oddClaude.paneId);

    // Started by this test with the pane's TMUX/TMUX_PANE (as a GUI program launched from the pane would be).
    const fake: TmuxLocation = { ...alphaLocation, envPid: impostor.pid ?? -1, ancestry: [impostor.pid ?? -1, process.pid] };
    await assert.rejects(switchToTmuxPane(fake, options), stale('not-in-pane'));
    await assert.rejects(switchToTmuxPane({ ...alphaLocation, ptsNumber: 99999 }, options), stale('not-in-pane'));
    await assert.rejects(switchToTmuxPane({ ...alphaLocation, serverPid: alphaLocation.serverPid + 1 }, options), stale('server-replaced'));
    // Nothing moved.
    assert.equal(await activeState(server, alphaClaude.paneId), '0 0');
    assert.equal(await clientView(server, client.tty), `${gamma.sessionId} ${gamma.windowId} ${gamma.paneId}`);

    await server.tmux(['kill-pane', '-t', alphaClaude.paneId]);
    await assert.rejects(switchToTmuxPane(alphaLocation, options), stale('pane-gone'));
    await server.close();
    await assert.rejects(switchToTmuxPane(oddLocation, options), stale('server-gone'));
  } finally {
    await server.close();
  }
});
