import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, test, type TestContext } from 'node:test';
import { childrenOf, commOf, isGone, pollFor, startI3UnderXvfb, type WmHarness, type WmTerminal } from '../../test/support/i3-xvfb.js';
import { fakeProcRoot, node, tree, workspace, type FakeProcess } from '../../test/support/fake-desktop.js';
import { requireProgram } from '../../test/support/programs.js';
import { skippedWithout } from '../../test/support/require-wm.js';
import { startSwayHeadless } from '../../test/support/sway-headless.js';
import { findWindowOfProcess, parseWindowId, windowsTitled, workspacesOfSessions, type WindowLookupOptions, type WindowOfProcess } from './window-of-process.js';
import { WmClient, type WmNode } from './wm-ipc/index.js';
import { xpropWindowPidReader, type WindowPidReader } from './x11-window-pid.js';

// ---------------------------------------------------------------------------------------------
// Unit tests: synthetic trees, a fake proc root, a fake _NET_WM_PID reader
// ---------------------------------------------------------------------------------------------

/** A reader that answers from a table and counts what it was asked. */
function tableReader(table: Readonly<Record<number, number | Error | undefined>>): WindowPidReader & { calls: number[] } {
  const calls: number[] = [];
  const read = async (window: number): Promise<number | undefined> => {
    calls.push(window);
    const answer = table[window];
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return Object.assign(read, { calls });
}

function expectFound(result: WindowOfProcess | undefined, conId: number, workspaceName: string, via: string, matchedPid: number): void {
  assert.equal(result?.kind, 'found', JSON.stringify(result));
  if (result?.kind !== 'found') return;
  assert.deepEqual(
    { conId: result.conId, workspace: result.workspace, via: result.via, matchedPid: result.matchedPid },
    { conId, workspace: workspaceName, via, matchedPid },
  );
}

/* A desktop: init 1 → WM 50 → terminals; claude 300 → shell 200 → terminal 100. */
const SWAY_PROCS: FakeProcess[] = [
  { pid: 1, ppid: 0 },
  { pid: 50, ppid: 1 },
  { pid: 100, ppid: 50 }, // foot on workspace 2
  { pid: 200, ppid: 100 },
  { pid: 300, ppid: 200 },
  { pid: 110, ppid: 50 }, // foot --server with two windows
  { pid: 210, ppid: 110 },
  { pid: 310, ppid: 210 },
  { pid: 120, ppid: 200 }, // a terminal started from the shell in 100: its children belong to it
  { pid: 320, ppid: 120 },
  { pid: 400, ppid: 1 }, // a session not under any terminal (ssh, a service)
  { pid: 500, ppid: 450 }, // its parent vanished mid-walk; 450 was a child of 100
];

const SWAY_TREE = tree([
  workspace(10, '1', [node({ id: 21, name: 'server A', pid: 110 }), node({ id: 22, name: 'server B', pid: 110 })]),
  workspace(11, '2', [node({ id: 23, name: 'shell', pid: 100 })], [node({ id: 24, type: 'floating_con', name: 'nested', pid: 120 })]),
  workspace(12, 'mail', [node({ id: 25, name: 'split', nodes: [node({ id: 26, name: 'nested split', pid: 50 })] })]),
]);

describe('findWindowOfProcess on sway (tree nodes carry pid)', () => {
  const procRoot = fakeProcRoot(SWAY_PROCS);
  const options: WindowLookupOptions = { tree: SWAY_TREE, procRoot, kind: 'sway' };

  it('finds the terminal window of the nearest ancestor that owns one, with its workspace', async () => {
    expectFound(await findWindowOfProcess(300, options), 23, '2', 'sway-pid', 100);
    expectFound(await findWindowOfProcess(100, options), 23, '2', 'sway-pid', 100);
  });

  it('a terminal started inside another terminal wins over it (nearest first), floating windows too', async () => {
    expectFound(await findWindowOfProcess(320, options), 24, '2', 'sway-pid', 120);
  });

  it('a terminal server with several windows gives several candidates, never a guess', async () => {
    const result = await findWindowOfProcess(310, options);
    assert.deepEqual(result, {
      kind: 'several',
      via: 'sway-pid',
      matchedPid: 110,
      candidates: [
        { conId: 21, workspace: '1', title: 'server A' },
        { conId: 22, workspace: '1', title: 'server B' },
      ],
    });
  });

  it('none, saying why, for a process under no window, one that is gone, or one whose parent vanished', async () => {
    const orphan = await findWindowOfProcess(400, options);
    assert.equal(orphan.kind, 'none');
    assert.equal(orphan.kind === 'none' && orphan.reason, 'no-window');
    assert.match(orphan.kind === 'none' ? orphan.why : '', /no sway window belongs to process 400 .*\(400 ← 1\)/);
    const gone = await findWindowOfProcess(9999, options);
    assert.deepEqual(gone.kind === 'none' && gone.reason, 'gone');
    const cutOff = await findWindowOfProcess(500, options);
    assert.match(cutOff.kind === 'none' ? cutOff.why : '', /\(500\)/);
  });

  it('a tree without windows is none', async () => {
    const result = await findWindowOfProcess(300, { ...options, tree: tree([workspace(10, '1', [])]) });
    assert.match(result.kind === 'none' ? result.why : '', /has no windows at all/);
  });

  it('sway ignores X11 window ids and i3 ignores pids', async () => {
    const mixed = tree([workspace(10, '1', [node({ id: 30, window: 777, pid: 100 })])]);
    const procs = fakeProcRoot([
      { pid: 1, ppid: 0 },
      { pid: 100, ppid: 1 },
      { pid: 300, ppid: 100, env: { WINDOWID: '777' } },
    ]);
    expectFound(await findWindowOfProcess(300, { tree: mixed, procRoot: procs, kind: 'sway' }), 30, '1', 'sway-pid', 100);
    expectFound(await findWindowOfProcess(300, { tree: mixed, procRoot: procs, kind: 'i3' }), 30, '1', 'WINDOWID', 300);
    const onlyPid = tree([workspace(10, '1', [node({ id: 31, pid: 100 })])]);
    const result = await findWindowOfProcess(300, { tree: onlyPid, procRoot: procs, kind: 'i3', windowPidOf: tableReader({}) });
    assert.equal(result.kind, 'none');
  });
});

/* i3: xterm 100 (window 1001, exports WINDOWID) → bash 200 → claude 300, and others. */
const I3_PROCS: FakeProcess[] = [
  { pid: 1, ppid: 0 },
  { pid: 50, ppid: 1 }, // i3
  { pid: 100, ppid: 50 }, // xterm, window 1001 on workspace 1
  { pid: 200, ppid: 100, env: { WINDOWID: '1001', SHELL: '/bin/bash' } },
  { pid: 300, ppid: 200, env: { WINDOWID: '1001' } },
  { pid: 301, ppid: 200, env: { HOME: '/root' } }, // started with a cleaned environment: the shell's WINDOWID counts
  { pid: 110, ppid: 50 }, // a terminal that exports no WINDOWID, window 1002 on workspace 2
  { pid: 210, ppid: 110 },
  { pid: 310, ppid: 210 },
  { pid: 120, ppid: 50 }, // urxvtd-like server without WINDOWID: windows 1003 and 1004
  { pid: 320, ppid: 120 },
  { pid: 130, ppid: 50 }, // exports a stale WINDOWID; its window is 1005 on workspace 3
  { pid: 330, ppid: 130, env: { WINDOWID: '0x9999' } },
  { pid: 400, ppid: 1 }, // not under any window; i3bar-like dock window below claims PID 1
];

const I3_TREE = tree(
  [
    workspace(10, '1', [node({ id: 41, name: 'xterm', window: 1001 })]),
    workspace(11, '2', [node({ id: 42, name: 'plain', window: 1002 })]),
    workspace(12, '3', [node({ id: 43, name: 'server 1', window: 1003 }), node({ id: 45, name: 'stale', window: 1005 })], [
      node({ id: 44, type: 'floating_con', name: 'server 2', window: 1004 }),
    ]),
  ],
  [node({ id: 49, name: 'i3bar', window: 1009 })],
);

const I3_NET_WM_PIDS = { 1001: 100, 1002: 110, 1003: 120, 1004: 120, 1005: 130, 1009: 1 };

describe('findWindowOfProcess on i3 (X11 window ids, WINDOWID, _NET_WM_PID)', () => {
  const procRoot = fakeProcRoot(I3_PROCS);

  it('WINDOWID of the process or its nearest ancestor that has one; no xprop needed', async () => {
    const reader = tableReader(I3_NET_WM_PIDS);
    const options: WindowLookupOptions = { tree: I3_TREE, procRoot, kind: 'i3', windowPidOf: reader };
    expectFound(await findWindowOfProcess(300, options), 41, '1', 'WINDOWID', 300);
    expectFound(await findWindowOfProcess(301, options), 41, '1', 'WINDOWID', 200);
    assert.deepEqual(reader.calls, []);
  });

  it('falls back to _NET_WM_PID when no WINDOWID is exported, or it names no window of the tree', async () => {
    const options: WindowLookupOptions = { tree: I3_TREE, procRoot, kind: 'i3', windowPidOf: tableReader(I3_NET_WM_PIDS) };
    expectFound(await findWindowOfProcess(310, options), 42, '2', '_NET_WM_PID', 110);
    expectFound(await findWindowOfProcess(330, options), 45, '3', '_NET_WM_PID', 130);
  });

  it('several windows with one _NET_WM_PID (a terminal server) give several, with titles for a tie-break', async () => {
    const result = await findWindowOfProcess(320, { tree: I3_TREE, procRoot, kind: 'i3', windowPidOf: tableReader(I3_NET_WM_PIDS) });
    assert.equal(result.kind, 'several');
    assert.deepEqual(result.kind === 'several' && [...result.candidates].sort((a, b) => a.conId - b.conId), [
      { conId: 43, workspace: '3', title: 'server 1' },
      { conId: 44, workspace: '3', title: 'server 2' },
    ]);
  });

  it('dock windows (bars) are never candidates', async () => {
    const result = await findWindowOfProcess(400, { tree: I3_TREE, procRoot, kind: 'i3', windowPidOf: tableReader(I3_NET_WM_PIDS) });
    assert.equal(result.kind, 'none');
    assert.match(result.kind === 'none' ? result.why : '', /no process of the chain has WINDOWID.*no window's _NET_WM_PID is one of them/);
  });

  it('none, saying why: no reader, or the reader cannot read (xprop missing)', async () => {
    const noReader = await findWindowOfProcess(310, { tree: I3_TREE, procRoot, kind: 'i3' });
    assert.match(noReader.kind === 'none' ? noReader.why : '', /no _NET_WM_PID reader was given/);
    const failing = tableReader({ 1001: new Error('xprop was not found; install it'), 1002: new Error('xprop was not found; install it') });
    const result = await findWindowOfProcess(330, { tree: I3_TREE, procRoot, kind: 'i3', windowPidOf: failing });
    assert.equal(result.kind, 'none');
    assert.match(result.kind === 'none' ? result.why : '', /WINDOWID=39321 \(from process 330\) is no window of the i3 tree/);
    assert.match(result.kind === 'none' ? result.why : '', /2 of 5 windows' _NET_WM_PID could not be read: xprop was not found/);
  });

  it('a window that vanished since the tree was read (no PID) is simply not a match', async () => {
    const reader = tableReader({ ...I3_NET_WM_PIDS, 1002: undefined });
    const result = await findWindowOfProcess(310, { tree: I3_TREE, procRoot, kind: 'i3', windowPidOf: reader });
    assert.equal(result.kind === 'none' && result.reason, 'no-window');
  });

  it('parseWindowId takes decimal and 0x hex, nothing else', () => {
    assert.equal(parseWindowId('2097164'), 2097164);
    assert.equal(parseWindowId('0x20000c'), 0x20000c);
    assert.equal(parseWindowId(' 12\n'), 12);
    for (const bad of ['', '0', '-5', '12abc', '0x', '1e6', '99999999999999999999']) assert.equal(parseWindowId(bad), undefined, bad);
  });
});

describe('workspacesOfSessions', () => {
  it('answers every PID, reading each window\'s _NET_WM_PID once and only when a PID needs it', async () => {
    const procRoot = fakeProcRoot(I3_PROCS);
    const windowIdOnly = tableReader(I3_NET_WM_PIDS);
    const first = await workspacesOfSessions([300, 301, 300], { tree: I3_TREE, procRoot, kind: 'i3', windowPidOf: windowIdOnly });
    assert.deepEqual([...first.keys()], [300, 301]);
    assert.deepEqual(windowIdOnly.calls, [], 'WINDOWID was enough: no xprop');

    const reader = tableReader(I3_NET_WM_PIDS);
    const all = await workspacesOfSessions([300, 310, 320, 330, 400, 9999], { tree: I3_TREE, procRoot, kind: 'i3', windowPidOf: reader });
    assert.deepEqual(
      [...all.entries()].map(([pid, r]) => [pid, r.kind === 'found' ? r.workspace : r.kind]),
      [
        [300, '1'],
        [310, '2'],
        [320, 'several'],
        [330, '3'],
        [400, 'none'],
        [9999, 'none'],
      ],
    );
    assert.deepEqual([...reader.calls].sort(), [1001, 1002, 1003, 1004, 1005], 'each window asked once; the dock never');
  });

  it('50 sessions in 50 terminals: one pass, cheap (timing in the diagnostics)', async (t) => {
    const procs: FakeProcess[] = [{ pid: 1, ppid: 0 }];
    const windows: WmNode[] = [];
    const table: Record<number, number> = {};
    const sessions: number[] = [];
    for (let i = 0; i < 50; i++) {
      const terminal = 1000 + i;
      const exportsWindowId = i % 2 === 0; // half the terminals export WINDOWID, half need _NET_WM_PID
      procs.push({ pid: terminal, ppid: 1 }, { pid: 2000 + i, ppid: terminal }, { pid: 3000 + i, ppid: 2000 + i, ...(exportsWindowId ? { env: { WINDOWID: String(5000 + i) } } : {}) });
      windows.push(node({ id: 100 + i, name: `term ${i}`, window: 5000 + i }));
      table[5000 + i] = terminal;
      sessions.push(3000 + i);
    }
    const procRoot = fakeProcRoot(procs);
    const i3Tree = tree([workspace(10, '1', windows.slice(0, 25)), workspace(11, '2', windows.slice(25))]);
    // A reader that takes as long as a real xprop run (~2 ms measured on Xvfb).
    let calls = 0;
    const slowReader: WindowPidReader = async (window) => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 2));
      return table[window];
    };
    const started = performance.now();
    const results = await workspacesOfSessions(sessions, { tree: i3Tree, procRoot, kind: 'i3', windowPidOf: slowReader });
    const elapsed = performance.now() - started;
    t.diagnostic(`i3, 50 sessions / 50 windows, 2 ms per _NET_WM_PID read: ${elapsed.toFixed(1)} ms, ${calls} reads`);
    assert.equal(calls, 50);
    sessions.forEach((pid, i) => expectFound(results.get(pid), 100 + i, i < 25 ? '1' : '2', i % 2 === 0 ? 'WINDOWID' : '_NET_WM_PID', i % 2 === 0 ? pid : 1000 + i));

    const swayTree = tree([workspace(10, '1', windows.map((w, i) => ({ ...w, window: null, pid: 1000 + i })))]);
    const swayStarted = performance.now();
    const swayResults = await workspacesOfSessions(sessions, { tree: swayTree, procRoot, kind: 'sway' });
    t.diagnostic(`sway, 50 sessions / 50 windows: ${(performance.now() - swayStarted).toFixed(1)} ms`);
    assert.equal([...swayResults.values()].filter((r) => r.kind === 'found').length, 50);
    assert.ok(elapsed < 1000, `${elapsed} ms`);
  });
});

