import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/**
 * A fresh folder removed when the test file ends; real path, since /proc shows real paths. A
 * process of the file still ending may write into it meanwhile (a vmuxd its bar files): the
 * removal tries again a few times, and a folder it still cannot remove is reported, not thrown,
 * since a failing `after` hook keeps the file's other hooks from stopping what it started.
 */
export function tempDir(prefix = 'vmux-test-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  after(() => {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    } catch (error) {
      process.stderr.write(`could not remove ${dir}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  });
  return dir;
}
