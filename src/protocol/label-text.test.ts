import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLabel, cleanLabel } from './label-text.js';
import { MAX_LABEL_LENGTH } from './messages.js';

function refusal(text: string): string {
  const checked = checkLabel(text);
  assert.equal(checked.ok, false, `'${text}' should be refused`);
  return checked.ok ? '' : checked.error;
}

test('a label is cleaned: escape sequences and bidirectional controls go, control characters and whitespace runs become one space', () => {
  assert.deepEqual(checkLabel('\u001b[31mreview\u001b]0;pwned\u0007  MR\u202e\n'), { ok: true, label: 'review MR' });
  assert.deepEqual(checkLabel('api\u009b2J\tfix\u200e'), { ok: true, label: 'api fix' });
  assert.deepEqual(checkLabel('café 🎉 ]; rm -rf ~'), { ok: true, label: 'café 🎉 ]; rm -rf ~' });
  assert.equal(cleanLabel('  a \u0085 b  '), 'a b');
});

test('a label with nothing printable is refused with a reason, not stored as empty', () => {
  for (const text of ['', '   ', '\u001b[31m', '\u001b]0;pwned\u0007', '\u202e\u2066', '\u0000\u0007\u009b']) {
    assert.match(refusal(text), /label is empty once control characters and escape sequences are removed/);
  }
});

test('the length limit counts the cleaned text', () => {
  assert.equal(checkLabel(`\u001b[31m${'x'.repeat(MAX_LABEL_LENGTH)}\u001b[0m`).ok, true);
  assert.match(refusal('x'.repeat(MAX_LABEL_LENGTH + 1)), /label too long/);
});

test('a label that reads as a PID or a session id is refused', () => {
  assert.match(refusal('4242'), /only digits: '4242' would be read as a PID/);
  assert.match(refusal('12\u001b[0m34'), /only digits: '1234'/);
  assert.match(refusal('5e550000'), /look like a session id/);
  assert.match(refusal('5e550000-0000-4000-8000-000000000001'), /look like a session id/);
  assert.match(refusal('DEADBEEF'), /look like a session id/);
  // Short hex words, digits among letters and ids with something more are names.
  for (const name of ['cafe', 'facade', '#4242', 'pr 4242', '4242a-fix', 'deadbeefs', '5e55 0000']) {
    assert.deepEqual(checkLabel(name), { ok: true, label: name });
  }
});
