import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FreedesktopNotifications } from '../desktop/notifications/freedesktop-notifications.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { pollFor } from '../../test/support/i3-xvfb.js';
import { startDunst, startSessionBus } from '../../test/support/notification-server.js';
import { skippedWithout } from '../../test/support/require-wm.js';
import { Notifier } from './notifier.js';
import { sessionInfo } from '../../test/support/session-info.js';

const session = sessionInfo;

test('the policy on a real notification server: one notification per transition, the click switches, seeing it closes it', async (t) => {
  if (skippedWithout(t, 'notification server')) return;
  const bus = await startSessionBus();
  t.after(() => bus.stop());
  const server = await startDunst(bus);
  t.after(() => server.stop());
  const activated: string[] = [];
  const notifier = new Notifier(new FreedesktopNotifications({ env: () => bus.env }), { onActivate: (sessionId) => activated.push(sessionId) });
  t.after(() => notifier.close());
  const feed = async (...sessions: SessionInfo[]): Promise<void> => {
    notifier.update(sessions);
    await notifier.idle();
  };

  await feed(session(1, { label: 'billing' }), session(2), session(3), session(4));
  const waiting = session(1, {
    label: 'billing',
    state: 'needs_input',
    reason: 'waiting for permission: Bash',
    preview: 'Bash: npm run migrate',
    waiting_since: '2026-11-30T10:00:00.000Z',
    unseen: true,
  });
  for (let poll = 0; poll < 3; poll++) await feed(waiting, session(2), session(3), session(4));
  const [shown] = await server.waitForShown(1);
  assert.deepEqual(
    { summary: shown?.summary, body: shown?.body, urgency: shown?.urgency, actions: shown?.actions },
    { summary: 'billing', body: 'wants to run Bash: npm run migrate', urgency: 'CRITICAL', actions: { default: 'Switch to this session' } },
  );
  assert.equal(notifier.problem, undefined);

  await server.click();
  await pollFor(() => (activated.length > 0 ? true : undefined), 'the click to reach the policy');
  assert.deepEqual(activated, ['session-1']);

  // The switch made the session focused and seen: its notification goes.
  await feed({ ...waiting, unseen: false, focused: true }, session(2), session(3), session(4));
  await server.waitForDisplayed(0);

  // Three turns ending at once: one notification naming them all, a finished turn's urgency.
  const ended = (pid: number): SessionInfo =>
    session(pid, { state: 'needs_input', reason: 'turn ended 1 s ago', preview: `Done with part ${pid}.`, waiting_since: '2026-11-30T10:01:00.000Z', unseen: true });
  await feed({ ...waiting, unseen: false, focused: true }, ended(2), ended(3), ended(4));
  const printed = await server.waitForShown(2);
  assert.equal(printed.length, 2, 'one notification for the burst');
  assert.deepEqual(
    { summary: printed[1]?.summary, body: printed[1]?.body.split('\n'), urgency: printed[1]?.urgency },
    {
      summary: '3 sessions need you',
      body: ['project-2 (main): finished: Done with part 2.', 'project-3 (main): finished: Done with part 3.', 'project-4 (main): finished: Done with part 4.'],
      urgency: 'LOW',
    },
  );
  await server.waitForDisplayed(1);
  await notifier.close();
  await server.waitForDisplayed(0);
});
