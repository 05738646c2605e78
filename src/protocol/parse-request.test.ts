import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACTIONS, MAX_LABEL_LENGTH } from './messages.js';
import { parseRequest, type ParsedRequest } from './parse-request.js';

const ID = '5e550000-0000-4000-8000-000000000001';

/** The error of a rejected line; fails the test when the line was accepted. */
function rejection(line: string): string {
  const parsed: ParsedRequest = parseRequest(line);
  assert.equal(parsed.ok, false, `${line.slice(0, 80)} should be rejected`);
  if (parsed.ok) throw new Error('unreachable');
  assert.ok(parsed.error.length > 0, 'the error says something');
  return parsed.error;
}

test('malformed JSON is rejected with an example of a good request', () => {
  for (const line of ['{', '{"action":"list"', "{'action':'list'}", 'list', '', '\u0000\u00ff binary', '{"action":"list"}{"action":"list"}']) {
    assert.match(rejection(line), /malformed JSON.*\{"action":"list"\}/);
  }
});

test('a JSON value that is not an object is rejected', () => {
  for (const line of ['42', '"list"', 'null', 'true', '[]', '[{"action":"list"}]']) {
    assert.match(rejection(line), /must be a JSON object with an "action"/);
  }
});

test('a missing or non-string action is rejected and the valid actions are named', () => {
  for (const line of ['{}', '{"args":{}}', '{"action":null}', '{"action":5}', '{"action":["list"]}', '{"Action":"list"}']) {
    const error = rejection(line);
    assert.match(error, /missing "action"/);
    for (const action of ACTIONS) assert.ok(error.includes(action), `the error names ${action}`);
  }
});

test('an unknown action is rejected, echoed short and without control characters', () => {
  assert.match(rejection('{"action":"frobnicate"}'), /unknown action "frobnicate": use one of list, switch, next, label/);
  assert.match(rejection('{"action":"LIST"}'), /unknown action "LIST"/, 'actions are case-sensitive');
  assert.match(rejection('{"action":"__proto__"}'), /unknown action/);
  assert.match(rejection('{"action":"toString"}'), /unknown action/);
  const noisy = rejection(JSON.stringify({ action: `\u001b[2J${'x'.repeat(500)}` }));
  assert.doesNotMatch(noisy, /\u001b/, 'no escape sequence reaches a terminal');
  assert.ok(noisy.length < 200, `the echo is cut short: ${noisy.length} characters`);
});

test('args that are not an object are rejected, whatever the action', () => {
  for (const args of ['[]', '"x"', '1', 'true', '[{"session_id":"x","label":"y"}]']) {
    assert.match(rejection(`{"action":"list","args":${args}}`), /"args" must be an object/);
    assert.match(rejection(`{"action":"label","args":${args}}`), /"args" must be an object/);
  }
});

test('label without args is rejected with the shape it needs', () => {
  for (const line of ['{"action":"label"}', '{"action":"label","args":null}']) {
    assert.match(rejection(line), /"label" needs args \{"session_id": "<id>", "label": "<text>"\}/);
  }
});

test('label with a missing, empty or wrongly typed session_id is rejected', () => {
  for (const sessionId of [undefined, '', '   ', 42, null, ['x'], { id: 'x' }]) {
    const line = JSON.stringify({ action: 'label', args: { session_id: sessionId, label: 'review' } });
    assert.match(rejection(line), /args\.session_id, a non-empty string/);
  }
});

test('label with a missing or wrongly typed label is rejected', () => {
  for (const label of [undefined, null, 7, false, ['a'], { text: 'a' }]) {
    const line = JSON.stringify({ action: 'label', args: { session_id: ID, label } });
    assert.match(rejection(line), /args\.label, a string \(empty to remove the label\)/);
  }
});

test('a label over the limit is rejected; the limit counts characters, not bytes or UTF-16 units', () => {
  const tooLong = JSON.stringify({ action: 'label', args: { session_id: ID, label: 'x'.repeat(MAX_LABEL_LENGTH + 1) } });
  assert.match(rejection(tooLong), new RegExp(`label too long: at most ${MAX_LABEL_LENGTH} characters`));
  // 200 emoji are 400 UTF-16 units and 800 bytes, yet 200 characters.
  const emoji = '\u{1F680}'.repeat(MAX_LABEL_LENGTH);
  const parsed = parseRequest(JSON.stringify({ action: 'label', args: { session_id: ID, label: emoji } }));
  assert.deepEqual(parsed, { ok: true, request: { action: 'label', args: { session_id: ID, label: emoji } } });
});

test('every action without arguments is accepted, with or without empty args', () => {
  for (const action of ['list', 'subscribe', 'status', 'version', 'stop'] as const) {
    assert.deepEqual(parseRequest(JSON.stringify({ action })), { ok: true, request: { action } });
    assert.deepEqual(parseRequest(JSON.stringify({ action, args: {} })), { ok: true, request: { action } });
    assert.deepEqual(parseRequest(JSON.stringify({ action, args: null })), { ok: true, request: { action } });
  }
});

