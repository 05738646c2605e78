import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NotificationsUnavailableError } from '../../errors.js';
import { cleanEnv, installFakeClaude, privateTmux, waitUntil, type PrivateTmux } from '../../../test/support/private-tmux.js';
import { skippedWithout } from '../../../test/support/require-wm.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import type { Notification } from './notification-sink.js';
import { TmuxNotifications, tmuxMessageText } from './tmux-notifications.js';

const options = { env: cleanEnv() };

/** The messages tmux displayed on the client on `tty`, oldest first, from its message log. */
async function messagesOn(server: PrivateTmux, tty: string): Promise<string[]> {
  const marker = `${tty} message: `;
  return (await server.tmux(['show-messages']))
    .split('\n')
    .filter((line) => line.includes(marker))
    .map((line) => line.slice(line.indexOf(marker) + marker.length));
}

test('the line shown: one line, control sequences gone, every # doubled so that tmux shows it and runs nothing', () => {
  assert.equal(
    tmuxMessageText({ title: 'api (fix-auth)', body: 'wants to run Bash: echo #{pane_id} #(id)' }),
    'vmux: api (fix-auth) — wants to run Bash: echo ##{pane_id} ##(id)',
  );
  assert.equal(
    tmuxMessageText({ title: '3 sessions need you', body: 'a: asks you a question\nb: finished: \u001b[31mok\u001b[0m\n' }),
    'vmux: 3 sessions need you — a: asks you a question · b: finished: ok',
  );
  assert.equal(tmuxMessageText({ title: 'x\u202e#[fg=red]', body: '' }), 'vmux: x##[fg=red]');
});

test('shown literally on every client attached to the session\'s tmux server, never expanded or run', async (t) => {
  if (skippedWithout(t, 'tmux client')) return;
  const dir = tempDir('vmux-tmux-notify-');
  const server = privateTmux(dir, installFakeClaude(dir));
  const work = await server.newSession('work', { kind: 'claude' });
  const other = await server.newSession('other', { kind: 'idle' });
  const pid = await server.claudeIn(work.paneId);
  const first = await server.attach(work.sessionId);
  const second = await server.attach(other.sessionId);

  const ran = join(dir, 'ran');
  const notification: Notification = {
    title: 'api #{session_name}',
    body: `wants to run Bash: touch #(touch ${ran}) #[fg=red]red`,
    urgency: 'critical',
    actionLabel: 'Switch to this session',
    sessions: [{ sessionId: 's-1', pid }],
  };
  const sink = new TmuxNotifications(options);
  const id = await sink.show(notification);
  // The log holds the text after format expansion and before the status line reads styles, where
  // `##[` is what shows `#[` (tmux keeps it doubled for that step): the screen shows the text as sent.
  const expected = `vmux: api #{session_name} — wants to run Bash: touch #(touch ${ran}) ##[fg=red]red`;
  for (const client of [first, second]) {
    await waitUntil(async () => (await messagesOn(server, client.tty)).includes(expected), `the message on ${client.tty}`);
  }
  assert.equal(existsSync(ran), false, 'a #() in outside text ran a command');

  // Replacing shows the new line; closing takes it away, and a second close does nothing.
  const next = await sink.show({ ...notification, title: 'api', body: 'finished: done', urgency: 'low' }, id);
  assert.notEqual(next, id);
  await waitUntil(async () => (await messagesOn(server, first.tty)).includes('vmux: api — finished: done'), 'the replacement');
  await sink.close(next);
  await sink.close(next);
  await sink.dispose();
});

test('a session outside tmux, or whose tmux server is gone: one clear line, nothing thrown', async (t) => {
  if (skippedWithout(t, 'tmux')) return;
  const dir = tempDir('vmux-tmux-notify-gone-');
  const env = cleanEnv();
  const outside = spawn('sleep', ['30'], { env, stdio: 'ignore' });
  t.after(() => outside.kill());
  const sink = new TmuxNotifications(options);
  const about = (pid: number): Notification => ({ title: 'api', body: 'asks you a question', urgency: 'critical', actionLabel: 'Go', sessions: [{ sessionId: 's', pid }] });
  await assert.rejects(sink.show(about(outside.pid ?? -1)), (error: unknown) => {
    assert.ok(error instanceof NotificationsUnavailableError);
    assert.equal(error.reason, 'no-server');
    assert.match(error.message, /does not run in tmux/);
    return true;
  });

  // A process whose environment names a tmux server that is not there (any more).
  const orphan = spawn('sleep', ['30'], { env: { ...env, TMUX: `${join(dir, 'gone.sock')},4242,0`, TMUX_PANE: '%3' }, stdio: 'ignore' });
  t.after(() => orphan.kill());
  const pid = orphan.pid ?? -1;
  await assert.rejects(sink.show(about(pid)), (error: unknown) => {
    assert.ok(error instanceof NotificationsUnavailableError);
    assert.equal(error.reason, 'server-failed');
    assert.equal(error.message.includes('\n'), false);
    assert.match(error.message, /^Could not show a message in tmux: /);
    return true;
  });
});