// ---------------------------------------------------------------------------------------------
// Real window managers: i3 under Xvfb with xterm, headless sway with foot
// ---------------------------------------------------------------------------------------------

/** The fixture `claude`: a copy of `sleep` in the harness folder (readable by the WM's user). */
function fixtureClaude(harness: WmHarness): string {
  const path = join(harness.dir, 'claude');
  copyFileSync(requireProgram('sleep', 'the fixture claude (a copy of sleep)'), path);
  chmodSync(path, 0o755);
  return path;
}

/** A terminal running `sh`, which runs `count` fixture claudes in the background and waits: their PIDs. */
async function terminalWithClaudes(
  harness: WmHarness,
  claude: string,
  workspaceName: string,
  count: number,
  wrap: readonly string[] = [],
): Promise<{ terminal: WmTerminal; claudes: number[] }> {
  const script = `i=0; while [ "$i" -lt ${count} ]; do "$0" 600 & i=$((i + 1)); done; wait`;
  const terminal = await harness.openTerminal({ workspace: workspaceName, command: [...wrap, 'sh', '-c', script, claude] });
  const claudes = await pollFor(() => {
    const found = childrenOf(terminal.commandPid).filter((pid) => commOf(pid) === 'claude');
    return found.length === count ? found : undefined;
  }, `${count} claudes under sh ${terminal.commandPid}`);
  return { terminal, claudes };
}