test('a valid label request is accepted, an empty label too (it removes the label)', () => {
  assert.deepEqual(parseRequest(JSON.stringify({ action: 'label', args: { session_id: ID, label: 'review MR' } })), {
    ok: true,
    request: { action: 'label', args: { session_id: ID, label: 'review MR' } },
  });
  assert.deepEqual(parseRequest(JSON.stringify({ action: 'label', args: { session_id: ID, label: '' } })), {
    ok: true,
    request: { action: 'label', args: { session_id: ID, label: '' } },
  });
});

test('fields a later client may add are ignored, not copied into the request', () => {
  const parsed = parseRequest(JSON.stringify({ action: 'label', id: 7, args: { session_id: ID, label: 'x', colour: 'red' } }));
  assert.deepEqual(parsed, { ok: true, request: { action: 'label', args: { session_id: ID, label: 'x' } } });
  assert.deepEqual(parseRequest('{"action":"list","args":{"filter":"all"},"id":1}'), { ok: true, request: { action: 'list' } });
});

test('surrounding whitespace and a deeply nested value do not throw', () => {
  assert.deepEqual(parseRequest('  {"action":"list"}  '), { ok: true, request: { action: 'list' } });
  const deep = `{"action":"list","args":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
  assert.deepEqual(parseRequest(deep), { ok: true, request: { action: 'list' } });
});

test('switch needs a non-empty query', () => {
  assert.deepEqual(parseRequest('{"action":"switch","args":{"query":"api"}}'), { ok: true, request: { action: 'switch', args: { query: 'api' } } });
  for (const args of ['', ',"args":{}', ',"args":{"query":""}', ',"args":{"query":3}']) {
    assert.match(rejection(`{"action":"switch"${args}}`), /"switch" needs args \{"query"/);
  }
});

test('switch and next may carry the caller\'s desktop session: known variables only, plain strings', () => {
  const desktop = { I3SOCK: '/run/user/1000/i3/ipc-socket.42', DISPLAY: ':0' };
  assert.deepEqual(parseRequest(JSON.stringify({ action: 'switch', args: { query: 'api', desktop } })), {
    ok: true,
    request: { action: 'switch', args: { query: 'api', desktop } },
  });
  assert.deepEqual(parseRequest('{"action":"next"}'), { ok: true, request: { action: 'next', args: {} } });
  for (const action of ['list', 'subscribe'] as const) {
    assert.deepEqual(parseRequest(JSON.stringify({ action, args: { desktop } })), { ok: true, request: { action, args: { desktop } } });
    assert.match(rejection(JSON.stringify({ action, args: { desktop: 'DISPLAY=:0' } })), /"desktop" must be an object/);
  }
  assert.deepEqual(parseRequest(JSON.stringify({ action: 'next', args: { desktop: {} } })), { ok: true, request: { action: 'next', args: { desktop: {} } } });
  assert.match(rejection(JSON.stringify({ action: 'next', args: { desktop: { LD_PRELOAD: '/tmp/x.so' } } })), /may hold only SWAYSOCK, I3SOCK, .*not "LD_PRELOAD"/);
  assert.match(rejection(JSON.stringify({ action: 'next', args: { desktop: ['DISPLAY'] } })), /"desktop" must be an object/);
  assert.match(rejection(JSON.stringify({ action: 'switch', args: { query: 'a', desktop: { DISPLAY: 0 } } })), /"desktop.DISPLAY" must be a string/);
  assert.match(rejection(JSON.stringify({ action: 'switch', args: { query: 'a', desktop: { DISPLAY: ':0\u0000' } } })), /without NUL/);
  assert.match(rejection(JSON.stringify({ action: 'switch', args: { query: 'a', desktop: { I3SOCK: 'x'.repeat(5000) } } })), /at most 4096/);
});

test('a label request carries the label cleaned; one that cleans to nothing, or reads as a PID or id, is refused', () => {
  const hostile = JSON.stringify({ action: 'label', args: { session_id: ID, label: '\u001b[31mreview\u001b]0;pwned\u0007 MR\u009b2J\u202e' } });
  assert.deepEqual(parseRequest(hostile), { ok: true, request: { action: 'label', args: { session_id: ID, label: 'review MR' } } });
  for (const label of ['\u001b[31m\u001b[0m', '   ', '\u200e']) {
    assert.match(rejection(JSON.stringify({ action: 'label', args: { session_id: ID, label } })), /label is empty once control characters/);
  }
  assert.match(rejection(JSON.stringify({ action: 'label', args: { session_id: ID, label: '4242' } })), /read as a PID/);
  assert.match(rejection(JSON.stringify({ action: 'label', args: { session_id: ID, label: 'aaaa1111-00' } })), /look like a session id/);
});
