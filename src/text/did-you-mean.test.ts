import assert from 'node:assert/strict';
import { test } from 'node:test';
import { didYouMean, didYouMeanHint } from './did-you-mean.js';

const COMMANDS = ['list', 'label', 'watch', 'daemon', 'status', 'switch', 'next', 'stop'];

test('did you mean: a typo of a known word is named', () => {
  assert.equal(didYouMean('lsit', COMMANDS), 'list');
  assert.equal(didYouMean('swtich', COMMANDS), 'switch');
  assert.equal(didYouMean('stauts', COMMANDS), 'status');
  assert.equal(didYouMean('LIST', COMMANDS), 'list');
  assert.equal(didYouMeanHint('wacth', COMMANDS), " (did you mean 'watch'?)");
});

test('did you mean: nothing is guessed for a word unlike any', () => {
  assert.equal(didYouMean('x', COMMANDS), undefined);
  assert.equal(didYouMean('deploy', COMMANDS), undefined);
  assert.equal(didYouMeanHint('frobnicate', COMMANDS), '');
});
