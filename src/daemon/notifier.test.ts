import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Notification, NotificationSink, SinkEvent } from '../desktop/notifications/notification-sink.js';
import type { SessionInfo } from '../protocol/session-info.js';
import type { Logger } from './logger.js';
import { describeWait, sessionTitle } from './notification-text.js';
import { BURST_MS, Notifier } from './notifier.js';
import { sessionInfo } from '../../test/support/session-info.js';

/** A sink that records what the policy asks of it, and can be told to fail or to send events. */
class RecordingSink implements NotificationSink {
  readonly kind = 'desktop';
  readonly calls: Array<{ op: 'show'; id: number; replaces: number | undefined; notification: Notification } | { op: 'close'; id: number }> = [];
  failWith: Error | undefined;
  disposed = false;
  #nextId = 1;
  #listener: (event: SinkEvent) => void = () => {};

  listen(listener: (event: SinkEvent) => void): void {
    this.#listener = listener;
  }

  async show(notification: Notification, replaces?: number): Promise<number> {
    if (this.failWith) throw this.failWith;
    // Like a freedesktop server: a replacement keeps its id.
    const id = replaces ?? this.#nextId++;
    this.calls.push({ op: 'show', id, replaces, notification });
    return id;
  }

  async close(id: number): Promise<void> {
    this.calls.push({ op: 'close', id });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  emit(event: SinkEvent): void {
    this.#listener(event);
  }

  shows(): Notification[] {
    return this.calls.flatMap((call) => (call.op === 'show' ? [call.notification] : []));
  }

  clear(): void {
    this.calls.length = 0;
  }
}

const session = sessionInfo;

const finished = (pid: number, fields: Partial<SessionInfo> = {}): SessionInfo =>
  session(pid, { state: 'needs_input', reason: 'turn ended 5 s ago', preview: 'Done: all tests pass.', waiting_since: '2026-11-30T10:00:00.000Z', unseen: true, ...fields });

const permission = (pid: number, fields: Partial<SessionInfo> = {}): SessionInfo =>
  session(pid, { state: 'needs_input', reason: 'waiting for permission: Bash', preview: 'Bash: npm run migrate', waiting_since: '2026-11-30T10:00:00.000Z', unseen: true, ...fields });

function setUp(options: { onActivate?: (sessionId: string) => void } = {}) {
  const sink = new RecordingSink();
  let clock = 1_000_000;
  const warnings: string[] = [];
  const logger: Logger = { info: () => {}, warn: (message) => warnings.push(message), debug: () => {} };
  const notifier = new Notifier(sink, { now: () => clock, logger, ...(options.onActivate ? { onActivate: options.onActivate } : {}) });
  return {
    sink,
    notifier,
    warnings,
    advance: (ms: number) => {
      clock += ms;
    },
    /** Feeds a list and waits until the sink has been called for it. */
    async feed(...sessions: SessionInfo[]) {
      notifier.update(sessions);
      await notifier.idle();
    },
  };
}

describe('what a notification says', () => {
  test('the reason in the user\'s words, and an urgency that tells a blocked session from a finished one', () => {
    const cases: Array<[Pick<SessionInfo, 'reason' | 'preview'>, string, string]> = [
      [{ reason: 'waiting for permission: Bash', preview: 'Bash: npm run migrate' }, 'wants to run Bash: npm run migrate', 'critical'],
      [{ reason: 'waiting for permission: Edit', preview: 'Edit: src/app.ts' }, 'wants to use Edit: src/app.ts', 'critical'],
      [{ reason: 'waiting for permission: WebFetch', preview: 'Claude said something else' }, 'wants to use WebFetch', 'critical'],
      [{ reason: 'waiting for permission', preview: '' }, 'asks for permission', 'critical'],
      [{ reason: 'question for you', preview: 'AskUserQuestion' }, 'asks you a question', 'critical'],
      [{ reason: 'waiting for your answer', preview: '' }, 'asks you a question', 'critical'],
      [{ reason: 'plan waiting for approval', preview: 'ExitPlanMode' }, 'asks you to approve a plan', 'critical'],
      [{ reason: 'a dialog waits for you', preview: '' }, 'waits for you in a dialog', 'critical'],
      [{ reason: 'asks whether to trust this folder', preview: '' }, 'asks whether to trust this folder', 'critical'],
      [{ reason: 'stopped on an API error 1 min ago', preview: '' }, 'stopped on an API error', 'normal'],
      [{ reason: 'turn ended 2 min ago', preview: 'Done. The migration ran.' }, 'finished: Done. The migration ran.', 'low'],
      [{ reason: 'turn ended', preview: '' }, 'finished its turn', 'low'],
      [{ reason: 'conversation compacted 5 s ago', preview: 'Summary ready' }, 'finished: Summary ready', 'low'],
      [{ reason: 'resumed 8 s ago', preview: 'Where were we?' }, 'finished: Where were we?', 'low'],
      [
        { reason: 'turn ended 1 min ago · 1 background shell running', preview: 'The dev server keeps running.' },
        'finished: The dev server keeps running. · 1 background shell running',
        'low',
      ],
    ];
    for (const [fields, phrase, urgency] of cases) {
      const wait = describeWait(fields);
      assert.equal(wait.phrase, phrase, fields.reason);
      assert.equal(wait.urgency, urgency, fields.reason);
    }
  });

  test('titled with the label, else the folder and branch; outside text is one clean line', () => {
    assert.equal(sessionTitle({ pid: 1, cwd: '/home/me/api', git_branch: 'fix-auth', label: 'billing' }), 'billing');
    assert.equal(sessionTitle({ pid: 1, cwd: '/home/me/api', git_branch: 'fix-auth' }), 'api (fix-auth)');
    assert.equal(sessionTitle({ pid: 1, cwd: '/home/me/api', git_branch: '' }), 'api');
    assert.equal(sessionTitle({ pid: 7, cwd: '', git_branch: '' }), 'pid 7');
    assert.equal(sessionTitle({ pid: 1, cwd: '/x/\u001b]0;pwned\u0007evil\nname', git_branch: 'b\u202eranch' }), 'evil name (branch)');
    assert.equal(describeWait({ reason: 'turn ended', preview: 'a\u001b[31mred\u001b[0m\ttab' }).phrase, 'finished: ared tab');
  });
});

describe('when vmuxd notifies', () => {
  test('exactly once per transition into needs_input, never for a list that merely repeats', async () => {
    const { sink, feed } = setUp();
    await feed(session(1), session(2));
    assert.equal(sink.calls.length, 0, 'working sessions');
    await feed(permission(1), session(2));
    assert.equal(sink.calls.length, 1);
    assert.deepEqual(sink.shows()[0], {
      title: 'project-1 (main)',
      body: 'wants to run Bash: npm run migrate',
      urgency: 'critical',
      actionLabel: 'Switch to this session',
      sessions: [{ sessionId: 'session-1', pid: 1 }],
    });
    for (let poll = 0; poll < 5; poll++) await feed(permission(1, { reason: 'waiting for permission: Bash' }), session(2));
    await feed(permission(1), session(2, { reason: 'thinking' }));
    assert.equal(sink.calls.length, 1, 'polls and rescans with the same wait show nothing new');
  });

  test('what already waits when vmuxd starts is not a transition it saw', async () => {
    const { sink, feed } = setUp();
    await feed(finished(1), permission(2));
    await feed(finished(1, { reason: 'turn ended 10 s ago' }), permission(2));
    assert.equal(sink.calls.length, 0);
  });

  test('a session that waits again after working is told of again, replacing nothing that was closed', async () => {
    const { sink, feed } = setUp();
    await feed(session(1));
    await feed(permission(1));
    await feed(session(1, { reason: 'running tool: Bash' }));
    await feed(finished(1, { waiting_since: '2026-11-30T10:05:00.000Z' }));
    assert.deepEqual(
      sink.calls.map((call) => call.op),
      ['show', 'close', 'show'],
    );
    const last = sink.calls[2];
    assert.ok(last?.op === 'show');
    assert.equal(last.replaces, undefined);
    assert.equal(last.notification.urgency, 'low');
    assert.equal(last.notification.body, 'finished: Done: all tests pass.');
  });

  test('a new wait that vmuxd saw without the work between (a second permission prompt) is a transition; the age of a finished turn is not', async () => {
    const { sink, feed } = setUp();
    await feed(session(1));
    await feed(permission(1));
    await feed(permission(1, { preview: 'Bash: npm test', waiting_since: '2026-11-30T10:00:09.000Z' }));
    assert.deepEqual(
      sink.calls.map((call) => [call.op, call.op === 'show' ? call.notification.body : '']),
      [
        ['show', 'wants to run Bash: npm run migrate'],
        ['close', ''],
        ['show', 'wants to run Bash: npm test'],
      ],
    );
    sink.clear();
    await feed(permission(1, { preview: 'Bash: npm test', waiting_since: '2026-11-30T10:00:09.500Z' }));
    assert.equal(sink.calls.length, 0, 'a status file rewritten: a later waiting_since, the same request');
  });

  test('a session that appears already waiting (a new process) is a transition', async () => {
    const { sink, feed } = setUp();
    await feed(session(1));
    await feed(session(1), session(2, { state: 'needs_input', reason: 'asks whether to trust this folder', unseen: true }));
    assert.equal(sink.shows()[0]?.body, 'asks whether to trust this folder');
  });
});

test('a wait told more exactly a moment later (the tool, after the status) replaces its notification\'s text in place', async () => {
  const { sink, feed } = setUp();
  await feed(session(1));
  // 2.1.332 says "waiting" ~100 ms before the transcript names the call.
  await feed(permission(1, { reason: 'waiting for permission', preview: 'run the migration' }));
  await feed(permission(1));
  await feed(permission(1));
  assert.deepEqual(
    sink.calls.map((call) => (call.op === 'show' ? [call.op, call.id, call.replaces, call.notification.body] : [call.op, call.id])),
    [
      ['show', 1, undefined, 'asks for permission'],
      ['show', 1, 1, 'wants to run Bash: npm run migrate'],
    ],
  );
});

describe('focus and attention', () => {
  test('suppressed while the session is focused, and not shown later for that same wait', async () => {
    const { sink, feed } = setUp();
    await feed(session(1, { focused: true }));
    await feed(permission(1, { focused: true, unseen: false }));
    await feed(permission(1, { focused: false, unseen: false }));
    assert.equal(sink.calls.length, 0);
  });

  test('closed when the session is seen, when it gets focus, when it leaves needs_input, when its process ends', async () => {
    for (const [what, next] of [
      ['seen', [permission(1, { unseen: false })]],
      ['focused', [permission(1, { focused: true })]],
      ['working again', [session(1)]],
      ['idle', [session(1, { state: 'idle', reason: 'interrupted by user' })]],
      ['gone', []],
    ] as const) {
      const { sink, feed } = setUp();
      await feed(session(1));
      await feed(permission(1));
      await feed(...next);
      assert.deepEqual(sink.calls.map((call) => [call.op, call.id]), [['show', 1], ['close', 1]], what);
    }
  });

  test('without attention tracking (unseen never set) a notification stays until the session leaves needs_input', async () => {
    const { sink, feed } = setUp();
    await feed(session(1));
    await feed(permission(1, { unseen: false }));
    await feed(permission(1, { unseen: false }));
    assert.deepEqual(sink.calls.map((call) => call.op), ['show']);
  });
});

describe('bursts', () => {
  test('transitions within a second join the notification that opened the burst: one popup naming them all, most urgent first', async () => {
    const { sink, feed, advance } = setUp();
    await feed(session(1), session(2), session(3));
    await feed(finished(1), session(2), session(3));
    advance(300);
    await feed(finished(1), permission(2, { label: 'billing' }), session(3));
    advance(300);
    await feed(finished(1), permission(2, { label: 'billing' }), finished(3));
    const shows = sink.calls.filter((call) => call.op === 'show');
    assert.deepEqual(
      shows.map((call) => [call.id, call.replaces]),
      [
        [1, undefined],
        [1, 1],
        [1, 1],
      ],
      'shown at once, then replaced in place',
    );
    assert.deepEqual(sink.shows().at(-1), {
      title: '3 sessions need you',
      body: ['billing: wants to run Bash: npm run migrate', 'project-1 (main): finished: Done: all tests pass.', 'project-3 (main): finished: Done: all tests pass.'].join('\n'),
      urgency: 'critical',
      actionLabel: 'Switch to billing',
      sessions: [
        { sessionId: 'session-2', pid: 2 },
        { sessionId: 'session-1', pid: 1 },
        { sessionId: 'session-3', pid: 3 },
      ],
    });
  });

  test('five sessions finishing in one list are one notification; later ones open a new one', async () => {
    const { sink, feed, advance } = setUp();
    const pids = [1, 2, 3, 4, 5];
    await feed(...pids.map((pid) => session(pid)), session(6));
    await feed(...pids.map((pid) => finished(pid)), session(6));
    assert.equal(sink.calls.length, 1);
    assert.equal(sink.shows()[0]?.title, '5 sessions need you');
    assert.equal(sink.shows()[0]?.body.split('\n').length, 5);
    advance(BURST_MS + 1);
    await feed(...pids.map((pid) => finished(pid)), permission(6));
    assert.deepEqual(sink.calls.at(-1), { op: 'show', id: 2, replaces: undefined, notification: sink.shows().at(-1) });
  });

  test('a session of a group that is seen leaves it: the rest stays on screen, then the last one closes it', async () => {
    const { sink, feed } = setUp();
    await feed(session(1), session(2));
    await feed(finished(1), permission(2));
    sink.clear();
    await feed(finished(1), permission(2, { focused: true }));
    assert.equal(sink.calls.length, 1);
    assert.deepEqual(sink.shows()[0]?.sessions, [{ sessionId: 'session-1', pid: 1 }]);
    assert.equal(sink.shows()[0]?.title, 'project-1 (main)');
    await feed(session(1), permission(2, { focused: true }));
    assert.deepEqual(sink.calls.at(-1), { op: 'close', id: 1 });
  });
});

describe('the sink\'s events', () => {
  test('a click switches to the session it names (the most urgent of a group)', async () => {
    const activated: string[] = [];
    const { sink, feed } = setUp({ onActivate: (sessionId) => activated.push(sessionId) });
    await feed(session(1), session(2));
    await feed(finished(1), permission(2));
    sink.emit({ kind: 'activated', id: 1 });
    sink.emit({ kind: 'activated', id: 99 });
    assert.deepEqual(activated, ['session-2']);
  });

  test('dismissed by the user: not shown again, not closed again, and the next transition opens a new one', async () => {
    const { sink, feed, advance } = setUp();
    await feed(session(1));
    await feed(permission(1));
    sink.emit({ kind: 'closed', id: 1, reason: 'dismissed' });
    await feed(permission(1, { unseen: false }));
    await feed(session(1));
    assert.deepEqual(sink.calls.map((call) => call.op), ['show']);
    advance(100);
    await feed(finished(1, { waiting_since: '2026-11-30T10:09:00.000Z' }));
    assert.deepEqual(sink.calls.at(-1), { op: 'show', id: 2, replaces: undefined, notification: sink.shows().at(-1) });
  });

  test('a sink that fails is reported once, the policy goes on, and recovery clears the problem', async () => {
    const { sink, notifier, feed, warnings } = setUp();
    await feed(session(1), session(2));
    sink.failWith = new Error('No notification server on the D-Bus session bus.');
    await feed(permission(1), session(2));
    await feed(session(1), session(2));
    await feed(permission(1, { waiting_since: '2026-11-30T10:01:00.000Z' }), session(2));
    assert.equal(notifier.problem, 'No notification server on the D-Bus session bus.');
    assert.deepEqual(warnings, ['notifications: No notification server on the D-Bus session bus.']);
    sink.failWith = undefined;
    await feed(permission(1, { waiting_since: '2026-11-30T10:01:00.000Z' }), finished(2));
    assert.equal(notifier.problem, undefined);
    assert.equal(sink.shows().length, 1);
  });

  test('close() takes every notification away and lets go of the sink; later lists do nothing', async () => {
    const { sink, notifier, feed, advance } = setUp();
    await feed(session(1), session(2));
    await feed(permission(1), session(2));
    advance(BURST_MS + 1);
    await feed(permission(1), finished(2));
    await notifier.close();
    assert.deepEqual(sink.calls.map((call) => [call.op, call.id]), [['show', 1], ['show', 2], ['close', 1], ['close', 2]]);
    assert.equal(sink.disposed, true);
    notifier.update([session(1), session(2)]);
    await notifier.idle();
    assert.equal(sink.calls.length, 4);
  });
});