async function treeOf(harness: WmHarness): Promise<WmNode> {
  const client = await WmClient.connect(harness.socketPath);
  try {
    return await client.getTree();
  } finally {
    client.close();
  }
}

/**
 * Runs `body` on a started window manager, stopped whatever happens; once `body` has passed, also
 * checks that nothing the harness started is left, not even a zombie.
 */
async function onHarness(t: TestContext, start: () => Promise<WmHarness>, body: (harness: WmHarness) => Promise<void>): Promise<void> {
  const harness = await start();
  t.after(() => harness.stop());
  try {
    await body(harness);
  } catch (error) {
    await harness.stop().catch(() => undefined);
    throw error;
  }
  await harness.stop();
  assert.deepEqual(harness.startedPids().filter((pid) => !isGone(pid)), [], 'every process started is gone and reaped');
  assert.equal(existsSync(harness.dir), false);
}

/** Workspace 1: a terminal runs the fixture claude itself. Workspace 2: a claude under a shell (a grandchild of the terminal). */
async function directAndNestedClaudes(harness: WmHarness) {
  const claude = fixtureClaude(harness);
  const direct = await harness.openTerminal({ workspace: '1', command: [claude, '600'], title: 'direct' });
  const nested = await terminalWithClaudes(harness, claude, '2', 1);
  return { claude, direct, nested, nestedClaude: nested.claudes[0] ?? 0 };
}

