import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TmuxRefusedError, TmuxStaleError, VmuxError } from '../../errors.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { cleanEnv, installFakeClaude, privateTmux } from '../../../test/support/private-tmux.js';
import { skippedWithout } from '../../../test/support/require-wm.js';
import { classifyTmuxFailure, parseClientLines, parsePaneLine, TmuxServer } from './tmux-client.js';

const HOSTILE_NAMES = ['a b', ']; exec rm -rf ~ [', `"it's" $(touch x) \`id\``, 'é😀 🚀', '-t', '%1', '$0'];

function paneLine(fields: Partial<Record<string, string>> = {}): string {
  const f = {
    pid: '500',
    session: '$2',
    window: '@7',
    windowIndex: '1',
    pane: '%12',
    paneIndex: '0',
    panePid: '900',
    tty: '/dev/pts/4',
    windowActive: '1',
    paneActive: '0',
    name: 'work',
    ...fields,
  };
  return `${[f.pid, f.session, f.window, f.windowIndex, f.pane, f.paneIndex, f.panePid, f.tty, f.windowActive, f.paneActive, f.name].join('\t')}\n`;
}

test('parsePaneLine reads every field, the session name last and verbatim', () => {
  assert.deepEqual(parsePaneLine(paneLine(), '%12'), {
    serverPid: 500,
    sessionId: '$2',
    sessionName: 'work',
    windowId: '@7',
    windowIndex: 1,
    paneId: '%12',
    paneIndex: 0,
    panePid: 900,
    paneTty: '/dev/pts/4',
    windowActive: true,
    paneActive: false,
  });
  for (const name of [...HOSTILE_NAMES, 'tab\there\tand there']) {
    assert.equal(parsePaneLine(paneLine({ name }), '%12')?.sessionName, name);
  }
});

test('parsePaneLine: an unknown pane (tmux answers empty fields) or another pane is undefined', () => {
  assert.equal(parsePaneLine('\t\t\t\t\t\t\t\t\t\t\n', '%12'), undefined);
  assert.equal(parsePaneLine('', '%12'), undefined);
  assert.equal(parsePaneLine(paneLine({ pane: '%13' }), '%12'), undefined);
  assert.equal(parsePaneLine(paneLine({ session: 'work' }), '%12'), undefined);
  assert.equal(parsePaneLine(paneLine({ paneActive: 'yes' }), '%12'), undefined);
});

test('parseClientLines reads several clients; names with tabs and odd characters stay whole', () => {
  const output =
    '/dev/pts/3\t1200\t1700000005\t$0\t0\tmain\n' +
    `/dev/pts/7\t1300\t1700000009\t$4\t0\t${HOSTILE_NAMES[1]}\n` +
    '/dev/pts/8\t1400\t1700000001\t$5\t0\tname\twith tabs\n' +
    '\t1500\t1700000002\t$0\t1\tmain\n';
  assert.deepEqual(parseClientLines(output), [
    { tty: '/dev/pts/3', pid: 1200, activity: 1700000005, sessionId: '$0', sessionName: 'main', controlMode: false },
    { tty: '/dev/pts/7', pid: 1300, activity: 1700000009, sessionId: '$4', sessionName: HOSTILE_NAMES[1], controlMode: false },
    { tty: '/dev/pts/8', pid: 1400, activity: 1700000001, sessionId: '$5', sessionName: 'name\twith tabs', controlMode: false },
    { tty: '', pid: 1500, activity: 1700000002, sessionId: '$0', sessionName: 'main', controlMode: true },
  ]);
  assert.deepEqual(parseClientLines(''), []);
});

test('parseClientLines fails loudly on a line of another shape', () => {
  for (const bad of ['/dev/pts/3 1200 1700000005 $0 0 main', '/dev/pts/3\tx\t1\t$0\t0\tmain', '/dev/pts/3\t1\t1\tmain\t0\tmain']) {
    assert.throws(() => parseClientLines(`${bad}\n`), (error: unknown) => error instanceof VmuxError && error.code === 'TMUX_UNAVAILABLE');
  }
});

test('classifyTmuxFailure tells a gone server or target from a refusal', () => {
  assert.equal(classifyTmuxFailure('no server running on /tmp/s\n'), 'server-gone');
  assert.equal(classifyTmuxFailure('error connecting to /tmp/s (No such file or directory)'), 'server-gone');
  assert.equal(classifyTmuxFailure('error connecting to /tmp/s (Connection refused)'), 'server-gone');
  assert.equal(classifyTmuxFailure('server exited unexpectedly'), 'server-gone');
  assert.equal(classifyTmuxFailure('error connecting to /tmp/s (Permission denied)'), 'unreachable');
  assert.equal(classifyTmuxFailure("can't find pane: %9"), 'pane-gone');
  assert.equal(classifyTmuxFailure("can't find window: @9"), 'pane-gone');
  assert.equal(classifyTmuxFailure("can't find session: $9"), 'pane-gone');
  assert.equal(classifyTmuxFailure("can't find client: /dev/pts/99"), 'client-gone');
  assert.equal(classifyTmuxFailure('unknown command: bogus'), 'refused');
  assert.equal(classifyTmuxFailure(''), 'refused');
});

