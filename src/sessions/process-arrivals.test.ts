import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startFakeClaude, type FakeClaude } from '../../test/support/fake-claude.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { ProcessArrivals } from './process-arrivals.js';

const root = tempDir();
const started: FakeClaude[] = [];
after(async () => {
  await Promise.all(started.map((p) => p.stop('SIGKILL')));
});

/** A proc root of plain files, which only this test changes (other tests start processes too). */
function fakeProcRoot(): { readonly path: string; add(pid: number, comm: string, argv?: readonly string[]): void } {
  const path = tempDir();
  return {
    path,
    add(pid, comm, argv = [comm]) {
      mkdirSync(join(path, String(pid)));
      writeFileSync(join(path, String(pid), 'comm'), `${comm}\n`);
      writeFileSync(join(path, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
    },
  };
}

test('the Node build, which writes no file at start, is told as soon as it runs', async () => {
  const arrivals = new ProcessArrivals();
  arrivals.learn('/proc');
  const cwd = join(root, 'node-build');
  mkdirSync(cwd);
  started.push(await startFakeClaude({ cwd, binDir: join(root, 'bin'), shape: 'node-build' }));
  assert.equal(arrivals.mayHaveNewSession('/proc'), true);
});

test('a new process is told once, only when it may be a Claude Code session; the first look and a full scan only learn', () => {
  const proc = fakeProcRoot();
  proc.add(100, 'bash');
  const arrivals = new ProcessArrivals();
  assert.equal(arrivals.mayHaveNewSession(proc.path), false, 'the first look has nothing to compare with');
  proc.add(101, 'rg');
  assert.equal(arrivals.mayHaveNewSession(proc.path), false, 'a tool that started');
  proc.add(104, 'node', ['node', '/usr/lib/node_modules/vmux/dist/vmux.cjs', 'list']);
  proc.add(105, 'claude', ['claude', '--version']);
  assert.equal(arrivals.mayHaveNewSession(proc.path), false, 'another Node program, a claude that is no session');
  proc.add(102, 'claude');
  assert.equal(arrivals.mayHaveNewSession(proc.path), true);
  assert.equal(arrivals.mayHaveNewSession(proc.path), false, 'known from then on');
  proc.add(103, '2.1.332');
  arrivals.learn(proc.path);
  assert.equal(arrivals.mayHaveNewSession(proc.path), false, 'a full scan saw it');
});
