import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { BarFiles } from './bar-files.js';
import type { Logger } from './logger.js';
import { sessionInfo } from '../../test/support/session-info.js';

const now = new Date('2026-11-30T12:00:00Z');

const session = sessionInfo;

test('bar files: one line per format in $VMUX_HOME/bar, rewritten only when it changes, "no vmuxd" once vmuxd stops', () => {
  const home = tempDir('vmux-bar-files-');
  const warnings: string[] = [];
  const logger: Logger = { info: () => {}, debug: () => {}, warn: (line) => warnings.push(line) };
  const files = new BarFiles(home, logger);
  const waiting = session(1, { state: 'needs_input', unseen: true, waiting_since: '2026-11-30T11:58:00Z', reason: 'waiting for permission: Bash' });
  files.show([waiting, session(2)], now);
  const read = (format: string) => readFileSync(join(home, 'bar', format), 'utf8');
  assert.match(read('tmux'), /●1.*⏵1/);
  const waybar = JSON.parse(read('waybar')) as { text: string; class: string[] | string };
  assert.equal(waybar.text, '●1 ⏵1');
  assert.equal(JSON.parse(read('json')).counts.total, 2);
  assert.equal(statSync(join(home, 'bar', 'waybar')).mode & 0o777, 0o600);

  // The same picture again (a poll): nothing is written; a file changed by hand is not rewritten either.
  writeFileSync(join(home, 'bar', 'polybar'), 'by hand\n');
  files.show([waiting, session(2)], now);
  assert.equal(read('polybar'), 'by hand\n');

  files.stopped();
  assert.match(read('i3blocks'), /no vmuxd/);
  assert.match(read('waybar'), /disconnected/);
  assert.deepEqual(warnings, []);
});

test('bar files: a poll makes the lines again only once a waiting time has reached its next minute', () => {
  const home = tempDir('vmux-bar-files-');
  const files = new BarFiles(home, { info: () => {}, debug: () => {}, warn: () => {} });
  const waiting = session(1, { state: 'needs_input', waiting_since: '2026-11-30T11:58:00Z', reason: 'waiting for permission: Bash' });
  files.show([waiting], now);
  const tooltip = () => (JSON.parse(readFileSync(join(home, 'bar', 'waybar'), 'utf8')) as { tooltip: string }).tooltip;
  assert.match(tooltip(), /waiting 2 min/);
  // Within the same minute a poll renders nothing: a line changed by hand stays.
  writeFileSync(join(home, 'bar', 'waybar'), '{"tooltip":"by hand"}\n');
  files.refresh([waiting], new Date(now.getTime() + 59_000));
  assert.equal(tooltip(), 'by hand');
  files.refresh([waiting], new Date(now.getTime() + 60_000));
  assert.match(tooltip(), /waiting 3 min/);
});

test('bar files: a folder that cannot be written is told once, and vmuxd goes on', () => {
  const home = tempDir('vmux-bar-files-');
  writeFileSync(join(home, 'bar'), 'a file where the folder goes');
  const warnings: string[] = [];
  const files = new BarFiles(home, { info: () => {}, debug: () => {}, warn: (line) => warnings.push(line) });
  files.show([session(1)], now);
  files.show([session(1), session(2)], now);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /could not write the bar files in .*bar: /);
});
