/**
 * waybar on a headless sway (`sway-headless.ts`), run as the sway user, with one `custom/<name>`
 * module per line given, each printing its line once (`return-type: json`, as `vmux bar --format
 * waybar` is configured). GTK says in waybar's log when a text or tooltip is not valid Pango markup
 * ("Failed to set text … from markup"), and waybar when a line is not valid JSON: `log()` holds both.
 * Stopped by `stop()`, or killed when the process exits.
 */
import { chownSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exitReason, pollFor, startProcess, stopProcessTree } from './i3-xvfb.js';
import { asSwayUser, type SwayHarness } from './sway-headless.js';

/** What a waybar test runs, beside sway. */
export const WAYBAR_PROGRAMS = ['waybar'] as const;

const READY_TIMEOUT_MS = 15_000;

export interface Waybar {
  log(): string;
  stop(): Promise<void>;
}

/** Starts waybar with a module per entry of `lines` (name → one line of JSON); resolves once its bar is configured. */
export async function startWaybar(harness: SwayHarness, lines: Readonly<Record<string, string>>): Promise<Waybar> {
  const { user, dir } = harness;
  const own = (path: string): void => chownSync(path, user.uid, user.gid);
  const modules: Record<string, unknown> = {};
  for (const [name, line] of Object.entries(lines)) {
    const path = join(dir, `waybar-${name}.json`);
    writeFileSync(path, `${line}\n`);
    own(path);
    modules[`custom/${name}`] = { exec: `cat '${path}'`, 'return-type': 'json' };
  }
  const config = join(dir, 'waybar.json');
  writeFileSync(config, JSON.stringify({ layer: 'top', position: 'top', height: 24, 'modules-left': Object.keys(modules), ...modules }));
  const style = join(dir, 'waybar.css');
  writeFileSync(style, '* { font-family: monospace; font-size: 12px; }\n');
  own(config);
  own(style);
  const [file, args] = asSwayUser(user, ['waybar', '-c', config, '-s', style, '-l', 'debug']);
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: user.home, XDG_RUNTIME_DIR: harness.runtimeDir, WAYLAND_DISPLAY: harness.env['WAYLAND_DISPLAY'] ?? harness.waylandDisplay };
  const waybar = await startProcess('waybar', file, args, { env });
  try {
    await pollFor(() => (/Bar configured/.test(waybar.output()) ? true : undefined), 'waybar to configure its bar', {
      timeoutMs: READY_TIMEOUT_MS,
      abort: () => exitReason(waybar),
    });
  } catch (error) {
    await stopProcessTree(waybar).catch(() => undefined);
    throw error;
  }
  return {
    log: () => waybar.output(),
    stop: async () => {
      await stopProcessTree(waybar);
    },
  };
}
