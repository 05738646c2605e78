import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compare } from './report.js';
import { END_MARKER, readmeSection, replaceSection, START_MARKER } from './write-readme-table.js';

const summary = (median: number) => ({ n: 5, median, p90: median, p95: median, min: median, max: median + 1 });
const context = {
  node: 'v20.0.0',
  cpu: 'Some CPU',
  cores: 2,
  loadAverage: [0.5, 0.25, 0.125],
  command: 'npm run bench -- --only folders --write-readme',
  runs: 20,
  seconds: 60,
};

test('the section is a table of medians against their baselines, then the machine and the command', () => {
  const section = readmeSection(
    [compare({ id: 'x', title: 'vmux list | 20 sessions', unit: 'ms', baseline: { label: 'node -e 0', summary: summary(40) }, subject: { label: 'vmux', summary: summary(44) }, target: 1.2 })],
    [{ id: 'rss', title: 'vmuxd RSS', unit: 'MiB', summary: summary(46), targetOn: 'max', target: 47.7, met: true, reference: 'idle node: 39.5 MiB' }],
    context,
    new Date('2026-11-30T10:00:00Z'),
  );
  const lines = section.split('\n');
  assert.equal(lines[0], '| figure | median | baseline, same run | ratio | target |');
  assert.equal(lines[2], '| vmux list \\| 20 sessions | 44.0 ms | node -e 0: 40.0 ms | 1.10× | ≤ 1.2× ✓ |');
  assert.equal(lines[3], '| vmuxd RSS | 46.0 MiB (max 47.0 MiB) | idle node: 39.5 MiB |  | max ≤ 47.7 MiB ✓ |');
  assert.match(section, /Measured 2026-11-30 with Node\.js v20\.0\.0 on Some CPU \(2 cores\), load average 0\.50 0\.25 0\.13/);
  assert.ok(section.includes('```sh\nnpm run bench -- --only folders --write-readme\n```\n'));
});

test('only the text between the markers is replaced', () => {
  const readme = `# vmux\n\n## Performance\n\n${START_MARKER}\nold table\n${END_MARKER}\n\nAfter.\n`;
  assert.equal(replaceSection(readme, 'new table\n'), `# vmux\n\n## Performance\n\n${START_MARKER}\nnew table\n${END_MARKER}\n\nAfter.\n`);
  const twice = replaceSection(replaceSection(readme, 'a\n'), 'b\n');
  assert.equal(twice, replaceSection(readme, 'b\n'));
});

test('a README without the markers, or with them out of order or twice, is refused', () => {
  for (const readme of ['# vmux\n', `${END_MARKER}\n${START_MARKER}\n`, `${START_MARKER}\n${START_MARKER}\n${END_MARKER}\n`, `${START_MARKER}\nno end\n`]) {
    assert.throws(() => replaceSection(readme, 'x\n'), /needs one "<!-- bench:start -->" line/);
  }
});
