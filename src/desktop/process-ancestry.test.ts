import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { MAX_ANCESTRY_DEPTH, processAncestry } from './process-ancestry.js';

/** A `/proc/<pid>/stat` line with the fields vmux reads: state, ppid (field 4), start ticks (field 22). */
function statLine(pid: number, ppid: number, startTicks: number, state = 'S', comm = 'proc'): string {
  const fields5to21 = Array.from({ length: 17 }, () => '0');
  return `${pid} (${comm}) ${state} ${ppid} ${fields5to21.join(' ')} ${startTicks} 0 0\n`;
}

function fakeProcRoot(processes: readonly { pid: number; ppid: number; start?: number; state?: string; comm?: string }[]): string {
  const root = tempDir('vmux-ancestry-');
  for (const p of processes) {
    mkdirSync(join(root, String(p.pid)));
    writeFileSync(join(root, String(p.pid), 'stat'), statLine(p.pid, p.ppid, p.start ?? p.pid, p.state, p.comm));
  }
  return root;
}

test('processAncestry walks a real process up to PID 1', () => {
  const chain = processAncestry(process.pid, '/proc');
  assert.equal(chain[0], process.pid);
  assert.equal(chain[1], process.ppid);
  assert.equal(chain.at(-1), 1);
});

test('processAncestry follows ppid to PID 1, nearest first', () => {
  const root = fakeProcRoot([
    { pid: 1, ppid: 0 },
    { pid: 100, ppid: 1 },
    { pid: 200, ppid: 100 },
    { pid: 300, ppid: 200, comm: 'a (weird) name' },
  ]);
  assert.deepEqual(processAncestry(300, root), [300, 200, 100, 1]);
  assert.deepEqual(processAncestry(1, root), [1]);
});

test('processAncestry is empty for a process that is gone or a zombie', () => {
  const root = fakeProcRoot([
    { pid: 1, ppid: 0 },
    { pid: 50, ppid: 1, state: 'Z' },
  ]);
  assert.deepEqual(processAncestry(4242, root), []);
  assert.deepEqual(processAncestry(50, root), []);
  assert.deepEqual(processAncestry(0, root), []);
  assert.deepEqual(processAncestry(-3, root), []);
});

test('processAncestry stops where an ancestor vanished mid-walk or its stat is unreadable', () => {
  const root = fakeProcRoot([
    { pid: 1, ppid: 0 },
    { pid: 300, ppid: 200 }, // 200 is gone
    { pid: 500, ppid: 400 },
  ]);
  mkdirSync(join(root, '400')); // the folder is there, the stat file is not (gone between the two reads)
  mkdirSync(join(root, '600'));
  writeFileSync(join(root, '600', 'stat'), 'garbage');
  assert.deepEqual(processAncestry(300, root), [300]);
  assert.deepEqual(processAncestry(500, root), [500]);
  assert.deepEqual(processAncestry(600, root), []);
});

test('processAncestry stops at a parent PID reused by a process younger than its child', () => {
  const root = fakeProcRoot([
    { pid: 1, ppid: 0, start: 1 },
    { pid: 200, ppid: 1, start: 9000 }, // started after 300: not 300's real parent
    { pid: 300, ppid: 200, start: 500 },
  ]);
  assert.deepEqual(processAncestry(300, root), [300]);
});

test('processAncestry survives a cycle and bounds a deep chain', () => {
  const cycle = fakeProcRoot([
    { pid: 10, ppid: 11, start: 5 },
    { pid: 11, ppid: 10, start: 5 },
  ]);
  assert.deepEqual(processAncestry(10, cycle), [10, 11]);

  const deep = Array.from({ length: MAX_ANCESTRY_DEPTH + 50 }, (_, i) => ({ pid: i + 2, ppid: i + 3, start: 1 }));
  const chain = processAncestry(2, fakeProcRoot(deep));
  assert.equal(chain.length, MAX_ANCESTRY_DEPTH);
  assert.equal(chain[0], 2);
});
