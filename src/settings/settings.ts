import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { VmuxError } from '../errors.js';
import { DEFAULT_IDLE_THRESHOLD_MS } from '../session-state.js';
import type { Environment } from '../sessions/discovery-context.js';
import { configFilePath, readConfigFile, type ConfigFile, type ConfigKey } from './config-file.js';
import { userHome } from '../files/user-home.js';

export const DEFAULT_POLL_SECONDS = 5;

/** Where vmuxd tells of a session that starts needing you: nowhere, desktop notifications, or tmux's message line. */
export const NOTIFY_MODES = ['off', 'desktop', 'tmux'] as const;
export type NotifyMode = (typeof NOTIFY_MODES)[number];

/** Where a value came from, most specific first: what `vmux config` shows beside each value. */
export type SettingSource = 'command line' | 'environment' | 'config file' | 'default';

export interface Setting<T> {
  readonly value: T;
  readonly source: SettingSource;
  /** The variable, file line or option that set it, e.g. `VMUX_IDLE_MINUTES`, `config.toml line 3`. */
  readonly origin: string;
}

/** Every setting vmux has, with where each came from. */
export interface Settings {
  readonly claudeDir: Setting<string>;
  readonly vmuxHome: Setting<string>;
  readonly idleMinutes: Setting<number>;
  readonly pollSeconds: Setting<number>;
  readonly launcher: Setting<string | undefined>;
  /** The terminal opened to show a background session (`claude attach`). */
  readonly terminal: Setting<string | undefined>;
  /** vmuxd's notifications (off unless asked for). */
  readonly notify: Setting<NotifyMode>;
  readonly configFile: ConfigFile;
}

