import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeMessage, FrameDecoder, HEADER_BYTES, MAX_PAYLOAD_BYTES, type DecodedFrame } from './ipc-codec.js';
import { eventWireType } from './message-types.js';

const frame = (type: number, payload: string, isEvent = false): DecodedFrame => ({ kind: 'frame', type, isEvent, payload });

/** Feeds the chunks in order and returns everything decoded. */
function decode(decoder: FrameDecoder, chunks: readonly Buffer[]): DecodedFrame[] {
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

function header(length: number, type: number, magic = 'i3-ipc'): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES);
  bytes.write(magic, 0, 'latin1');
  bytes.writeUInt32LE(length, 6);
  bytes.writeUInt32LE(type, 10);
  return bytes;
}

test('encodeMessage matches the byte layout in the i3 and sway manuals', () => {
  // The manuals' example: the command `exit` (type 0, 4 bytes).
  const expected = Buffer.from('69332d697063040000000000000065786974', 'hex');
  assert.deepEqual(encodeMessage(0, 'exit'), expected);
  assert.deepEqual(encodeMessage(4), Buffer.from('69332d6970630000000004000000', 'hex'), 'no payload: length 0');
});

test('the length counts UTF-8 bytes, not characters', () => {
  const message = encodeMessage(1, '"\u00e9\u{1F680}"');
  assert.equal(message.readUInt32LE(6), 8);
  assert.equal(message.length, HEADER_BYTES + 8);
});

test('encodeMessage refuses a type that is not a uint32', () => {
  for (const type of [-1, 1.5, 2 ** 32, Number.NaN]) {
    assert.throws(() => encodeMessage(type, ''), RangeError, String(type));
  }
});

test('a frame decodes back to what was encoded; the event bit comes out as isEvent', () => {
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(encodeMessage(4, '{"id":1}')), [frame(4, '{"id":1}')]);
  assert.deepEqual(decoder.push(encodeMessage(eventWireType(3), '{"change":"focus"}')), [frame(3, '{"change":"focus"}', true)]);
  assert.deepEqual(decoder.push(encodeMessage(eventWireType(0x15), '{}')), [frame(0x15, '{}', true)]);
  assert.deepEqual(decoder.push(encodeMessage(7, '')), [frame(7, '')]);
  assert.equal(decoder.bufferedBytes, 0);
});

test('frames fed byte by byte decode the same, each once it is complete', () => {
  const payload = JSON.stringify({ name: 't\u00eatu \u{1F680}', nodes: [] });
  const bytes = Buffer.concat([encodeMessage(4, payload), encodeMessage(eventWireType(3), '{}')]);
  const decoder = new FrameDecoder();
  const out: DecodedFrame[] = [];
  for (const [index, byte] of [...bytes].entries()) {
    const decoded = decoder.push(Buffer.from([byte]));
    if (decoded.length > 0) out.push(...decoded);
    if (index < HEADER_BYTES + Buffer.byteLength(payload) - 1) assert.equal(out.length, 0, `nothing before byte ${index}`);
  }
  assert.deepEqual(out, [frame(4, payload), frame(3, '{}', true)]);
});

test('many frames in one chunk come out in order; a tail waits for the rest', () => {
  const frames = Array.from({ length: 50 }, (_, index) => encodeMessage(index % 2 === 0 ? 1 : eventWireType(0), `[${index}]`));
  const joined = Buffer.concat(frames);
  const cut = joined.length - 5;
  const decoder = new FrameDecoder();
  const first = decoder.push(joined.subarray(0, cut));
  assert.equal(first.length, 49);
  assert.equal(decoder.bufferedBytes, (frames[49] as Buffer).length - 5);
  const last = decoder.push(joined.subarray(cut));
  const all = [...first, ...last];
  assert.deepEqual(
    all,
    Array.from({ length: 50 }, (_, index) => frame(index % 2 === 0 ? 1 : 0, `[${index}]`, index % 2 === 1)),
  );
});

