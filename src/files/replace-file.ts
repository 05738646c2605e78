import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Writes `data` beside `path` and renames it into place: a reader sees the old file or the new,
 * never half of one, and whatever stands at `path` (a link, a FIFO) is replaced, never written
 * through. The temporary file is created afresh (one a run that died left is removed first) and
 * is gone again when the write fails.
 */
export function replaceFile(path: string, data: string | Uint8Array, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  try {
    writeFileSync(temporary, data, { mode, flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // What failed is the error worth telling.
    }
    throw error;
  }
}
