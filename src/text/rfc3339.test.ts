import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rfc3339 } from './rfc3339.js';

test('rfc3339 writes a time as toISOString does', () => {
  const times = [0, Date.UTC(2000, 0, 1), Date.UTC(2026, 10, 30, 15, 53, 5, 300), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.parse('0001-02-03T04:05:06.007Z')];
  for (let i = 0; i < 2000; i++) times.push(Math.floor(Math.random() * Date.UTC(9999, 11, 31)));
  for (const ms of times) assert.equal(rfc3339(new Date(ms)), new Date(ms).toISOString(), `at ${ms}`);
});

test('rfc3339 leaves years that RFC 3339 cannot write to toISOString, and throws as it does on an invalid date', () => {
  for (const ms of [Date.UTC(10000, 0, 1), Date.parse('-000001-01-01T00:00:00Z'), 8.64e15]) assert.equal(rfc3339(new Date(ms)), new Date(ms).toISOString());
  assert.throws(() => rfc3339(new Date(Number.NaN)), RangeError);
});
