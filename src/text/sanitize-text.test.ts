import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneLine, stripControlSequences } from './sanitize-text.js';

test('stripControlSequences removes CSI, OSC, DCS and two-byte escapes', () => {
  assert.equal(stripControlSequences('a\u001b[1;31mb\u001b[0mc'), 'abc');
  assert.equal(stripControlSequences('a\u001b]0;title\u0007b'), 'ab');
  assert.equal(stripControlSequences('a\u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\b'), 'alinkb');
  assert.equal(stripControlSequences('a\u001bPq#0;2;0;0;0\u001b\\b'), 'ab');
  assert.equal(stripControlSequences('a\u001bcb\u001b(Bc'), 'abc');
  assert.equal(stripControlSequences('a\u009b2Jb'), 'ab');
});

test('an unterminated OSC swallows the rest rather than leak into the terminal', () => {
  assert.equal(stripControlSequences('safe\u001b]0;never ends'), 'safe');
});

test('other control characters and bidi overrides become spaces', () => {
  assert.equal(stripControlSequences('a\u0000b\u0007c\u007fd\u202ee'), 'a b c d e');
});

test('plain text, accents and emoji pass untouched', () => {
  assert.equal(stripControlSequences('café 道友 🎉 ]; exec rm -rf ~ ['), 'café 道友 🎉 ]; exec rm -rf ~ [');
});

test('oneLine collapses whitespace and cuts between whole characters with an ellipsis', () => {
  assert.equal(oneLine('  a \n\n b\t c  ', 100), 'a b c');
  assert.equal(oneLine('abcdef', 4), 'abc…');
  assert.equal(oneLine('abc def', 5), 'abc…');
  assert.equal(oneLine('e\u0301e\u0301e\u0301', 4), 'e\u0301…');
  assert.equal(oneLine('ab👩‍💻👩‍💻', 5), 'ab…');
  assert.equal(oneLine('a🇫🇷🇩🇪🇮🇹', 5), 'a🇫🇷…');
});
