import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { errnoCode } from '../errors.js';

/**
 * Writes `data` beside `path` and renames it into place: a reader sees the old file or the new,
 * never half of one, and whatever stands at `path` (a link, a FIFO) is replaced, never written
 * through. The temporary file is created afresh (one a run that died left is removed first) and
 * is gone again when the write fails.
 */
export function replaceFile(path: string, data: string | Uint8Array, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  removeIfThere(temporary);
  try {
    writeFileSync(temporary, data, { mode, flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    try {
      removeIfThere(temporary);
    } catch {
      // What failed is the error worth telling.
    }
    throw error;
  }
}

/** `unlink`, not `rmSync`: vmuxd replaces its bar files at every change, and `rmSync` loads and runs far more. */
function removeIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
}
