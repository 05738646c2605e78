import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAEMON_BACKOFF, nextPause } from './follow-daemon.js';

test('reconnecting: pauses start at 0.5 s and double up to 10 s', () => {
  const pauses: number[] = [];
  let pause: number | undefined;
  for (let attempt = 0; attempt < 8; attempt++) pauses.push((pause = nextPause(pause, DAEMON_BACKOFF)));
  assert.deepEqual(pauses, [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
});
