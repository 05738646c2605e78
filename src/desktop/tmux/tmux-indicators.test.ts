import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { HOSTILE } from '../../../test/support/hostile-text.js';
import { cleanEnv, installFakeClaude, privateTmux, waitUntil, type PrivateTmux, withPrivateTmux } from '../../../test/support/private-tmux.js';
import { findProgram } from '../../../test/support/programs.js';
import { skippedWithout } from '../../../test/support/require-wm.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { TmuxIndicators, validIndicators, windowIndicator, type PaneIndicator } from './tmux-indicators.js';

test('a window shows the most pressing state of its panes, and unseen when one of them is', () => {
  assert.equal(windowIndicator([]), undefined);
  assert.deepEqual(windowIndicator([{ state: 'idle', unseen: false }]), { state: 'idle', unseen: false });
  assert.deepEqual(
    windowIndicator([
      { state: 'working', unseen: false },
      { state: 'needs_input', unseen: false },
      { state: 'idle', unseen: true },
    ]),
    { state: 'needs_input', unseen: true },
  );
  assert.deepEqual(windowIndicator([{ state: 'unknown', unseen: false }, { state: 'idle', unseen: false }]), { state: 'idle', unseen: false });
  assert.deepEqual(windowIndicator([{ state: 'working', unseen: false }, { state: 'idle', unseen: false }]), { state: 'working', unseen: false });
});

test('validIndicators keeps well-formed entries only, one per pane, in pane order', () => {
  const hostile = [
    { paneId: '%1; kill-server', state: 'working', unseen: false },
    { paneId: '%1;', state: 'working', unseen: false },
    { paneId: '-t', state: 'working', unseen: false },
    { paneId: '%2', state: '#[fg=red]needs_input', unseen: false },
    { paneId: '%2', state: 'working;', unseen: false },
    { paneId: '%2', state: HOSTILE, unseen: false },
    { paneId: '%2', state: 'idle', unseen: 'yes' },
  ] as unknown as PaneIndicator[];
  const left: string[] = [];
  const kept = validIndicators(
    [...hostile, { paneId: '%10', state: 'idle', unseen: false }, { paneId: '%3', state: 'working', unseen: true }, { paneId: '%3', state: 'idle', unseen: false }],
    (message) => left.push(message),
  );
  assert.deepEqual(kept, [
    { paneId: '%3', state: 'working', unseen: true },
    { paneId: '%10', state: 'idle', unseen: false },
  ]);
  assert.equal(left.length, hostile.length);
});

