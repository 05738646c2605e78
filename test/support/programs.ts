import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Where the tests find outside programs: through PATH, as a shell would, never at a fixed path.
 * The one place that decides whether a program is there (tmux, a window manager, a terminal,
 * `script`, `useradd`…); the skip-or-fail policy built on it lives in `require-wm.ts`.
 * No `node:test` import, so benchmarks can use it too.
 */

/** The path of the executable `name` in the first PATH folder that has one; undefined when none does. */
export function findProgram(name: string, path = process.env['PATH'] ?? ''): string | undefined {
  if (name.includes('/')) throw new Error(`findProgram takes a name, not a path: ${name}`);
  for (const dir of path.split(delimiter)) {
    // An empty or relative PATH entry means a folder relative to the working folder: never ours.
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here: the next folder.
    }
  }
  return undefined;
}

/** The names of `names` that PATH has no executable for, in their order. */
export function missingPrograms(names: readonly string[], path?: string): string[] {
  return names.filter((name) => findProgram(name, path) === undefined);
}

/** The path of `name`, or an error that says which program is missing and what needs it. */
export function requireProgram(name: string, neededFor: string): string {
  const found = findProgram(name);
  if (found === undefined) throw new Error(`${name} is not on PATH (${process.env['PATH'] ?? 'unset'}); ${neededFor} needs it`);
  return found;
}

/**
 * Whether CI asks for every program the tests can use (`VMUX_REQUIRE_WM=1`, set by .ci/run after
 * installing them): tmux, the window managers and their terminals. A test that needs a missing one
 * then fails instead of skipping, and the sway tests may create a temporary user when run as root.
 */
export function requiredByCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['VMUX_REQUIRE_WM'] === '1';
}
