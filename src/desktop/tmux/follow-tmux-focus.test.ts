import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VmuxError } from '../../errors.js';
import { HOSTILE } from '../../../test/support/hostile-text.js';
import { cleanEnv, waitUntil, withPrivateTmux, type PrivateTmux } from '../../../test/support/private-tmux.js';
import { childrenOf, commOf, isGone } from '../../../test/support/process-tree.js';
import { findProgram } from '../../../test/support/programs.js';
import { skippedWithout } from '../../../test/support/require-wm.js';
import { activePanesOf, parseListedClients, sessionToSitIn, type ActiveClientPane } from './active-client-panes.js';
import { startControlClient } from './control-mode-client.js';
import { followTmuxFocus, type FollowTmuxFocusOptions, type TmuxFocusEnd, type TmuxFocusFollower } from './follow-tmux-focus.js';

/** A report arrives within this, or the follower missed an event. */
const REPORT_TIMEOUT_MS = 5000;

test('parseListedClients reads each client; activePanesOf keeps the terminals, in a stable order', () => {
  const lines = [
    `/dev/pts/7\t1300\t0\t1700000009\t$4\t@9\t%12\t${HOSTILE}\twith\ttabs`,
    '\t1500\t1\t1700000010\t$0\t@0\t%0\tmain',
    '/dev/pts/3\t1200\t0\t1700000005\t$0\t@1\t%3\tmain',
    '',
  ];
  const clients = parseListedClients(lines);
  assert.equal(clients.length, 3);
  assert.equal(clients[0]?.sessionName, `${HOSTILE}\twith\ttabs`);
  assert.equal(clients[1]?.controlMode, true);
  assert.deepEqual(activePanesOf(clients), [
    { clientTty: '/dev/pts/3', clientPid: 1200, sessionId: '$0', sessionName: 'main', windowId: '@1', paneId: '%3' },
    { clientTty: '/dev/pts/7', clientPid: 1300, sessionId: '$4', sessionName: `${HOSTILE}\twith\ttabs`, windowId: '@9', paneId: '%12' },
  ]);
  // The most recently active terminal's session; never the control client's, even when more recent.
  assert.equal(sessionToSitIn(clients), '$4');
  assert.equal(sessionToSitIn(clients.filter((client) => client.controlMode)), undefined);
  for (const bad of ['/dev/pts/3\t1200\t0\t1\t$0\t@1\tmain', '/dev/pts/3\tx\t0\t1\t$0\t@1\t%3\tmain', '/dev/pts/3\t1\t2\t1\t$0\t@1\t%3\tm', '/dev/pts/3\t1\t0\t1\t$0\t1\t%3\tm']) {
    assert.throws(() => parseListedClients([bad]), (error: unknown) => error instanceof VmuxError && error.code === 'TMUX_UNAVAILABLE');
  }
});

function withTmux(body: (server: PrivateTmux, dir: string) => Promise<void>): Promise<void> {
  return withPrivateTmux('vmux-tmux-focus-', body);
}

/** A follower whose reports a test waits for, one at a time, in order. */
interface Followed {
  readonly follower: TmuxFocusFollower;
  readonly reports: (readonly ActiveClientPane[])[];
  /** The next report not yet taken (waits for it). */
  next(what: string): Promise<readonly ActiveClientPane[]>;
  readonly ended: Promise<TmuxFocusEnd>;
}