describe('findWindowOfProcess on a real i3 under Xvfb', () => {
  it('finds each fixture claude\'s xterm window and workspace, by WINDOWID and by _NET_WM_PID', async (t: TestContext) => {
    if (skippedWithout(t, 'i3', 'xprop')) return;
    await onHarness(t, startI3UnderXvfb, async (harness) => {
      const { claude, direct, nested, nestedClaude } = await directAndNestedClaudes(harness);
      // Workspace 3: no WINDOWID in claude's environment, so only _NET_WM_PID can tell.
      const noWindowId = await harness.openTerminal({ workspace: '3', command: ['env', '-u', 'WINDOWID', claude, '600'] });
      await pollFor(() => (commOf(noWindowId.commandPid) === 'claude' ? true : undefined), 'env to exec claude');

      const tree = await treeOf(harness);
      const windowPidOf = xpropWindowPidReader({ env: { ...process.env, ...harness.env } });
      const options: WindowLookupOptions = { tree, procRoot: '/proc', kind: 'i3', windowPidOf };
      expectFound(await findWindowOfProcess(direct.commandPid, options), direct.conId, '1', 'WINDOWID', direct.commandPid);
      expectFound(await findWindowOfProcess(nestedClaude, options), nested.terminal.conId, '2', 'WINDOWID', nestedClaude);
      expectFound(await findWindowOfProcess(noWindowId.commandPid, options), noWindowId.conId, '3', '_NET_WM_PID', noWindowId.pid);
      const outside = await findWindowOfProcess(process.pid, options);
      assert.equal(outside.kind === 'none' && outside.reason, 'no-window', JSON.stringify(outside));

      // 50 sessions: the three above plus 24 under a WINDOWID terminal and 23 under one without.
      const many = await terminalWithClaudes(harness, claude, '4', 24);
      const manyHidden = await terminalWithClaudes(harness, claude, '5', 23, ['env', '-u', 'WINDOWID']);
      const pids = [direct.commandPid, nestedClaude, noWindowId.commandPid, ...many.claudes, ...manyHidden.claudes];
      assert.equal(pids.length, 50);
      const started = performance.now();
      const batchTree = await treeOf(harness);
      const treeMs = performance.now() - started;
      const results = await workspacesOfSessions(pids, { tree: batchTree, procRoot: '/proc', kind: 'i3', windowPidOf });
      const totalMs = performance.now() - started;
      t.diagnostic(`i3: 50 sessions in 5 windows resolved in ${totalMs.toFixed(1)} ms (get_tree ${treeMs.toFixed(1)} ms, 5 xprop runs)`);
      const workspaceOf = (pid: number): string | undefined => {
        const result = results.get(pid);
        return result?.kind === 'found' ? result.workspace : undefined;
      };
      assert.deepEqual(pids.map(workspaceOf), ['1', '2', '3', ...many.claudes.map(() => '4'), ...manyHidden.claudes.map(() => '5')]);
      for (const pid of manyHidden.claudes) expectFound(results.get(pid), manyHidden.terminal.conId, '5', '_NET_WM_PID', manyHidden.terminal.pid);

      // What a real xprop costs per window (the price of a terminal that exports no WINDOWID).
      const xpropStarted = performance.now();
      for (let i = 0; i < 10; i++) assert.equal(await windowPidOf(direct.window ?? 0), direct.pid);
      t.diagnostic(`i3: one real xprop _NET_WM_PID read takes ${((performance.now() - xpropStarted) / 10).toFixed(1)} ms`);
      // Worst case for 50 sessions: 50 terminals without WINDOWID, 50 reads, 8 at a time as the resolver runs them.
      const windows = [direct, nested.terminal, noWindowId, many.terminal, manyHidden.terminal].map((w) => w.window ?? 0);
      const batchStarted = performance.now();
      for (let i = 0; i < 50; i += 8) {
        await Promise.all(Array.from({ length: Math.min(8, 50 - i) }, (_, j) => windowPidOf(windows[(i + j) % windows.length] ?? 0)));
      }
      t.diagnostic(`i3: 50 real xprop reads, 8 at a time: ${(performance.now() - batchStarted).toFixed(1)} ms`);
    });
  });
});