/** tmux through a wrapper that logs every run (one line each); pass `env` to whatever runs it. */
function countingTmux(dir: string): { path: string; env: NodeJS.ProcessEnv; runs(): string[] } {
  const log = join(dir, 'tmux-runs.log');
  writeFileSync(log, '');
  const path = join(dir, 'counting-tmux');
  writeFileSync(path, '#!/bin/sh\nprintf "%s\\n" "$*" >> "$TEST_RUNS"\nexec "$TEST_TMUX" "$@"\n');
  chmodSync(path, 0o755);
  const env = { ...cleanEnv(), TEST_RUNS: log, TEST_TMUX: findProgram('tmux') ?? 'tmux' };
  return { path, env, runs: () => readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

function withTmux(body: (server: PrivateTmux, dir: string) => Promise<void>): Promise<void> {
  return withPrivateTmux('vmux-tmux-indicators-', body);
}

/**
 * An option as `show-options -qv` reads it: undefined when not set on that pane or window itself
 * (no output at all), else its value and a newline, the empty value too.
 */
async function option(server: PrivateTmux, scope: '-p' | '-w', target: string, name: string): Promise<string | undefined> {
  const output = await server.tmux(['show-options', scope, '-qv', '-t', target, name]);
  return output === '' ? undefined : output.replace(/\n$/, '');
}

async function shown(server: PrivateTmux, scope: '-p' | '-w', target: string): Promise<string> {
  const prefix = scope === '-p' ? '@vmux_pane_' : '@vmux_';
  const state = await option(server, scope, target, `${prefix}state`);
  const unseen = await option(server, scope, target, `${prefix}unseen`);
  return `${state ?? '-'} ${unseen === undefined ? '-' : JSON.stringify(unseen)}`;
}

test('indicators are set on panes and windows, read back exactly, written only when they change, removed when a session goes', async (t) => {
  if (skippedWithout(t, 'tmux')) return;
  await withTmux(async (server, dir) => {
    const a = await server.newSession('a', { kind: 'idle' });
    const a2 = await server.splitWindow(a.paneId, { kind: 'idle' });
    const a3 = await server.splitWindow(a.paneId, { kind: 'idle' });
    const b = await server.newWindow(a.sessionId, { kind: 'idle' });
    const tmux = countingTmux(dir);
    const indicators = new TmuxIndicators(server.socketPath, { env: tmux.env, tmuxPath: tmux.path });

    const picture: PaneIndicator[] = [
      { paneId: a.paneId, state: 'working', unseen: false },
      { paneId: a2.paneId, state: 'needs_input', unseen: true },
      { paneId: b.paneId, state: 'idle', unseen: false },
    ];
    assert.deepEqual(await indicators.update(picture), { kind: 'written', commands: 10 });
    assert.equal(await shown(server, '-p', a.paneId), 'working ""');
    assert.equal(await shown(server, '-p', a2.paneId), 'needs_input "1"');
    assert.equal(await shown(server, '-p', a3.paneId), '- -', 'a pane without a session gets nothing');
    assert.equal(await shown(server, '-w', a.windowId), 'needs_input "1"');
    assert.equal(await shown(server, '-w', b.windowId), 'idle ""');
    // One listing and one run for all ten options.
    assert.equal(tmux.runs().length, 2);

    // The same picture, in another order, any number of times: tmux is not asked.
    for (let i = 0; i < 5; i++) assert.deepEqual(await indicators.update([...picture].reverse()), { kind: 'unchanged' });
    assert.equal(tmux.runs().length, 2);

    // One pane changes: its options and its window's, nothing else.
    const seen = picture.map((pane) => (pane.paneId === a2.paneId ? { ...pane, unseen: false } : pane));
    assert.deepEqual(await indicators.update(seen), { kind: 'written', commands: 4 });
    assert.equal(await shown(server, '-p', a2.paneId), 'needs_input ""');
    assert.equal(await shown(server, '-w', a.windowId), 'needs_input ""');
    assert.match(tmux.runs().at(-1) ?? '', /^-u -S \S+ set-option -p -t %[0-9]+ @vmux_pane_state needs_input ; set-option -p -t %[0-9]+ @vmux_pane_unseen {2};/);

    // A session ends: its pane loses its options; a window left without a session loses its own.
    assert.deepEqual(await indicators.update(seen.filter((pane) => pane.paneId !== b.paneId && pane.paneId !== a2.paneId)), { kind: 'written', commands: 8 });
    assert.equal(await shown(server, '-p', a2.paneId), '- -');
    assert.equal(await shown(server, '-p', b.paneId), '- -');
    assert.equal(await shown(server, '-w', b.windowId), '- -');
    assert.equal(await shown(server, '-w', a.windowId), 'working ""');

    // Panes that closed are forgotten; the rest is cleared on the way out.
    await server.tmux(['kill-pane', '-t', a.paneId]);
    assert.deepEqual(await indicators.update([{ paneId: a3.paneId, state: 'idle', unseen: true }]), { kind: 'written', commands: 4 });
    assert.deepEqual(await indicators.clear(), { kind: 'written', commands: 4 });
    assert.equal(await shown(server, '-p', a3.paneId), '- -');
    assert.equal(await shown(server, '-w', a.windowId), '- -');
  });
});

test('what an earlier vmuxd left is removed; hostile entries never reach tmux; a gone server is said so', async (t) => {
  if (skippedWithout(t, 'tmux')) return;
  await withTmux(async (server, dir) => {
    const a = await server.newSession('a', { kind: 'idle' });
    const b = await server.newWindow(a.sessionId, { kind: 'idle' });
    const earlier = new TmuxIndicators(server.socketPath, { env: cleanEnv() });
    await earlier.update([
      { paneId: a.paneId, state: 'needs_input', unseen: true },
      { paneId: b.paneId, state: 'working', unseen: false },
    ]);

    const tmux = countingTmux(dir);
    const later = new TmuxIndicators(server.socketPath, { env: tmux.env, tmuxPath: tmux.path, log: () => undefined });
    const hostile = [
      { paneId: `${b.paneId}; kill-server`, state: 'idle', unseen: false },
      { paneId: b.paneId, state: '#[fg=red]#(touch pwned)', unseen: false },
      { paneId: b.paneId, state: 'working ;', unseen: false },
    ] as unknown as PaneIndicator[];
    const outcome = await later.update([...hostile, { paneId: a.paneId, state: 'idle', unseen: false }]);
    assert.equal(outcome.kind, 'written');
    assert.equal(await shown(server, '-p', a.paneId), 'idle ""');
    assert.equal(await shown(server, '-w', a.windowId), 'idle ""');
    assert.equal(await shown(server, '-p', b.paneId), '- -', 'left by the earlier run, and not in the picture: removed');
    assert.equal(await shown(server, '-w', b.windowId), '- -');
    for (const run of tmux.runs()) assert.doesNotMatch(run, /kill-server|#\[|touch/);

    await server.close();
    assert.deepEqual(await later.update([{ paneId: a.paneId, state: 'working', unseen: false }]), { kind: 'server-gone' });
  });
});

test('the README snippet shows the indicator in a real status line', async (t) => {
  if (skippedWithout(t, 'tmux')) return;
  const outerDir = tempDir('vmux-tmux-outer-');
  const outer = privateTmux(outerDir, installFakeClaude(outerDir));
  try {
    await withTmux(async (inner) => {
      const a = await inner.newSession('inner', { kind: 'idle' });
      const b = await inner.newWindow(a.sessionId, { kind: 'idle' });
      // The README's line, as a user pastes it into ~/.tmux.conf.
      const readme = readFileSync(fileURLToPath(new URL('../../../../README.md', import.meta.url)), 'utf8');
      const snippet = readme.split('\n').find((line) => line.startsWith('set -ag window-status-format '));
      assert.ok(snippet !== undefined, 'the README has the tmux snippet');
      const conf = join(outerDir, 'tmux.conf');
      writeFileSync(conf, `${snippet}\n`);
      await inner.tmux(['source-file', conf]);
      assert.match((await inner.tmux(['show-options', '-gv', 'window-status-current-format'])).trimEnd(), /#\{\?@vmux_unseen, ●,\}$/);
      // The inner server's client runs in a pane of the outer server, whose screen can be read.
      const tmux = findProgram('tmux') ?? 'tmux';
      const { paneId } = await outer.newSession('outer', { kind: 'idle' });
      await outer.tmux(['respawn-pane', '-k', '-t', paneId, '--', 'env', '-u', 'TMUX', '-u', 'TMUX_PANE', tmux, '-u', '-S', inner.socketPath, 'attach', '-t', a.sessionId]);
      const statusLine = async () => (await outer.tmux(['capture-pane', '-p', '-t', paneId])).trimEnd().split('\n').at(-1) ?? '';
      await waitUntil(async () => /\[inner\]/.test(await statusLine()), 'the inner status line');

      const indicators = new TmuxIndicators(inner.socketPath, { env: cleanEnv() });
      await indicators.update([{ paneId: b.paneId, state: 'needs_input', unseen: true }]);
      await waitUntil(async () => / 1:\S*\s+●/.test(await statusLine()), 'the unseen dot on window 1');
      assert.doesNotMatch(await statusLine(), / 0:\S*\s+●/);
      await indicators.update([{ paneId: b.paneId, state: 'needs_input', unseen: false }]);
      await waitUntil(async () => !(await statusLine()).includes('●'), 'the dot gone once seen');

      // The README's state icon, in place of the window's flags.
      const icon = /A state icon instead: `([^`]+)`/.exec(readme)?.[1];
      assert.ok(icon !== undefined, 'the README has the state icon format');
      await inner.tmux(['set-option', '-g', 'window-status-format', `#I${icon}`]);
      await inner.tmux(['set-option', '-g', 'window-status-current-format', `#I${icon}`]);
      await waitUntil(async () => / 0 1 \?/.test(await statusLine()), 'the question mark on window 1');
      await indicators.update([{ paneId: b.paneId, state: 'working', unseen: false }]);
      await waitUntil(async () => / 0 1 …/.test(await statusLine()), 'the ellipsis on window 1');
    });
  } finally {
    await outer.close();
  }
});