function follow(t: { after(fn: () => unknown): void }, socketPath: string, options: FollowTmuxFocusOptions = {}): Followed {
  const reports: (readonly ActiveClientPane[])[] = [];
  let taken = 0;
  let wake: (() => void) | undefined;
  let resolveEnd: (end: TmuxFocusEnd) => void = () => undefined;
  const ended = new Promise<TmuxFocusEnd>((resolve) => (resolveEnd = resolve));
  const follower = followTmuxFocus(
    socketPath,
    (panes) => {
      reports.push(panes);
      wake?.();
    },
    { env: cleanEnv(), ...options, onEnd: resolveEnd },
  );
  t.after(() => follower.close());
  return {
    follower,
    reports,
    ended,
    async next(what) {
      const deadline = Date.now() + REPORT_TIMEOUT_MS;
      while (reports.length <= taken) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no report for ${what} within ${REPORT_TIMEOUT_MS} ms (reports so far: ${JSON.stringify(reports)})`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      const report = reports[taken++];
      if (report === undefined) throw new Error('unreachable');
      return report;
    },
  };
}

async function clientsOf(server: PrivateTmux): Promise<string[]> {
  return (await server.tmux(['list-clients', '-F', '#{client_pid} #{client_control_mode} #{session_id} #{client_flags}'])).split('\n').filter(Boolean);
}

/** The tmux processes this test process started and still has (a follower must leave none). */
function tmuxChildren(): number[] {
  return childrenOf(process.pid).filter((pid) => /^tmux/.test(commOf(pid) ?? ''));
}

test('follows the pane in front of each attached terminal by events: select-pane, select-window, switch-client, attach, detach', async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  await withTmux(async (server, dir) => {
    const a = await server.newSession(HOSTILE, { kind: 'idle' });
    const a2 = await server.splitWindow(a.paneId, { kind: 'idle' });
    const aw2 = await server.newWindow(a.sessionId, { kind: 'idle' });
    const b = await server.newSession('other', { kind: 'idle' });
    const first = await server.attach(a.sessionId);
    const size = await server.show(a.windowId, '#{window_width}x#{window_height}');

    // Run as from inside another tmux (vmuxd started in a pane): the control client must still attach.
    const followed = follow(t, server.socketPath, { env: { ...cleanEnv(), TMUX: '/tmp/elsewhere,1,0', TMUX_PANE: '%0' } });
    const pane = (panes: readonly ActiveClientPane[]) => panes.map((p) => `${p.clientPid} ${p.sessionId} ${p.windowId} ${p.paneId}`).join(', ');
    // tmux stores the name with its control characters escaped (`\\033`); it reaches vmux as tmux has it.
    const name = await server.show(a.sessionId, '#{session_name}');
    assert.match(name, /^x\\033\]0;pwned/);
    assert.deepEqual(await followed.next('the start'), [
      { clientTty: first.tty, clientPid: first.pid, sessionId: a.sessionId, sessionName: name, windowId: a.windowId, paneId: a.paneId },
    ]);
    await waitUntil(() => followed.follower.method === 'events', 'the control client to attach');

    // What the user can see of it: a control-mode client with vmux's flags, in the session already shown,
    // sizing nothing.
    const control = (await clientsOf(server)).find((line) => line.startsWith(`${followed.follower.controlPid} `));
    assert.match(control ?? '', new RegExp(`^[0-9]+ 1 \\${a.sessionId} .*control-mode,ignore-size,no-output,read-only`));
    assert.equal(await server.show(b.sessionId, '#{session_attached}'), '0');

    await server.tmux(['select-pane', '-t', a2.paneId]);
    assert.equal(pane(await followed.next('select-pane')), `${first.pid} ${a.sessionId} ${a.windowId} ${a2.paneId}`);
    await server.tmux(['select-window', '-t', aw2.windowId]);
    assert.equal(pane(await followed.next('select-window')), `${first.pid} ${a.sessionId} ${aw2.windowId} ${aw2.paneId}`);
    await server.tmux(['switch-client', '-c', first.tty, '-t', b.sessionId]);
    assert.equal(pane(await followed.next('switch-client')), `${first.pid} ${b.sessionId} ${b.windowId} ${b.paneId}`);
    // The control client moves with the terminal: the session left behind is no longer attached.
    await waitUntil(async () => (await server.show(a.sessionId, '#{session_attached}')) === '0', 'the control client to leave the session no terminal shows');

    const second = await server.attach(a.sessionId);
    const both = await followed.next('a second terminal');
    assert.equal(both.length, 2);
    assert.deepEqual(new Set(both.map((p) => p.clientPid)), new Set([first.pid, second.pid]));
    assert.equal(both.find((p) => p.clientPid === second.pid)?.paneId, aw2.paneId);

    await server.tmux(['kill-pane', '-t', aw2.paneId]);
    assert.equal(pane((await followed.next('the active pane killed')).filter((p) => p.clientPid === second.pid)), `${second.pid} ${a.sessionId} ${a.windowId} ${a2.paneId}`);

    await server.tmux(['detach-client', '-t', second.tty]);
    assert.equal(pane(await followed.next('a detach')), `${first.pid} ${b.sessionId} ${b.windowId} ${b.paneId}`);
    await server.tmux(['detach-client', '-t', first.tty]);
    assert.deepEqual(await followed.next('the last detach'), []);
    // No terminal left: the control client goes too, so that no session looks attached.
    await waitUntil(() => followed.follower.method === 'polling', 'the control client to detach');
    await waitUntil(async () => (await clientsOf(server)).length === 0, 'no client left');
    assert.equal(await server.show(a.windowId, '#{window_width}x#{window_height}'), size);
    assert.deepEqual(followed.reports.slice(-1), [[]]);
  });
});

test('polls while no terminal is attached, then follows by events once one attaches', async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  await withTmux(async (server, dir) => {
    const a = await server.newSession('a', { kind: 'idle' });
    const followed = follow(t, server.socketPath, { pollIntervalMs: 100 });
    assert.deepEqual(await followed.next('the start'), []);
    assert.equal(followed.follower.method, 'polling');
    assert.deepEqual(await clientsOf(server), [], 'no control client while nobody is attached');
    const client = await server.attach(a.sessionId);
    assert.equal((await followed.next('a terminal attached'))[0]?.clientPid, client.pid);
    await waitUntil(() => followed.follower.method === 'events', 'the control client to attach');
  });
});

test('a control client someone removes is replaced; polling meanwhile', async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  await withTmux(async (server, dir) => {
    const a = await server.newSession('a', { kind: 'idle' });
    const a2 = await server.splitWindow(a.paneId, { kind: 'idle' });
    const client = await server.attach(a.sessionId);
    const followed = follow(t, server.socketPath, { pollIntervalMs: 100 });
    await followed.next('the start');
    await waitUntil(() => followed.follower.method === 'events', 'the control client to attach');
    const removed = followed.follower.controlPid ?? 0;
    // `detach-client -a` from the user's terminal detaches every other client, vmux's among them.
    await server.tmux(['detach-client', '-a', '-t', client.tty]);
    await waitUntil(() => isGone(removed), 'the removed control client to exit');
    await server.tmux(['select-pane', '-t', a2.paneId]);
    assert.equal((await followed.next('select-pane while polling'))[0]?.paneId, a2.paneId);
    await waitUntil(() => followed.follower.method === 'events' && followed.follower.controlPid !== removed, 'a new control client', 5000);
  });
});

test('the server going away is reported as an empty picture, then the end; nothing is left running', async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  await withTmux(async (server, dir) => {
    const a = await server.newSession('a', { kind: 'idle' });
    await server.attach(a.sessionId);
    const followed = follow(t, server.socketPath);
    assert.equal((await followed.next('the start')).length, 1);
    await waitUntil(() => followed.follower.method === 'events', 'the control client to attach');
    const controlPid = followed.follower.controlPid ?? 0;
    await server.close();
    assert.deepEqual(await followed.next('the server gone'), []);
    assert.deepEqual(await followed.ended, { kind: 'server-gone' });
    await followed.follower.close();
    assert.ok(isGone(controlPid), 'the control client exited');
    assert.deepEqual(tmuxChildren(), []);
    assert.equal(followed.reports.length, 2);
  });
});

test('polling only, and a server that is not there or a tmux that cannot run: an empty picture and the end', async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  await withTmux(async (server, dir) => {
    const a = await server.newSession('a', { kind: 'idle' });
    const a2 = await server.splitWindow(a.paneId, { kind: 'idle' });
    await server.attach(a.sessionId);
    const polled = follow(t, server.socketPath, { method: 'polling', pollIntervalMs: 50 });
    assert.equal((await polled.next('the start'))[0]?.paneId, a.paneId);
    await server.tmux(['select-pane', '-t', a2.paneId]);
    assert.equal((await polled.next('select-pane, polled'))[0]?.paneId, a2.paneId);
    assert.equal(polled.follower.method, 'polling');
    assert.equal((await clientsOf(server)).length, 1, 'no control client');
    await polled.follower.close();

    const nowhere = follow(t, join(dir, 'no-server.sock'));
    assert.deepEqual(await nowhere.next('the start'), []);
    assert.deepEqual(await nowhere.ended, { kind: 'server-gone' });

    const noTmux = follow(t, server.socketPath, { tmuxPath: join(dir, 'no-tmux-here') });
    assert.deepEqual(await noTmux.next('the start'), []);
    const end = await noTmux.ended;
    assert.ok(end.kind === 'failed' && end.error.code === 'TMUX_UNAVAILABLE' && /no-tmux-here \(ENOENT\)/.test(end.error.message), JSON.stringify(end));
    await server.close();
    assert.deepEqual(tmuxChildren(), []);
  });
});

test('a tmux without control-mode flags (older than 3.2) is polled, and not asked for events again', async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  await withTmux(async (server, dir) => {
    const a = await server.newSession('a', { kind: 'idle' });
    const a2 = await server.splitWindow(a.paneId, { kind: 'idle' });
    await server.attach(a.sessionId);
    // tmux 3.1 answers `-N` and `attach -f` with its usage and status 1; everything else it runs.
    const old = join(dir, 'tmux-3.1');
    const attempts = join(dir, 'control-attempts');
    writeFileSync(
      old,
      '#!/bin/sh\nfor word in "$@"; do if [ "$word" = -N ]; then echo x >> "$TEST_ATTEMPTS"; echo "usage: tmux [-2CluvV] [-c shell-command]" >&2; exit 1; fi; done\nexec "$TEST_TMUX" "$@"\n',
    );
    chmodSync(old, 0o755);
    const env = { ...cleanEnv(), TEST_ATTEMPTS: attempts, TEST_TMUX: findProgram('tmux') ?? 'tmux' };
    const logged: string[] = [];
    const followed = follow(t, server.socketPath, { env, tmuxPath: old, pollIntervalMs: 50, log: (message) => logged.push(message) });
    assert.equal((await followed.next('the start'))[0]?.paneId, a.paneId);
    await waitUntil(() => logged.some((line) => /cannot follow tmux .* by events, polling every 50 ms: .*usage: tmux/.test(line)), 'the refusal logged');
    await server.tmux(['select-pane', '-t', a2.paneId]);
    assert.equal((await followed.next('select-pane, polled'))[0]?.paneId, a2.paneId);
    assert.equal(followed.follower.method, 'polling');
    assert.equal(readFileSync(attempts, 'utf8'), 'x\n', 'one attempt only');
  });
});

test('startControlClient: a session that is not there is refused with tmux\'s reason, and nothing is left running', async (t) => {
  if (skippedWithout(t, 'tmux')) return;
  await withTmux(async (server) => {
    await server.newSession('a', { kind: 'idle' });
    const onExit = (why: string) => assert.fail(`onExit after a refused attach: ${why}`);
    await assert.rejects(
      startControlClient(server.socketPath, '$99', { env: cleanEnv(), onNotification: () => undefined, onExit }),
      (error: unknown) => error instanceof VmuxError && /can't find session/.test(error.message),
    );
    await assert.rejects(startControlClient(server.socketPath, 'a; kill-server', { onNotification: () => undefined, onExit }), TypeError);
    await waitUntil(() => tmuxChildren().length === 0, 'the refused client to exit');
  });
});