describe('findWindowOfProcess on a real headless sway', () => {
  it('finds each fixture claude\'s foot window and workspace by the tree\'s pid', async (t: TestContext) => {
    if (skippedWithout(t, 'sway')) return;
    await onHarness(t, startSwayHeadless, async (harness) => {
      const { claude, direct, nested, nestedClaude } = await directAndNestedClaudes(harness);

      const tree = await treeOf(harness);
      const options: WindowLookupOptions = { tree, procRoot: '/proc', kind: 'sway' };
      expectFound(await findWindowOfProcess(direct.commandPid, options), direct.conId, '1', 'sway-pid', direct.pid);
      expectFound(await findWindowOfProcess(nestedClaude, options), nested.terminal.conId, '2', 'sway-pid', nested.terminal.pid);
      const outside = await findWindowOfProcess(process.pid, options);
      assert.equal(outside.kind === 'none' && outside.reason, 'no-window', JSON.stringify(outside));

      const many = await terminalWithClaudes(harness, claude, '3', 48);
      const pids = [direct.commandPid, nestedClaude, ...many.claudes];
      const started = performance.now();
      const results = await workspacesOfSessions(pids, { tree: await treeOf(harness), procRoot: '/proc', kind: 'sway' });
      t.diagnostic(`sway: 50 sessions resolved in ${(performance.now() - started).toFixed(1)} ms including get_tree`);
      assert.deepEqual(
        pids.map((pid) => {
          const result = results.get(pid);
          return result?.kind === 'found' ? result.workspace : result?.kind;
        }),
        ['1', '2', ...many.claudes.map(() => '3')],
      );
    });
  });
});

