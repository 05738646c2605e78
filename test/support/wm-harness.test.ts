import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import { commOf, findNode, fixtureClaude, isGone, startI3UnderXvfb, type WmHarness } from './i3-xvfb.js';
import { readStat } from './process-tree.js';
import { requiredByCi } from './programs.js';
import { skippedWithout, unmetNeed } from './require-wm.js';
import { startSwayHeadless } from './sway-headless.js';

/**
 * Smoke test of the real-WM harnesses themselves: each starts, opens a terminal on workspace 1 and
 * one on workspace 2 running a fixture `claude`, focus moves by `[con_id=N] focus`, and `stop()`
 * leaves no process, socket or folder behind. With VMUX_REQUIRE_WM=1 a missing WM fails the test.
 */

function environOf(pid: number): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

/** PIDs of processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

async function focusedWorkspace(harness: WmHarness): Promise<string | undefined> {
  return (await harness.workspaces()).find((w) => w.focused)?.name;
}

/** The scenario both WMs must pass; `extra` adds the WM-specific checks on the two terminals. */
async function proveHarness(
  t: TestContext,
  harness: WmHarness,
  extra: (a: Awaited<ReturnType<WmHarness['openTerminal']>>) => Promise<void> | void,
): Promise<void> {
  const dir = harness.dir;
  const socket = harness.socketPath;
  let stoppedCleanly = false;
  try {
    t.diagnostic(`${harness.kind}: answering on its socket after ${harness.startupMs} ms`);
    const claude = fixtureClaude(harness);
    const opening = Date.now();
    const a = await harness.openTerminal({ workspace: '1', command: [claude, '600'], title: 'vmux session A' });
    const b = await harness.openTerminal({ workspace: '2', command: [claude, '601'] });
    t.diagnostic(`${harness.kind}: two terminals managed after ${Date.now() - opening} ms`);

    assert.equal(commOf(a.commandPid), 'claude');
    assert.equal(commOf(b.commandPid), 'claude');
    assert.notEqual(a.conId, b.conId);
    assert.equal(await harness.workspaceOf(a.conId), '1');
    assert.equal(await harness.workspaceOf(b.conId), '2');
    const tree = await harness.tree();
    assert.equal(findNode(tree, (n) => n.id === a.conId)?.name, 'vmux session A', 'the title reaches the tree');
    // The last window opened has the focus.
    assert.equal(await harness.focusedConId(), b.conId);
    assert.equal(await focusedWorkspace(harness), '2');

    await extra(a);

    assert.deepEqual(await harness.command(`[con_id=${a.conId}] focus`), [{ success: true }]);
    assert.equal(await harness.focusedConId(), a.conId);
    assert.equal(await focusedWorkspace(harness), '1');
    assert.deepEqual(await harness.command(`[con_id=${b.conId}] focus`), [{ success: true }]);
    assert.equal(await harness.focusedConId(), b.conId);
    assert.equal(await focusedWorkspace(harness), '2');

    // A con that does not exist: refused, not an IPC error.
    const refused = await harness.command('[con_id=999999999] focus');
    assert.equal(refused.length, 1);
    assert.equal(refused[0]?.success, false);
    assert.ok(refused[0]?.error, 'the WM says why');

    // Closing one terminal takes its window out of the tree and reaps it and its command.
    await b.close();
    assert.equal(findNode(await harness.tree(), (n) => n.id === b.conId), undefined);
    assert.ok(isGone(b.pid) && isGone(b.commandPid), 'closed terminal reaped');
    assert.ok(isGone(a.commandPid) === false, 'the other terminal still runs');

    const stopping = Date.now();
    await harness.stop(); // terminal A is still open: stop ends it too
    stoppedCleanly = true;
    t.diagnostic(`${harness.kind}: stopped in ${Date.now() - stopping} ms`);
  } finally {
    if (!stoppedCleanly) await harness.stop().catch(() => undefined);
  }
  const left = harness.startedPids().filter((pid) => !isGone(pid));
  assert.deepEqual(left, [], 'every process started is gone and reaped (no zombie)');
  assert.deepEqual(processesMentioning(dir), [], 'no process still refers to the scratch folder');
  assert.equal(existsSync(dir), false, 'scratch folder removed');
  assert.equal(existsSync(socket), false, 'IPC socket removed');
}