test('a stream cut at every position decodes the same', () => {
  const bytes = Buffer.concat([encodeMessage(0, '[{"success":true}]'), encodeMessage(eventWireType(7), '{"first":true,"payload":"\u00e9"}')]);
  const expected = [frame(0, '[{"success":true}]'), frame(7, '{"first":true,"payload":"\u00e9"}', true)];
  for (let cut = 0; cut <= bytes.length; cut++) {
    const decoded = decode(new FrameDecoder(), [bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.deepEqual(decoded, expected, `cut at byte ${cut}`);
  }
});

test('a wrong magic is reported at the first wrong byte, once, and the decoder holds nothing after', () => {
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(Buffer.from('i3')), [], 'a right prefix waits');
  const [item, ...rest] = decoder.push(Buffer.from('-xpc'));
  assert.equal(item?.kind, 'corrupt');
  assert.match(item?.kind === 'corrupt' ? item.reason : '', /magic.*i3-xp/);
  assert.deepEqual(rest, []);
  assert.equal(decoder.isCorrupt, true);
  assert.deepEqual(decoder.push(encodeMessage(4, '{}')), [], 'nothing after corruption, even a good frame');
  assert.equal(decoder.bufferedBytes, 0);
  assert.equal(decoder.finish(), undefined, 'reported once');
});

test('garbage such as an HTTP answer is corrupt from its first byte', () => {
  const decoded = new FrameDecoder().push(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'));
  assert.equal(decoded.length, 1);
  assert.equal(decoded[0]?.kind, 'corrupt');
  assert.equal(new FrameDecoder().push(Buffer.from([0x00]))[0]?.kind, 'corrupt', 'one byte is enough');
});

test('a good frame then garbage: the frame comes out, then the corruption', () => {
  const decoded = new FrameDecoder().push(Buffer.concat([encodeMessage(1, '[]'), Buffer.from('junk')]));
  assert.deepEqual(decoded[0], frame(1, '[]'));
  assert.equal(decoded[1]?.kind, 'corrupt');
  assert.equal(decoded.length, 2);
});

test('a length over the limit is corrupt as soon as the header is in, without waiting for the payload', () => {
  const decoder = new FrameDecoder();
  const decoded = decoder.push(header(MAX_PAYLOAD_BYTES + 1, 4));
  assert.equal(decoded.length, 1);
  assert.match(decoded[0]?.kind === 'corrupt' ? decoded[0].reason : '', /33554433 payload bytes, over the 33554432-byte limit/);
  assert.equal(decoder.bufferedBytes, 0);
  assert.equal(new FrameDecoder().push(header(0xffff_ffff, 4))[0]?.kind, 'corrupt', 'the largest uint32');
});

test('a length exactly at the limit is accepted; the limit is a constructor argument', () => {
  assert.deepEqual(new FrameDecoder(4).push(encodeMessage(1, '1234')), [frame(1, '1234')]);
  assert.equal(new FrameDecoder(4).push(encodeMessage(1, '12345'))[0]?.kind, 'corrupt');
});

test('a frame cut short is reported by finish(), with how much of it came', () => {
  const whole = encodeMessage(4, '{"nodes":[1,2,3]}');
  const inPayload = new FrameDecoder();
  assert.deepEqual(inPayload.push(whole.subarray(0, whole.length - 3)), []);
  assert.deepEqual(inPayload.finish(), { kind: 'corrupt', reason: 'the stream ended inside a frame (14 of 17 payload bytes)' });

  const inHeader = new FrameDecoder();
  assert.deepEqual(inHeader.push(whole.subarray(0, 9)), []);
  assert.deepEqual(inHeader.finish(), { kind: 'corrupt', reason: 'the stream ended inside a frame header (9 of 14 bytes)' });

  const clean = new FrameDecoder();
  clean.push(whole);
  assert.equal(clean.finish(), undefined, 'ending between frames is clean');
});

test('bufferedBytes never exceeds one header plus the announced payload while a big frame streams in', () => {
  const payload = 'x'.repeat(100_000);
  const bytes = encodeMessage(4, payload);
  const decoder = new FrameDecoder();
  const out: DecodedFrame[] = [];
  for (let start = 0; start < bytes.length; start += 1000) {
    out.push(...decoder.push(bytes.subarray(start, start + 1000)));
    assert.ok(decoder.bufferedBytes <= payload.length + HEADER_BYTES);
  }
  assert.deepEqual(out, [frame(4, payload)]);
  assert.equal(decoder.bufferedBytes, 0);
});