test('TmuxServer queries panes on several real servers, sessions, windows and panes', async (t) => {
  if (skippedWithout(t, 'tmux')) return;
  const dir = tempDir('vmux-tmux-client-');
  const claude = installFakeClaude(dir);
  mkdirSync(join(dir, 'one'));
  mkdirSync(join(dir, 'two'));
  const one = privateTmux(join(dir, 'one'), claude);
  const two = privateTmux(join(dir, 'two'), claude);
  try {
    const panes = [];
    for (const [server, names] of [
      [one, HOSTILE_NAMES.slice(0, 4)],
      [two, HOSTILE_NAMES.slice(4)],
    ] as const) {
      for (const name of names) {
        const first = await server.newSession(name, { kind: 'claude' });
        const second = await server.newWindow(first.sessionId, { kind: 'idle' });
        const third = await server.splitWindow(second.paneId, { kind: 'shell' });
        panes.push({ server, name, ...first }, { server, name, ...second }, { server, name, ...third });
      }
    }
    for (const expected of panes) {
      const client = new TmuxServer(expected.server.socketPath, { env: cleanEnv() });
      const pane = await client.queryPane(expected.paneId);
      assert.equal(pane.sessionId, expected.sessionId);
      assert.equal(pane.sessionName, expected.name);
      assert.equal(pane.windowId, expected.windowId);
      assert.equal(pane.paneId, expected.paneId);
      assert.equal(pane.serverPid, Number(await expected.server.show(expected.paneId, '#{pid}')));
      assert.equal(pane.panePid, Number(await expected.server.show(expected.paneId, '#{pane_pid}')));
      assert.equal(pane.paneTty, await expected.server.show(expected.paneId, '#{pane_tty}'));
      assert.equal(`${pane.windowActive} ${pane.paneActive}`, await expected.server.show(expected.paneId, '#{?window_active,true,false} #{?pane_active,true,false}'));
    }
    assert.deepEqual(await new TmuxServer(one.socketPath).listClients(), []);
  } finally {
    await Promise.all([one.close(), two.close()]);
  }
});

test('TmuxServer lists a headless client with its tty, pid and odd session name', async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  const dir = tempDir('vmux-tmux-client-');
  const server = privateTmux(dir, installFakeClaude(dir));
  try {
    const name = HOSTILE_NAMES[2] ?? '';
    const { sessionId } = await server.newSession(name, { kind: 'idle' });
    const attached = await server.attach(sessionId);
    const clients = await new TmuxServer(server.socketPath, { env: cleanEnv() }).listClients();
    assert.equal(clients.length, 1);
    assert.equal(clients[0]?.pid, attached.pid);
    assert.equal(clients[0]?.tty, attached.tty);
    assert.equal(clients[0]?.sessionId, sessionId);
    assert.equal(clients[0]?.sessionName, name);
    assert.equal(clients[0]?.controlMode, false);
    assert.ok(Math.abs((clients[0]?.activity ?? 0) - Date.now() / 1000) < 60);
  } finally {
    await server.close();
  }
});

test('TmuxServer errors: pane gone, client gone, server gone, refused, no tmux, no answer', async (t) => {
  if (skippedWithout(t, 'tmux')) return;
  const dir = tempDir('vmux-tmux-client-');
  const server = privateTmux(dir, installFakeClaude(dir));
  const isStale = (reason: string) => (error: unknown) => error instanceof TmuxStaleError && error.reason === reason;
  try {
    const kept = await server.newSession('kept', { kind: 'idle' });
    const doomed = await server.newWindow(kept.sessionId, { kind: 'idle' });
    await server.tmux(['kill-pane', '-t', doomed.paneId]);
    const tmux = new TmuxServer(server.socketPath, { env: cleanEnv() });
    await assert.rejects(tmux.queryPane(doomed.paneId), isStale('pane-gone'));
    await assert.rejects(tmux.selectPane(doomed.paneId), isStale('pane-gone'));
    await assert.rejects(tmux.selectWindow(kept.sessionId, doomed.windowId), isStale('pane-gone'));
    await assert.rejects(tmux.switchClient('/dev/pts/99999', kept.sessionId), isStale('client-gone'));
    await assert.rejects(tmux.run(['no-such-command']), (error: unknown) => error instanceof TmuxRefusedError && /unknown command/.test(error.stderr));
    // Ids only: anything else never reaches tmux.
    await assert.rejects(tmux.selectPane('%1; kill-server'), TypeError);
    await assert.rejects(tmux.switchClient('-t', kept.sessionId), TypeError);
    await assert.rejects(tmux.switchClient('/dev/pts/1', 'kept'), TypeError);

    await server.close();
    await assert.rejects(tmux.queryPane(kept.paneId), isStale('server-gone'));
    await assert.rejects(tmux.listClients(), isStale('server-gone'));
    await assert.rejects(new TmuxServer(join(dir, 'never-was.sock')).listClients(), isStale('server-gone'));

    const unavailable = (error: unknown) => error instanceof VmuxError && error.code === 'TMUX_UNAVAILABLE';
    await assert.rejects(new TmuxServer('/tmp/x', { tmuxPath: join(dir, 'no-tmux-here') }).listClients(), unavailable);
    const hanging = join(dir, 'hanging-tmux');
    writeFileSync(hanging, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(hanging, 0o755);
    const started = Date.now();
    await assert.rejects(new TmuxServer('/tmp/x', { tmuxPath: hanging, timeoutMs: 200 }).listClients(), (error: unknown) =>
      unavailable(error) && /did not answer/.test((error as Error).message),
    );
    assert.ok(Date.now() - started < 3000);
  } finally {
    await server.close();
  }
});
