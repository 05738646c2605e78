import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SessionInfo } from '../../src/protocol/session-info.js';
import { clientOrSkip, REFERENCE_VERSION } from '../support/claude-clients.js';
import { pollUntil, startClaudeInTmux, TMUX } from '../support/claude-in-tmux.js';
import { startFakeAnthropicApi } from '../support/fake-anthropic-api.js';
import { fixtureClaude, startI3UnderXvfb } from '../support/i3-xvfb.js';
import { skippedWithout } from '../support/require-wm.js';
import { runVmux } from '../support/run-vmux.js';

/**
 * The whole promise once, for real: the real Claude Code runs in tmux, a tmux client shows it in
 * an xterm on workspace 3 of a real i3, the user is elsewhere; `vmux list` says the session waits
 * for them on workspace 3, and `vmux switch` takes them there.
 */

test('real Claude Code in tmux under i3: listed as waiting on its workspace, and switch goes there', { timeout: 10 * 60_000 }, async (t) => {
  if (skippedWithout(t, 'i3', 'tmux')) return;
  // The reference client (installed on demand, once: the timeout covers that install).
  const client = await clientOrSkip(t, REFERENCE_VERSION);
  if (!client) return;
  const api = await startFakeAnthropicApi();
  const claude = await startClaudeInTmux({ api, client });
  const harness = await startI3UnderXvfb();
  const vmuxHome = mkdtempSync(join(tmpdir(), 'vmux-tmux-i3-'));
  try {
    await claude.send('hello from tmux under i3');
    await claude.waitForScreen('Answer: hello from tmux under i3');
    const shown = await harness.openTerminal({ workspace: '3', command: [TMUX, '-L', claude.socketName, 'attach'] });
    const elsewhere = await harness.openTerminal({ workspace: '1', command: [fixtureClaude(harness), '600'] });
    assert.equal(await harness.focusedConId(), elsewhere.conId);
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', VMUX_HOME: vmuxHome, ...claude.env, ...harness.env };

    let mine: SessionInfo | undefined;
    await pollUntil(
      async () => {
        const listed = await runVmux(['list', '--json'], env);
        assert.equal(listed.code, 0, listed.stderr);
        mine = (JSON.parse(listed.stdout) as SessionInfo[]).find((s) => s.pid === claude.pid);
        return mine?.state === 'needs_input' && mine.workspace === '3';
      },
      'vmux list: needs_input on workspace 3',
      20_000,
      () => JSON.stringify(mine),
      200,
    );
    assert.match(mine?.preview ?? '', /Answer: hello from tmux under i3/);

    const switched = await runVmux(['switch', String(claude.pid)], env);
    assert.equal(switched.code, 0, switched.stderr);
    assert.match(switched.stdout, /workspace 3, in its tmux pane/);
    assert.equal(await harness.focusedConId(), shown.conId);
  } finally {
    await harness.stop();
    await claude.stop();
    await api.close();
    rmSync(vmuxHome, { recursive: true, force: true });
  }
});
