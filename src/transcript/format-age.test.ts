import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAge } from './format-age.js';

test('formatAge reads like speech in a reason', () => {
  assert.equal(formatAge(0), '0 s');
  assert.equal(formatAge(59_999), '59 s');
  assert.equal(formatAge(2 * 60_000), '2 min');
  assert.equal(formatAge(3 * 3_600_000), '3 h');
  assert.equal(formatAge(3 * 86_400_000), '3 d');
  assert.equal(formatAge(-5), '0 s');
});

test('formatAge is compact in a table cell', () => {
  assert.equal(formatAge(12_000, 'compact'), '12s');
  assert.equal(formatAge(4 * 60_000 + 5000, 'compact'), '4m');
  assert.equal(formatAge(2 * 3_600_000 + 5 * 60_000, 'compact'), '2h05m');
  assert.equal(formatAge(3 * 86_400_000, 'compact'), '3d');
  assert.equal(formatAge(-5, 'compact'), '0s');
});