/** What is wrong with a setting: an `error` stops the command (exit 2), a `warning` is told and the command goes on. */
export interface SettingProblem {
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** Values given on the command line, which win over everything else. */
export interface CommandLineSettings {
  readonly pollSeconds?: number;
  readonly launcher?: string;
  /** `vmuxd --notify [desktop|tmux]`: checked like the other sources, so it may be any text here. */
  readonly notify?: string;
}

/** A setting that cannot be used: the command stops before doing anything with it. */
export class SettingError extends VmuxError {
  constructor(message: string) {
    super('BAD_SETTING', message);
    this.name = 'SettingError';
  }
}

const LIMITS = {
  idle_minutes: { min: 0.1, max: 7 * 24 * 60, unit: 'minutes', example: '10' },
  poll_seconds: { min: 0.1, max: 3600, unit: 'seconds', example: '5' },
} as const;

/**
 * Resolves every setting from the command line, the environment, the config file and the
 * defaults, in that order, and says what is wrong with any of them. Reads the config file and
 * checks the folders named; nothing is created.
 */
export function resolveSettings(env: Environment, commandLine: CommandLineSettings = {}, config: ConfigFile = readConfigFile(configFilePath(env))): { settings: Settings; problems: SettingProblem[] } {
  const problems: SettingProblem[] = config.problems.map((message) => ({ severity: 'error', message }));
  const error = (message: string): void => void problems.push({ severity: 'error', message });
  const warn = (message: string): void => void problems.push({ severity: 'warning', message });

  const home = homeFolder(env, error);
  const claudeDir = claudeDirSetting(env, home, warn);
  const vmuxHome = vmuxHomeSetting(env, home, error);
  const idleMinutes = numberSetting('idle_minutes', 'VMUX_IDLE_MINUTES', env, config, undefined, DEFAULT_IDLE_THRESHOLD_MS / 60_000, error);
  const pollSeconds = numberSetting('poll_seconds', 'VMUX_POLL_SECONDS', env, config, commandLine.pollSeconds, DEFAULT_POLL_SECONDS, error);
  const launcher = commandSetting('launcher', 'VMUX_LAUNCHER', env, config, commandLine.launcher, 'rofi, wofi or dmenu, the first found');
  const terminal = commandSetting('terminal', 'VMUX_TERMINAL', env, config, undefined, 'foot, kitty, alacritty, wezterm, gnome-terminal, konsole, xfce4-terminal or xterm, the first found');
  const notify = choiceSetting('notify', 'VMUX_NOTIFY', NOTIFY_MODES, env, config, commandLine.notify, 'off', error);
  return { settings: { claudeDir, vmuxHome, idleMinutes, pollSeconds, launcher, terminal, notify, configFile: config }, problems };
}

/** The settings, or a `SettingError` naming every error; warnings go to `warn`. */
export function settingsOrThrow(env: Environment, commandLine: CommandLineSettings = {}, warn: (message: string) => void = () => {}): Settings {
  const { settings, problems } = resolveSettings(env, commandLine);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new SettingError(errors.map((p) => p.message).join('\n'));
  for (const problem of problems) warn(problem.message);
  return settings;
}

/** `$HOME`, else the user's home from the password database; an empty or relative HOME is an error. */
function homeFolder(env: Environment, error: (message: string) => void): string | undefined {
  const home = env['HOME'];
  if (home === undefined) return userHome(env);
  if (home === '' || !isAbsolute(home)) {
    const needed = env['VMUX_HOME'] && env['CLAUDE_CONFIG_DIR'];
    if (!needed) error(`HOME is ${home === '' ? 'empty' : `'${home}', not an absolute path`}; set HOME to your home folder (or VMUX_HOME and CLAUDE_CONFIG_DIR to absolute paths)`);
    return undefined;
  }
  return home;
}

function claudeDirSetting(env: Environment, home: string | undefined, warn: (message: string) => void): Setting<string> {
  const configured = env['CLAUDE_CONFIG_DIR'];
  if (configured === undefined || configured === '') {
    return { value: join(home ?? userHome(env), '.claude'), source: 'default', origin: '~/.claude' };
  }
  const kind = folderKind(configured);
  if (kind !== 'folder') {
    warn(
      `CLAUDE_CONFIG_DIR=${configured} ${kind === 'missing' ? 'does not exist' : 'is not a folder'}: vmux sees Claude Code processes but not their sessions, states or labels. ` +
        'Set it to the folder your Claude Code uses (the same CLAUDE_CONFIG_DIR), or unset it for ~/.claude',
    );
  } else if (!isAbsolute(configured)) {
    warn(`CLAUDE_CONFIG_DIR=${configured} is a relative path: it means a different folder in each directory; set it to an absolute path`);
  }
  return { value: configured, source: 'environment', origin: 'CLAUDE_CONFIG_DIR' };
}

function vmuxHomeSetting(env: Environment, home: string | undefined, error: (message: string) => void): Setting<string> {
  const configured = env['VMUX_HOME'];
  if (configured === undefined || configured === '') {
    return { value: join(home ?? '/nonexistent', '.vmux'), source: 'default', origin: '~/.vmux' };
  }
  if (!isAbsolute(configured)) {
    error(`VMUX_HOME=${configured} is not an absolute path; set it to one, e.g. VMUX_HOME=$HOME/.vmux`);
  } else {
    const kind = folderKind(configured);
    if (kind === 'other') error(`VMUX_HOME=${configured} is a file, not a folder; remove the file or set VMUX_HOME to a folder`);
  }
  return { value: configured, source: 'environment', origin: 'VMUX_HOME' };
}

function numberSetting(
  key: keyof typeof LIMITS,
  variable: string,
  env: Environment,
  config: ConfigFile,
  fromCommandLine: number | undefined,
  fallback: number,
  error: (message: string) => void,
): Setting<number> {
  const { min, max, unit, example } = LIMITS[key];
  const inRange = (n: number): boolean => Number.isFinite(n) && n >= min && n <= max;
  const rule = `a number of ${unit} from ${min} to ${max}`;
  if (fromCommandLine !== undefined) {
    if (!inRange(fromCommandLine)) error(`--${key.replace('_', '-')} takes ${rule}`);
    return { value: inRange(fromCommandLine) ? fromCommandLine : fallback, source: 'command line', origin: `--${key.replace('_', '-')}` };
  }
  const raw = env[variable];
  if (raw !== undefined && raw !== '') {
    const n = Number(raw.trim());
    if (raw.trim() === '' || !inRange(n)) {
      error(`${variable}=${raw} is not ${rule}; set it to e.g. ${variable}=${example}, or unset it for the default (${fallback})`);
      return { value: fallback, source: 'default', origin: 'built in' };
    }
    return { value: n, source: 'environment', origin: variable };
  }
  const entry = config.entries[key as ConfigKey];
  if (entry !== undefined && typeof entry.value === 'number') {
    if (!inRange(entry.value)) {
      error(`${config.path}: line ${entry.line}: ${key} must be ${rule}, not ${entry.value}`);
      return { value: fallback, source: 'default', origin: 'built in' };
    }
    return { value: entry.value, source: 'config file', origin: `${config.path} line ${entry.line}` };
  }
  return { value: fallback, source: 'default', origin: 'built in' };
}

/** A program to run (launcher, terminal): given on the command line, in the environment or in the file, else found. */
function commandSetting(
  key: 'launcher' | 'terminal',
  variable: string,
  env: Environment,
  config: ConfigFile,
  fromCommandLine: string | undefined,
  fallback: string,
): Setting<string | undefined> {
  if (fromCommandLine !== undefined && fromCommandLine.trim() !== '') return { value: fromCommandLine, source: 'command line', origin: `--${key}` };
  const fromEnvironment = env[variable];
  if (fromEnvironment !== undefined && fromEnvironment.trim() !== '') return { value: fromEnvironment, source: 'environment', origin: variable };
  const entry = config.entries[key];
  if (entry !== undefined && typeof entry.value === 'string' && entry.value.trim() !== '') {
    return { value: entry.value, source: 'config file', origin: `${config.path} line ${entry.line}` };
  }
  return { value: undefined, source: 'default', origin: fallback };
}

/** One of a few words: given on the command line, in the environment or in the file, else the default. */
function choiceSetting<T extends string>(
  key: 'notify',
  variable: string,
  choices: readonly T[],
  env: Environment,
  config: ConfigFile,
  fromCommandLine: string | undefined,
  fallback: T,
  error: (message: string) => void,
): Setting<T> {
  const isChoice = (text: string): text is T => (choices as readonly string[]).includes(text);
  const rule = `one of ${choices.join(', ')}`;
  if (fromCommandLine !== undefined) {
    if (isChoice(fromCommandLine)) return { value: fromCommandLine, source: 'command line', origin: `--${key}` };
    error(`--${key} takes ${rule}, not '${fromCommandLine}'`);
    return { value: fallback, source: 'default', origin: 'built in' };
  }
  const raw = env[variable]?.trim();
  if (raw !== undefined && raw !== '') {
    if (isChoice(raw)) return { value: raw, source: 'environment', origin: variable };
    error(`${variable}=${raw} is not ${rule}; set it to one of them, or unset it for the default (${fallback})`);
    return { value: fallback, source: 'default', origin: 'built in' };
  }
  const entry = config.entries[key];
  if (entry !== undefined && typeof entry.value === 'string') {
    if (isChoice(entry.value)) return { value: entry.value, source: 'config file', origin: `${config.path} line ${entry.line}` };
    error(`${config.path}: line ${entry.line}: ${key} must be ${rule}, not '${entry.value}'`);
  }
  return { value: fallback, source: 'default', origin: 'built in' };
}

function folderKind(path: string): 'folder' | 'missing' | 'other' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'other';
  } catch {
    return 'missing';
  }
}

