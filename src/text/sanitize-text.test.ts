import assert from 'node:assert/strict';
import { test } from 'node:test';
import { echoInput, oneLine, printableLines, stripControlSequences } from './sanitize-text.js';

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

test('other control characters, C1 ones too, become spaces', () => {
  assert.equal(stripControlSequences('a\u0000b\u0007c\u007fd'), 'a b c d');
  for (let code = 0x80; code <= 0x9f; code++) {
    const clean = stripControlSequences(`a${String.fromCharCode(code)}b`);
    assert.doesNotMatch(clean, /[\u0080-\u009f]/, `U+${code.toString(16)} is gone`);
  }
  assert.equal(stripControlSequences('a\u0085b'), 'a b');
});

test('every bidirectional control is dropped: marks, embeddings, overrides and isolates', () => {
  const bidi = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
  for (const mark of bidi) assert.equal(stripControlSequences(`ab${mark}cd`), 'abcd', `U+${mark.charCodeAt(0).toString(16)}`);
  assert.equal(stripControlSequences('invoice\u202efdp.exe'), 'invoicefdp.exe');
});

test('printableLines cleans each line of a message and keeps its line breaks', () => {
  assert.equal(printableLines('no match:\n  /tmp/a\u001b[2Jb\n  /tmp/c\u001b]0;x'), 'no match:\n  /tmp/ab\n  /tmp/c');
});

test('echoInput shows control and bidirectional characters as ? and cuts long input', () => {
  assert.equal(echoInput('a\u001bb\u009bc\u202ed\u200ee'), 'a?b?c?d?e');
  assert.equal(echoInput('abcdef', 3), 'abc…');
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

test('oneLine of a long text is the line of the whole text cleaned, whatever its end holds', () => {
  // Pieces that a cut through the text can tear: escape sequences, pairs, joined emoji, accents.
  const pieces = ['word', 'mot ', ' ', '\n\n', '\t', '\x1b[31m', '\x1b]0;title\x07', '\x1b]8;;', '\x1b', 'e\u0301', '👩‍💻', '🇫🇷', '道', '\u202e', '\u0085'];
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let round = 0; round < 300; round++) {
    let text = '';
    const length = 300 + random(900);
    while (text.length < length) text += pieces[random(pieces.length)];
    const whole = stripControlSequences(text).replace(/\s+/g, ' ').trim();
    assert.equal(oneLine(text, 100), oneLine(whole, 100), JSON.stringify(text));
  }
});
