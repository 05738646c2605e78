import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Session } from '../sessions/session.js';
import type { LabelArgs, Request, Response, SessionsEvent } from './messages.js';
import { parseRequest } from './parse-request.js';
import { toSessionInfo, type SessionInfo } from './session-info.js';

const waiting: Session = {
  pid: 4242,
  procStart: '123456',
  sessionId: '5e550000-0000-4000-8000-000000000001',
  cwd: '/home/me/project',
  gitBranch: 'main',
  state: 'needs_input',
  reason: 'waiting for permission: Bash',
  waitingSince: new Date('2025-06-01T10:20:30.000Z'),
  preview: 'Bash: npm test',
};

/** What a Go client of the seed would have decoded: the JSON text, field by field. */
function wire(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

test('request marshal', () => {
  const requests: Request[] = [
    { action: 'list' },
    { action: 'label', args: { session_id: '5e550000-0000-4000-8000-000000000001', label: 'review MR' } satisfies LabelArgs },
    { action: 'subscribe' },
    { action: 'status' },
    { action: 'version' },
    { action: 'stop' },
  ];
  for (const request of requests) {
    const line = JSON.stringify(request);
    assert.ok(!line.includes('\n'), 'a request is one line');
    assert.deepEqual(parseRequest(line), { ok: true, request });
  }
  // The seed's field names on the wire.
  assert.deepEqual(wire(requests[1]), { action: 'label', args: { session_id: '5e550000-0000-4000-8000-000000000001', label: 'review MR' } });
});

test('response with sessions', () => {
  const info = toSessionInfo(waiting, { label: 'review MR', workspace: '3:code' });
  const response: Response = { ok: true, sessions: [info] };
  const decoded = wire(response);
  assert.equal(decoded['ok'], true);
  assert.equal(decoded['error'], undefined, 'no error field on success');
  const [session] = decoded['sessions'] as Record<string, unknown>[];
  assert.deepEqual(session, {
    pid: 4242,
    session_id: '5e550000-0000-4000-8000-000000000001',
    cwd: '/home/me/project',
    git_branch: 'main',
    state: 'needs_input',
    preview: 'Bash: npm test',
    workspace: '3:code',
    label: 'review MR',
    waiting_since: '2025-06-01T10:20:30.000Z',
    reason: 'waiting for permission: Bash',
    unseen: false,
    focused: false,
  });
  // RFC 3339, as the seed's time.Time marshalled it.
  assert.match(String(session?.['waiting_since']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
});

test('response with sessions: label and waiting_since are omitted when empty, workspace is always there', () => {
  const working: Session = { ...waiting, state: 'working', reason: 'running a tool' };
  const withoutExtras = wire(toSessionInfo(working));
  assert.equal('label' in withoutExtras, false);
  assert.equal('waiting_since' in withoutExtras, false, 'a working session has no waiting_since even if the scan carried one');
  assert.equal(withoutExtras['workspace'], '');

  const emptyLabel = wire(toSessionInfo(waiting, { label: '' }));
  assert.equal('label' in emptyLabel, false, 'an empty label is no label');

  const { waitingSince: _, ...unknownSince } = waiting;
  assert.equal('waiting_since' in wire(toSessionInfo(unknownSince)), false, 'waiting since an unknown time: omitted, not null');
});

test('response with an error carries ok false and the reason', () => {
  const response: Response = { ok: false, error: 'unknown action "frob"' };
  assert.deepEqual(wire(response), { ok: false, error: 'unknown action "frob"' });
});

test('a subscribe event is one line holding the whole list', () => {
  const event: SessionsEvent = { event: 'sessions', sessions: [toSessionInfo(waiting)] };
  const line = JSON.stringify(event);
  assert.ok(!line.includes('\n'));
  const decoded = JSON.parse(line) as { event: string; sessions: SessionInfo[] };
  assert.equal(decoded.event, 'sessions');
  assert.equal(decoded.sessions[0]?.session_id, waiting.sessionId);
});

test('a label saved raw (an older vmux, or labels.json edited by hand) is served cleaned, and not at all when nothing is left', () => {
  assert.equal(toSessionInfo(waiting, { label: '\u001b[31mreview\u001b]0;pwned\u0007 \u009b2JMR\u202e' }).label, 'review MR');
  assert.equal('label' in toSessionInfo(waiting, { label: '\u001b[31m\u001b[0m' }), false);
});
