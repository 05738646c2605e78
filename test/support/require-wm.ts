import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { missingI3Binaries } from './i3-xvfb.js';
import { missingSwayBinaries } from './sway-headless.js';

/**
 * Whether a test that needs a real window manager cannot run: without it installed the test is
 * skipped, unless CI asks for it (`VMUX_REQUIRE_WM=1`), where its absence fails the test.
 */
export function skippedWithoutWm(t: TestContext, wm: 'i3' | 'sway'): boolean {
  const missing = wm === 'i3' ? missingI3Binaries() : missingSwayBinaries();
  if (missing.length > 0 && process.env['VMUX_REQUIRE_WM'] !== '1') {
    t.skip(`${wm} not installed (missing: ${missing.join(', ')})`);
    return true;
  }
  assert.deepEqual(missing, [], `VMUX_REQUIRE_WM=1 but ${wm} is not installed (missing: ${missing.join(', ')})`);
  return false;
}