describe('i3 under Xvfb harness', () => {
  it('opens terminals on workspaces 1 and 2, focuses by con_id, tears everything down', async (t) => {
    if (skippedWithout(t, 'i3')) return;
    const started = Date.now();
    const harness = await startI3UnderXvfb();
    t.after(() => harness.stop());
    t.diagnostic(`i3: startI3UnderXvfb resolved after ${Date.now() - started} ms`);
    assert.ok(harness.startupMs < 2000, `i3 ready in ${harness.startupMs} ms`);
    assert.match(harness.env.DISPLAY ?? '', /^:\d+$/);
    assert.equal(harness.env.I3SOCK, harness.socketPath);
    const displaySocket = `/tmp/.X11-unix/X${harness.display.slice(1)}`;
    assert.ok(existsSync(displaySocket));
    await proveHarness(t, harness, async (a) => {
      // i3's tree has the X window id but no pid; the terminal exports WINDOWID to its child…
      assert.equal(typeof a.window, 'number');
      // xterm has no server mode: a window of a terminal server is refused, not faked.
      await assert.rejects(harness.openTerminal({ workspace: '3', command: ['true'], server: 'shared' }), /i3 harness: no terminal servers/);
      const node = findNode(await harness.tree(), (n) => n.id === a.conId);
      assert.equal(node?.window, a.window);
      assert.equal(node?.pid, undefined);
      assert.equal(environOf(a.commandPid).get('WINDOWID'), String(a.window));
      assert.equal(environOf(a.commandPid).get('I3SOCK'), harness.socketPath);
      // …and X11 knows the terminal's PID (xprop is in x11-utils, required under VMUX_REQUIRE_WM=1).
      const noXprop = unmetNeed('xprop');
      assert.ok(!(requiredByCi() && noXprop), `VMUX_REQUIRE_WM=1 but ${noXprop}`);
      if (noXprop === undefined) {
        const out = execFileSync('xprop', ['-id', String(a.window), '_NET_WM_PID'], {
          env: { ...process.env, ...harness.env },
          encoding: 'utf8',
        });
        assert.equal(out.trim(), `_NET_WM_PID(CARDINAL) = ${a.pid}`);
      }
    });
    assert.equal(existsSync(displaySocket), false, 'Xvfb removed its display socket');
  });
});

describe('sway headless harness', () => {
  it('opens terminals on workspaces 1 and 2, focuses by con_id, tears everything down', async (t) => {
    if (skippedWithout(t, 'sway')) return;
    const started = Date.now();
    const harness = await startSwayHeadless();
    t.after(() => harness.stop());
    t.diagnostic(`sway: startSwayHeadless resolved after ${Date.now() - started} ms (user ${harness.user.name}, uid ${harness.user.uid})`);
    assert.ok(harness.startupMs < 2000, `sway ready in ${harness.startupMs} ms`);
    assert.equal(harness.env.SWAYSOCK, harness.socketPath);
    if (process.getuid?.() === 0) assert.notEqual(harness.user.uid, 0, 'sway does not run as root');
    await proveHarness(t, harness, async (a) => {
      // sway's nodes carry the Wayland client's PID: the terminal's.
      const node = findNode(await harness.tree(), (n) => n.id === a.conId);
      assert.equal(node?.pid, a.pid);
      assert.equal(a.window, null);
      const env = environOf(a.commandPid);
      assert.equal(env.get('SWAYSOCK'), harness.socketPath);
      assert.equal(readFileSync(`/proc/${a.commandPid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)?.[1], String(harness.user.uid));
    });
  });

  it('opens two windows of one foot server: one pid for both in the tree, a con and a command each', async (t) => {
    if (skippedWithout(t, 'sway')) return;
    const harness = await startSwayHeadless();
    t.after(() => harness.stop());
    const dir = harness.dir;
    let stoppedCleanly = false;
    try {
      const claude = fixtureClaude(harness);
      const opening = Date.now();
      const a = await harness.openTerminal({ workspace: '1', command: [claude, '600'], title: 'server window A', server: 'shared' });
      const b = await harness.openTerminal({ workspace: '2', command: [claude, '601'], title: 'server window B', server: 'shared' });
      t.diagnostic(`sway: a foot server and two footclient windows after ${Date.now() - opening} ms`);

      // One process owns both windows, as sway's tree says: the foot server.
      assert.equal(a.pid, b.pid, 'one server for both windows');
      assert.equal(commOf(a.pid), 'foot');
      assert.notEqual(a.conId, b.conId);
      const tree = await harness.tree();
      for (const [terminal, title, workspace] of [[a, 'server window A', '1'], [b, 'server window B', '2']] as const) {
        const node = findNode(tree, (n) => n.id === terminal.conId);
        assert.equal(node?.pid, terminal.pid, 'the tree shows the server pid on each window');
        assert.equal(node?.name, title);
        assert.equal(await harness.workspaceOf(terminal.conId), workspace);
        // The command is the server's child (footclient only asked for the window) and got the client's environment.
        assert.equal(commOf(terminal.commandPid), 'claude');
        assert.equal(readStat(terminal.commandPid)?.ppid, terminal.pid);
        assert.equal(environOf(terminal.commandPid).get('SWAYSOCK'), harness.socketPath);
      }
      assert.notEqual(a.commandPid, b.commandPid);
      assert.equal(await harness.focusedConId(), b.conId);

      // Closing one window leaves the server and its other window.
      await b.close();
      const after = await harness.tree();
      assert.equal(findNode(after, (n) => n.id === b.conId), undefined);
      assert.equal(findNode(after, (n) => n.id === a.conId)?.pid, a.pid);
      assert.ok(isGone(b.commandPid), 'the closed window\'s command reaped');
      assert.ok(!isGone(a.pid) && !isGone(a.commandPid), 'the server and its other window still run');

      await harness.stop(); // the server and window A are still there: stop ends them too
      stoppedCleanly = true;
    } finally {
      if (!stoppedCleanly) await harness.stop().catch(() => undefined);
    }
    assert.deepEqual(harness.startedPids().filter((pid) => !isGone(pid)), [], 'every process started is gone and reaped (no zombie)');
    assert.deepEqual(processesMentioning(dir), [], 'no process still refers to the scratch folder');
    assert.equal(existsSync(dir), false, 'scratch folder removed');
  });
});
