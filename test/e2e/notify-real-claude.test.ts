import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SessionInfo } from '../../src/protocol/session-info.js';
import { clientOrSkip, REFERENCE_VERSION } from '../support/claude-clients.js';
import { pollUntil, startClaudeInTmux, TMUX } from '../support/claude-in-tmux.js';
import { RUN_BASH, startFakeAnthropicApi } from '../support/fake-anthropic-api.js';
import { fixtureClaude, startI3UnderXvfb } from '../support/i3-xvfb.js';
import { startDunst, startSessionBus } from '../support/notification-server.js';
import { skippedWithout } from '../support/require-wm.js';
import { startVmuxd } from '../support/vmuxd-process.js';

/**
 * `vmuxd --notify` with the real Claude Code: the reference client runs in tmux, shown by an xterm
 * on workspace 3 of a real i3, with dunst on a private session bus. What the user gets:
 * - a turn that ends while they look at another window: exactly one notification, titled with the
 *   session's label, saying what Claude answered, at low urgency;
 * - a click on it: i3 focuses the session's terminal, and vmuxd no longer lists it unseen;
 * - a turn that ends while the session is in front of them: no notification;
 * - a permission prompt while they look elsewhere: one notification saying what Claude wants to
 *   run, at critical urgency (a blocked session is more urgent than a finished one). dunst
 *   prints a notification again when it is replaced in place: notifications are counted by id.
 */

const LABEL = 'billing';

test('vmuxd --notify with the real Claude Code under i3: one notification per wait elsewhere, none in front of you, the click goes there', { timeout: 10 * 60_000 }, async (t) => {
  if (skippedWithout(t, 'i3', 'tmux', 'notification server')) return;
  const client = await clientOrSkip(t, REFERENCE_VERSION);
  if (!client) return;
  const api = await startFakeAnthropicApi();
  t.after(() => api.close());
  // 2.1.332 asks for permission only in default mode.
  const claude = await startClaudeInTmux({ api, client, args: ['--permission-mode', 'default'] });
  t.after(() => claude.stop());
  const harness = await startI3UnderXvfb();
  t.after(() => harness.stop());
  const bus = await startSessionBus();
  t.after(() => bus.stop());
  const dunst = await startDunst(bus);
  t.after(() => dunst.stop());
  const vmuxHome = mkdtempSync(join(tmpdir(), 'vmux-notify-e2e-'));
  t.after(() => rmSync(vmuxHome, { recursive: true, force: true }));

  const shown = await harness.openTerminal({ workspace: '3', command: [TMUX, '-L', claude.socketName, 'attach'] });
  const elsewhere = await harness.openTerminal({ workspace: '1', command: [fixtureClaude(harness), '600'] });
  const vmuxd = await startVmuxd({
    home: join(vmuxHome, 'home'),
    claudeDir: claude.claudeDir,
    userHome: claude.home,
    pollSeconds: 1,
    extraArgs: ['--notify', 'desktop'],
    env: { ...harness.env, ...bus.env },
  });
  t.after(() => vmuxd.stop());

  let last: SessionInfo | undefined;
  const session = async (condition: (s: SessionInfo) => boolean, what: string): Promise<SessionInfo> => {
    await pollUntil(
      async () => {
        const response = await vmuxd.request({ action: 'list' });
        last = (response['sessions'] as SessionInfo[] | undefined)?.find((s) => s.pid === claude.pid);
        return last !== undefined && condition(last);
      },
      `vmuxd: ${what}`,
      25_000,
      () => `last listed: ${JSON.stringify(last)}\nvmuxd stderr: ${vmuxd.stderr()}`,
      100,
    );
    assert.ok(last);
    return last;
  };

  try {
    const listed = await session((s) => s.workspace === '3', 'the session on workspace 3');
    const labelled = await vmuxd.request({ action: 'label', args: { session_id: listed.session_id, label: LABEL } });
    assert.equal(labelled['ok'], true, JSON.stringify(labelled));
    const status = (await vmuxd.request({ action: 'status' }))['status'] as { signals?: Record<string, string> } | undefined;
    assert.equal(status?.signals?.['notifications'], 'desktop');

    // 1. A turn ends while the user looks at another window.
    await harness.command(`[con_id=${elsewhere.conId}] focus`);
    await session((s) => !s.focused, 'not in front of the user');
    await claude.send('hello while you look elsewhere');
    await claude.waitForScreen('Answer: hello while you look elsewhere');
    await session((s) => s.state === 'needs_input' && s.unseen, 'needs_input and unseen');
    const [finished] = await dunst.waitForShown(1, 10_000);
    assert.deepEqual(
      { summary: finished?.summary, urgency: finished?.urgency, actions: finished?.actions },
      { summary: LABEL, urgency: 'LOW', actions: { default: 'Switch to this session' } },
    );
    assert.match(finished?.body ?? '', /^finished: Answer: hello while you look elsewhere/);

    // 2. The click takes the user there: i3 focuses the terminal that shows the session's pane.
    await dunst.click();
    await pollUntil(async () => (await harness.focusedConId()) === shown.conId, 'i3 to focus the session\'s terminal', 10_000);
    await session((s) => s.focused && !s.unseen, 'focused and no longer unseen after the click');
    await dunst.waitForDisplayed(0);

    // 3. A turn that ends while the session is in front of the user is not announced.
    await claude.send('hello while you watch');
    await claude.waitForScreen('Answer: hello while you watch');
    await session((s) => s.state === 'needs_input' && s.focused && !s.unseen && s.preview.includes('hello while you watch'), 'needs_input in front of the user, seen');

    // 4. A permission prompt while the user looks elsewhere: critical.
    await harness.command(`[con_id=${elsewhere.conId}] focus`);
    await session((s) => !s.focused, 'not in front of the user again');
    await claude.send(`${RUN_BASH} git init -q notify-repo`);
    await claude.waitForScreen('Do you want to proceed?');
    await session((s) => s.state === 'needs_input' && s.reason === 'waiting for permission: Bash' && s.unseen, 'waiting for permission, unseen');
    // The client says it waits a moment before its transcript names the call: the notification
    // may first say "asks for permission", then be replaced in place by what it wants to run.
    const wants = 'wants to run Bash: git init -q notify-repo';
    await pollUntil(() => dunst.shown().some((n) => n.body === wants), 'the notification to say what Claude wants to run', 10_000, () => JSON.stringify(dunst.shown()));
    const prompt = dunst.shown().find((n) => n.body === wants);
    assert.deepEqual({ summary: prompt?.summary, urgency: prompt?.urgency }, { summary: LABEL, urgency: 'CRITICAL' });
    assert.notEqual(prompt?.id, finished?.id);
    // The turn that ended in front of the user came between the two: it gave none.
    const notifications = () => new Set(dunst.shown().map((n) => n.id)).size;
    assert.equal(notifications(), 2, `two notifications in all: ${JSON.stringify(dunst.shown())}`);

    // Answering the prompt where it waits closes its notification.
    await dunst.click();
    await session((s) => s.focused && !s.unseen, 'focused after the second click');
    await dunst.waitForDisplayed(0);
    assert.equal(notifications(), 2, 'no notification was repeated by a later poll');
    assert.doesNotMatch(vmuxd.stderr(), /notifications: (?!shown)/, 'vmuxd reported no notification problem');
  } catch (error) {
    const screen = await claude.screen().catch(() => '(no screen)');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\nvmuxd stderr:\n${vmuxd.stderr()}\nscreen:\n${screen}`, { cause: error });
  }
});
