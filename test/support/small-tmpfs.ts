import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { missingPrograms } from './programs.js';

/**
 * A tiny tmpfs of its own, to meet a real full disk (ENOSPC, short writes); unmounted when the test
 * file ends. Mounting needs root: elsewhere the answer is why it could not be had, for a skip.
 */
export function smallTmpfs(sizeKiB: number): { dir: string } | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: 'mounting a small tmpfs to fill needs root' };
  const missing = missingPrograms(['mount', 'umount', 'df', 'fallocate']);
  if (missing.length > 0) return { skip: `not on PATH: ${missing.join(', ')} (needed to mount a small tmpfs and fill it)` };
  const dir = mkdtempSync(join(tmpdir(), 'vmux-full-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `could not mount a tmpfs: ${(mounted.stderr || mounted.error?.message || '').trim()}` };
  }
  after(() => {
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir };
}

let fillers = 0;

/** Takes all but `leaveBytes` of the free space of the file system holding `dir`. */
export function fillDisk(dir: string, leaveBytes: number): void {
  const stat = spawnSync('df', ['--output=avail', '-B1', dir], { encoding: 'utf8' });
  const available = Number(stat.stdout.trim().split('\n').at(-1));
  if (available <= leaveBytes) return;
  const filled = spawnSync('fallocate', ['-l', String(available - leaveBytes), join(dir, `filler-${++fillers}`)]);
  if (filled.status !== 0) throw new Error(`could not fill ${dir}: ${filled.stderr}`);
}
