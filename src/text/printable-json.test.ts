import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asciiJson, printableJson } from './printable-json.js';

const hostile = {
  cwd: '/tmp/a\u001b]0;pwned\u0007b\u009b2J\u009d0;x\u009c',
  label: 'x\u202ey\u2066z\u200e\u200f\u061c',
  preview: 'line\u2028break\u0085',
};

test('printableJson writes C0, C1 and bidirectional controls as escapes, and a parser gets the exact text back', () => {
  for (const indent of [undefined, 2]) {
    const text = printableJson(hostile, indent);
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    assert.deepEqual(JSON.parse(text), hostile);
  }
  assert.equal(printableJson({ a: '\u009b' }), '{"a":"\\u009b"}');
});

test('printableJson leaves ordinary text, accents, emoji and backslashes alone', () => {
  const plain = { path: '/home/é/道友/🎉', slash: 'a\\u009b', quote: '"' };
  assert.equal(printableJson(plain), JSON.stringify(plain));
});

test('asciiJson writes every character outside ASCII as an escape, and a parser gets the exact text back', () => {
  const text = { ...hostile, path: '/home/é/道友/🎉', preview: 'done…', slash: 'a\\u00e9' };
  const json = asciiJson(text);
  assert.doesNotMatch(json, /[^\x00-\x7f]/);
  assert.deepEqual(JSON.parse(json), text);
  assert.equal(asciiJson({ a: '🎉' }), '{"a":"\\ud83c\\udf89"}');
});