const serverWindows = [
  { conId: 1, title: '✳ Fix the   login page' },
  { conId: 2, title: '⠂ Write the release notes for version 2.0 of the command-line tool and its daemon' },
  { conId: 3, title: null },
  { conId: 4, title: 'zsh' },
];

test('windows of one terminal are told apart by the session title in their own (a spinner before it, spaces collapsed)', () => {
  assert.deepEqual(windowsTitled(serverWindows, 'Fix the login page').map((w) => w.conId), [1]);
  // A long title may be cut short in the terminal's: its start is enough.
  assert.deepEqual(windowsTitled(serverWindows, 'Write the release notes for version 2.0 of the command-line tool, its daemon and the bar').map((w) => w.conId), [2]);
});

test('no title, an empty one, or one no window shows: no window chosen', () => {
  for (const title of [undefined, '', '   ', 'Refactor the parser']) assert.deepEqual(windowsTitled(serverWindows, title), []);
  // A title every window shows tells nothing: both come back, and the caller refuses to guess.
  assert.equal(windowsTitled([{ title: 'a Fix b' }, { title: 'c Fix d' }], 'Fix').length, 2);
  // Whole words only: a short title is not found inside a longer word.
  assert.deepEqual(windowsTitled([{ title: '✳ Rapid prototype' }, { title: '✳ api' }, { title: 'zsh: api-v2 (review)' }], 'api').map((w) => w.title), ['✳ api', 'zsh: api-v2 (review)']);
  assert.deepEqual(windowsTitled([{ title: '✳ Fix (v2) [draft]' }], 'Fix (v2) [draft]').length, 1, 'punctuation in a title is text, not a pattern');
});
