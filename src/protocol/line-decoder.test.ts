import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineDecoder, type DecodedLine } from './line-decoder.js';

const line = (text: string): DecodedLine => ({ kind: 'line', text });

/** Feeds the chunks in order and returns everything decoded. */
function decode(decoder: LineDecoder, chunks: readonly (string | Buffer)[]): DecodedLine[] {
  return chunks.flatMap((chunk) => decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
}

test('a line split across chunks comes out once it is complete', () => {
  const decoder = new LineDecoder(1024);
  assert.deepEqual(decoder.push(Buffer.from('{"act')), []);
  assert.equal(decoder.bufferedBytes, 5);
  assert.deepEqual(decoder.push(Buffer.from('ion":"li')), []);
  assert.deepEqual(decoder.push(Buffer.from('st"}\n')), [line('{"action":"list"}')]);
  assert.equal(decoder.bufferedBytes, 0);
});

test('a line split byte by byte decodes the same', () => {
  const text = '{"action":"label","args":{"session_id":"abc","label":"x"}}\n';
  const bytes = [...Buffer.from(text)].map((byte) => Buffer.from([byte]));
  assert.deepEqual(decode(new LineDecoder(1024), bytes), [line(text.slice(0, -1))]);
});

test('several lines in one chunk come out in order, the unfinished tail waits', () => {
  const decoder = new LineDecoder(1024);
  assert.deepEqual(decoder.push(Buffer.from('one\ntwo\nthree\nfou')), [line('one'), line('two'), line('three')]);
  assert.equal(decoder.bufferedBytes, 3);
  assert.deepEqual(decoder.push(Buffer.from('r\n')), [line('four')]);
});

test('CRLF line ends lose their CR, also when CR and LF arrive apart', () => {
  assert.deepEqual(decode(new LineDecoder(1024), ['a\r\nb\r\n']), [line('a'), line('b')]);
  assert.deepEqual(decode(new LineDecoder(1024), ['a\r', '\nb\r', '\n']), [line('a'), line('b')]);
  // Only the line end is touched: a CR inside the line stays.
  assert.deepEqual(decode(new LineDecoder(1024), ['a\rb\n']), [line('a\rb')]);
});

test('empty and blank lines are skipped', () => {
  assert.deepEqual(decode(new LineDecoder(1024), ['\n\n', '  \n', '\r\n', 'x\n', '\t \r\n', '\n']), [line('x')]);
});

test('a UTF-8 character split across chunks decodes whole', () => {
  const text = 'label \u00e9t\u00e9 \u{1F680} \u65e5\u672c';
  const bytes = Buffer.from(`${text}\n`);
  // Cut at every position: one of them falls inside each multi-byte character.
  for (let cut = 1; cut < bytes.length; cut++) {
    const decoded = decode(new LineDecoder(1024), [bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.deepEqual(decoded, [line(text)], `cut at byte ${cut}`);
  }
  const emoji = Buffer.from('\u{1F680}\n');
  assert.deepEqual(decode(new LineDecoder(1024), [...emoji].map((b) => Buffer.from([b]))), [line('\u{1F680}')]);
});

test('a line of exactly the limit is accepted; one byte more is too long', () => {
  assert.deepEqual(decode(new LineDecoder(8), ['12345678\n']), [line('12345678')]);
  assert.deepEqual(decode(new LineDecoder(8), ['123456789\n']), [{ kind: 'too-long', bytes: 9 }]);
});

test('an over-long line is reported once, as soon as it is known, and later lines still decode', () => {
  const decoder = new LineDecoder(16);
  const first = decoder.push(Buffer.from('x'.repeat(20)));
  assert.deepEqual(first, [{ kind: 'too-long', bytes: 20 }], 'reported before its newline arrives');
  const rest = decode(decoder, ['y'.repeat(100), 'z'.repeat(100), 'end of the long line\nok\n', 'after\n']);
  assert.deepEqual(rest, [line('ok'), line('after')], 'no second report, the tail of the long line is dropped');
});

test('an over-long line and good lines in one chunk', () => {
  const decoded = decode(new LineDecoder(16), [`before\n${'x'.repeat(40)}\nafter\n`]);
  assert.deepEqual(decoded, [line('before'), { kind: 'too-long', bytes: 40 }, line('after')]);
});

test('two over-long lines in a row are two reports', () => {
  const decoded = decode(new LineDecoder(4), ['aaaaaa\nbbbbbb\nok\n']);
  assert.deepEqual(decoded, [{ kind: 'too-long', bytes: 6 }, { kind: 'too-long', bytes: 6 }, line('ok')]);
});

test('bufferedBytes stays within the limit while an over-long line streams in', () => {
  const limit = 1024;
  const decoder = new LineDecoder(limit);
  const chunk = Buffer.alloc(300, 0x61);
  let reports = 0;
  for (let i = 0; i < 10_000; i++) {
    for (const item of decoder.push(chunk)) {
      assert.equal(item.kind, 'too-long');
      reports++;
    }
    assert.ok(decoder.bufferedBytes <= limit, `buffered ${decoder.bufferedBytes} bytes after ${i + 1} chunks`);
  }
  assert.equal(reports, 1);
  assert.equal(decoder.bufferedBytes, 0, 'the dropped line is not held at all');
  assert.deepEqual(decoder.push(Buffer.from('\n{"action":"list"}\n')), [line('{"action":"list"}')]);
});