/**
 * The environment the rest of vmux reads, with every resolved setting in it: values from the
 * config file become the variables they stand for, so discovery and the daemon see one truth.
 */
export function environmentWithSettings(env: Environment, settings: Settings): Environment {
  return {
    ...env,
    CLAUDE_CONFIG_DIR: settings.claudeDir.value,
    VMUX_HOME: settings.vmuxHome.value,
    VMUX_IDLE_MINUTES: String(settings.idleMinutes.value),
    VMUX_POLL_SECONDS: String(settings.pollSeconds.value),
    ...(settings.launcher.value !== undefined ? { VMUX_LAUNCHER: settings.launcher.value } : {}),
    ...(settings.terminal.value !== undefined ? { VMUX_TERMINAL: settings.terminal.value } : {}),
    VMUX_NOTIFY: settings.notify.value,
  };
}

/** What a long-running process (vmuxd) learns when it looks at its settings again. */
export type SettingsChange =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'changed'; readonly settings: Settings; readonly env: Environment }
  /** The config file was edited into something unusable: the last good settings stay in force. */
  | { readonly kind: 'rejected'; readonly problems: readonly string[] };

/**
 * Follows the config file for a process that runs for days: when the file changes, the settings
 * are resolved again; a file with errors is told and ignored, so the process keeps its last good
 * settings instead of stopping.
 */
export class SettingsFollower {
  private stamp: string;

  constructor(
    private readonly env: Environment,
    private readonly commandLine: CommandLineSettings = {},
  ) {
    this.stamp = fileStamp(configFilePath(env));
  }

  check(): SettingsChange {
    const path = configFilePath(this.env);
    const stamp = fileStamp(path);
    if (stamp === this.stamp) return { kind: 'unchanged' };
    this.stamp = stamp;
    const { settings, problems } = resolveSettings(this.env, this.commandLine);
    const errors = problems.filter((p) => p.severity === 'error').map((p) => p.message);
    if (errors.length > 0) return { kind: 'rejected', problems: errors };
    return { kind: 'changed', settings, env: environmentWithSettings(this.env, settings) };
  }
}

function fileStamp(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'absent';
  }
}
