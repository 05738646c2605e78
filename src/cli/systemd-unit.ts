import { isAbsolute, join } from 'node:path';
import { VmuxError } from '../errors.js';
import type { Environment } from '../sessions/discovery-context.js';
import { userHome } from '../files/user-home.js';

/** The unit's name, as `systemctl --user` and `journalctl --user -u` take it. */
export const SERVICE_NAME = 'vmuxd.service';

/** Where the systemd user manager looks for a user's own units, and where `enable` links them. */
export interface UnitPaths {
  readonly dir: string;
  readonly unitPath: string;
  /** The link `systemctl --user enable` makes (the unit is `WantedBy=default.target`). */
  readonly wantsLink: string;
}

/** `$XDG_CONFIG_HOME/systemd/user`, else `~/.config/systemd/user`: the first folder of systemd's user unit path. */
export function unitPaths(env: Environment): UnitPaths {
  const xdg = env['XDG_CONFIG_HOME'];
  const config = xdg !== undefined && isAbsolute(xdg) ? xdg : join(userHome(env), '.config');
  const dir = join(config, 'systemd', 'user');
  return { dir, unitPath: join(dir, SERVICE_NAME), wantsLink: join(dir, 'default.target.wants', SERVICE_NAME) };
}

/**
 * Variables that say where things are. The service manager's environment has none of the
 * caller's, so a vmuxd started by it would look in the wrong folders without them.
 */
export const PINNED_VARIABLES = ['CLAUDE_CONFIG_DIR', 'VMUX_HOME', 'XDG_CONFIG_HOME'] as const;

export interface UnitOptions {
  /** Comment lines at the top, without `# `. */
  readonly header: readonly string[];
  /** The program and its arguments. */
  readonly execStart: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
}

/** The text of `vmuxd.service`: the one `vmux service install` writes and the one packaged. */
export function serviceUnit(options: UnitOptions): string {
  const environment = Object.entries(options.environment ?? {}).map(([name, value]) => `Environment=${unitWord(`${name}=${value}`, { expandsVariables: false })}`);
  return [
    ...options.header.map((line) => (line === '' ? '#' : `# ${line}`)),
    '[Unit]',
    'Description=vmuxd: live state of every Claude Code session for vmux',
    'Documentation=man:vmux(1)',
    '# Status bars and `vmux watch` subscribe to it once the graphical session is up.',
    'PartOf=default.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${options.execStart.map((word) => unitWord(word, { expandsVariables: true })).join(' ')}`,
    ...environment,
    'Restart=on-failure',
    'RestartSec=2',
    '# Exit 2 is a wrong setting: starting again would not mend it (`vmux config` says what is wrong).',
    'RestartPreventExitStatus=2',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

/**
 * One word of a unit line, quoted as systemd reads it: `%` is a specifier, `$` (in ExecStart) a
 * variable, and a space would split the word. A path holding a line break cannot be written.
 */
export function unitWord(word: string, options: { readonly expandsVariables: boolean }): string {
  if (/[\x00-\x1f\x7f]/.test(word)) {
    throw new VmuxError('BAD_SETTING', `cannot write ${JSON.stringify(word)} into a systemd unit: it holds a control character (a line break?)`);
  }
  let escaped = word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%');
  if (options.expandsVariables) escaped = escaped.replace(/\$/g, '$$$$');
  return escaped !== word || word === '' || /[\s'";]/.test(word) ? `"${escaped}"` : word;
}

/** The words of the unit's `ExecStart=`, unquoted; undefined when it has none. */
export function execStartOf(unitText: string): string[] | undefined {
  const line = unitText.split('\n').find((l) => l.startsWith('ExecStart='));
  if (line === undefined) return undefined;
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const match of line.slice('ExecStart='.length).matchAll(pattern)) {
    const raw = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? '');
    words.push(raw.replace(/%%/g, '%').replace(/\$\$/g, '$'));
  }
  return words;
}
