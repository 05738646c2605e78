import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { I3_BINARIES, startI3UnderXvfb, type WmHarness } from './i3-xvfb.js';
import { NOTIFICATION_SERVER_PROGRAMS, SESSION_BUS_PROGRAMS } from './notification-server.js';
import { POLYBAR_PROGRAMS } from './polybar-xvfb.js';
import { WAYBAR_PROGRAMS } from './waybar-sway.js';
import { missingPrograms, requiredByCi } from './programs.js';
import { startSwayHeadless, swayUnavailable } from './sway-headless.js';

/**
 * What a test may need from the machine beyond Node and git, and the one rule for a need that is
 * not met: the test is skipped with a one-line reason, unless CI asks for everything
 * (`VMUX_REQUIRE_WM=1`, set by .ci/run), where it fails instead. The rule covers tmux as well as
 * the window managers: CI installs both, and a test that quietly skipped there would prove nothing.
 *
 * - `tmux`: a private tmux server;
 * - `tmux client`: tmux and `script` (util-linux), which gives a headless client its terminal;
 * - `i3`: Xvfb, i3, i3-msg and xterm; `xprop` (x11-utils) for the window's PID;
 * - `sway`: sway, swaymsg, foot and footclient; as root also a temporary user to run them as,
 *   which only CI may create (sway refuses to run as root);
 * - `bash`: to read back a command line as a shell would;
 * - `zsh`, `fish`: to load the completion scripts vmux prints for them;
 * - `session bus`: a private D-Bus session bus (`dbus-daemon`);
 * - `notification server`: that bus with dunst on it, under Xvfb (`dunstctl` and `dbus-send` drive it);
 * - `polybar`: polybar under Xvfb, clicked with xdotool;
 * - `waybar`: waybar (with `sway`: on a headless sway).
 */
export type Need = 'tmux' | 'tmux client' | 'i3' | 'xprop' | 'sway' | 'bash' | 'zsh' | 'fish' | 'session bus' | 'notification server' | 'polybar' | 'waybar';

/** What each need runs, and what for (as a skip reason says it). */
const PROGRAMS: Readonly<Record<Exclude<Need, 'sway'>, { readonly programs: readonly string[]; readonly purpose: string }>> = {
  tmux: { programs: ['tmux'], purpose: 'a private tmux server' },
  'tmux client': { programs: ['tmux', 'script'], purpose: 'a tmux server with an attached client' },
  i3: { programs: I3_BINARIES, purpose: 'i3 under Xvfb' },
  xprop: { programs: ['xprop'], purpose: "reading an X window's PID" },
  bash: { programs: ['bash'], purpose: 'reading a printed command line back' },
  zsh: { programs: ['zsh'], purpose: 'loading the zsh completion script' },
  fish: { programs: ['fish'], purpose: 'loading the fish completion script' },
  'session bus': { programs: SESSION_BUS_PROGRAMS, purpose: 'a private D-Bus session bus' },
  'notification server': { programs: NOTIFICATION_SERVER_PROGRAMS, purpose: 'a notification server (dunst under Xvfb) on a private session bus' },
  polybar: { programs: POLYBAR_PROGRAMS, purpose: 'polybar under Xvfb' },
  waybar: { programs: WAYBAR_PROGRAMS, purpose: 'waybar on a headless sway' },
};

/** Why `need` cannot be met on this machine, in a few words; undefined when it can. */
export function unmetNeed(need: Need): string | undefined {
  if (need === 'sway') return swayUnavailable();
  const { programs, purpose } = PROGRAMS[need];
  const missing = missingPrograms(programs);
  return missing.length === 0 ? undefined : `not on PATH: ${missing.join(', ')} (needed for ${purpose})`;
}

/**
 * For the first lines of a test: marks it skipped and returns true when one of `needs` is not met
 * here, or fails it under `VMUX_REQUIRE_WM=1`. Call it before starting anything, so that a skipped
 * test has nothing to clean up.
 */
export function skippedWithout(t: TestContext, ...needs: readonly Need[]): boolean {
  const unmet = needs.map(unmetNeed).filter((reason): reason is string => reason !== undefined);
  if (unmet.length === 0) return false;
  assert.ok(!requiredByCi(), `VMUX_REQUIRE_WM=1 but ${unmet.join('; ')}`);
  const hint = unmet.some((reason) => reason.includes('VMUX_REQUIRE_WM')) ? '' : '; set VMUX_REQUIRE_WM=1 to make this a failure';
  t.skip(`${unmet.join('; ')}${hint}`);
  return true;
}

/** `skippedWithout` for one window manager. */
export function skippedWithoutWm(t: TestContext, wm: 'i3' | 'sway'): boolean {
  return skippedWithout(t, wm);
}

/**
 * Runs `body` against a real window manager of its own, skipped or failed as `skippedWithout`
 * says when it is missing. The window manager is stopped by a hook of the test, registered as soon
 * as it answers: it runs when the body fails and when the test times out (the body may then still
 * be running), not only when the body returns.
 */
export async function withRealWm(t: TestContext, wm: 'i3' | 'sway', body: (harness: WmHarness) => Promise<void>): Promise<void> {
  if (skippedWithoutWm(t, wm)) return;
  // Each start stops whatever it started when it fails, so nothing is left before this point.
  const harness = wm === 'i3' ? await startI3UnderXvfb() : await startSwayHeadless();
  t.after(() => harness.stop());
  await body(harness);
  await harness.stop();
}

/**
 * The environment of a vmuxd started outside the harness's desktop (no window manager
 * variables), which still sees the harness's sessions: those of a sway run as another user are
 * that user's, so vmux run by root is asked for every user's.
 */
export function outsideTheDesktop(harness: { readonly env: Readonly<Record<string, string | undefined>> }, env: Record<string, string>): Record<string, string> {
  return harness.env['VMUX_ALL_USERS'] === '1' ? { ...env, VMUX_ALL_USERS: '1' } : env;
}
