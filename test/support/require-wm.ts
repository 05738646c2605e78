import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { missingI3Binaries, startI3UnderXvfb, type WmHarness } from './i3-xvfb.js';
import { missingSwayBinaries, startSwayHeadless } from './sway-headless.js';

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

/**
 * Runs `body` against a real window manager of its own, started for it and stopped after,
 * skipped or failed as `skippedWithoutWm` says when the window manager is missing.
 */
export async function withRealWm(t: TestContext, wm: 'i3' | 'sway', body: (harness: WmHarness) => Promise<void>): Promise<void> {
  if (skippedWithoutWm(t, wm)) return;
  const harness = wm === 'i3' ? await startI3UnderXvfb() : await startSwayHeadless();
  try {
    await body(harness);
  } finally {
    await harness.stop();
  }
}
