import { loadOs } from '../lazy-builtins.js';

/** `$HOME`, else the user's home folder as the system's user database gives it. */
export function userHome(env: Readonly<Record<string, string | undefined>>): string {
  return env['HOME'] || loadOs().homedir();
}
