import { isAbsolute, join } from 'node:path';
import { errnoCode, messageOf } from '../errors.js';
import { readRegularTextFile } from '../files/read-regular-file.js';
import type { Environment } from '../sessions/discovery-context.js';
import { didYouMeanHint } from '../text/did-you-mean.js';
import { tomlParser } from './load-toml-parser.js';
import { userHome } from '../files/user-home.js';

/** A config file is a few lines; anything larger is a mistake, not settings. */
const MAX_CONFIG_BYTES = 256 * 1024;

/** The keys of `config.toml`, each with what its value must be. */
export const CONFIG_KEYS = {
  idle_minutes: 'number',
  poll_seconds: 'number',
  launcher: 'string',
  terminal: 'string',
  notify: 'string',
} as const satisfies Record<string, 'number' | 'string'>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** One value of the file, and the line it is on (for messages and `vmux config`). */
export interface ConfigEntry {
  readonly value: number | string;
  readonly line: number;
}

/** What the file says, or why it cannot be used; `problems` name the line and what to change. */
export interface ConfigFile {
  readonly path: string;
  /** False when there is no file: every setting then comes from elsewhere. */
  readonly exists: boolean;
  readonly entries: Partial<Record<ConfigKey, ConfigEntry>>;
  readonly problems: readonly string[];
}

/** `$XDG_CONFIG_HOME/vmux/config.toml`, else `~/.config/vmux/config.toml`. */
export function configFilePath(env: Environment): string {
  const xdg = env['XDG_CONFIG_HOME'];
  // The XDG rule: a relative value is invalid and ignored.
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'vmux', 'config.toml');
  return join(userHome(env), '.config', 'vmux', 'config.toml');
}

export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readRegularTextFile(path, { maxBytes: MAX_CONFIG_BYTES });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { path, exists: false, entries: {}, problems: [] };
    return { path, exists: true, entries: {}, problems: [`${path}: cannot be read (${messageOf(error)})`] };
  }
  return parseConfig(path, text);
}

/** Checks every key and value; a file with problems is used for none of its values. */
export function parseConfig(path: string, text: string): ConfigFile {
  let table: Record<string, unknown>;
  const toml = tomlParser();
  try {
    table = toml.parse(text);
  } catch (error) {
    const where = error instanceof toml.TomlError ? `line ${error.line}: ` : '';
    const what = messageOf(error).split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? '';
    return { path, exists: true, entries: {}, problems: [`${path}: ${where}${what}`] };
  }
  const entries: Partial<Record<ConfigKey, ConfigEntry>> = {};
  const problems: string[] = [];
  const known = Object.keys(CONFIG_KEYS);
  for (const [key, value] of Object.entries(table)) {
    const line = lineOf(text, key);
    const at = `${path}: line ${line}`;
    if (!isConfigKey(key)) {
      problems.push(`${at}: unknown setting '${key}'${didYouMeanHint(key, known)}; the settings are ${known.join(', ')}`);
      continue;
    }
    const expected = CONFIG_KEYS[key];
    if (typeof value !== expected) {
      problems.push(`${at}: ${key} must be a ${expected}${expected === 'string' ? ' in quotes' : ''}, not ${describe(value)}`);
      continue;
    }
    entries[key] = { value: value as number | string, line };
  }
  return problems.length > 0 ? { path, exists: true, entries: {}, problems } : { path, exists: true, entries, problems };
}

function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_KEYS, key);
}

/** The line that sets `key` at the top level (1-based); 1 when it cannot be told. */
function lineOf(text: string, key: string): number {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const index = text.split('\n').findIndex((line) => new RegExp(`^\\s*("?)${escaped}\\1\\s*=`).test(line) || new RegExp(`^\\s*\\[\\s*${escaped}\\s*\\]`).test(line));
  return index < 0 ? 1 : index + 1;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object' && value !== null) return 'a table';
  return `${typeof value} ${JSON.stringify(value)}`;
}
