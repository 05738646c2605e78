import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clickOf } from './bar-clicks.js';

test('i3blocks clicks: left goes to the next session, right opens the picker, in either of its formats', () => {
  // format=json: the block's values with the button, as i3blocks 1.5 writes them.
  assert.equal(clickOf('{"":"","name":"vmux","button":1,"x":1700,"y":12}'), 'next');
  assert.equal(clickOf('{"":"","name":"vmux","button":"3"}'), 'pick');
  // The raw format: the button alone.
  assert.equal(clickOf('1'), 'next');
  assert.equal(clickOf('3\r'), 'pick');
});

test('i3blocks clicks: the middle button, the wheel and anything unreadable do nothing', () => {
  for (const line of ['2', '4', '5', '{"button":2}', '', 'x', '{"button":', '[1]', 'null', '{"button":null}', '1 2']) {
    assert.equal(clickOf(line), undefined, JSON.stringify(line));
  }
});
