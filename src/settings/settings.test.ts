import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { parseConfig, readConfigFile } from './config-file.js';
import { environmentWithSettings, resolveSettings, settingsOrThrow, SettingError } from './settings.js';

const root = tempDir('vmux-settings-');
const home = join(root, 'home');
mkdirSync(join(home, '.claude'), { recursive: true });
const noConfig = parseConfig('/nowhere/config.toml', '');
const base = { HOME: home };

function problemsOf(env: Record<string, string>, config = noConfig): string[] {
  return resolveSettings(env, {}, config).problems.map((p) => `${p.severity}: ${p.message}`);
}

test('settings: defaults, with where each came from', () => {
  const { settings, problems } = resolveSettings(base, {}, noConfig);
  assert.deepEqual(problems, []);
  assert.equal(settings.claudeDir.value, join(home, '.claude'));
  assert.equal(settings.vmuxHome.value, join(home, '.vmux'));
  assert.deepEqual([settings.idleMinutes.value, settings.idleMinutes.source], [10, 'default']);
  assert.deepEqual([settings.pollSeconds.value, settings.pollSeconds.source], [5, 'default']);
  assert.equal(settings.launcher.value, undefined);
});

test('settings: VMUX_IDLE_MINUTES that is not a positive number is an error naming the value and the fix', () => {
  for (const value of ['abc', '-5', '0', 'Infinity', ' ']) {
    const [problem, ...rest] = problemsOf({ ...base, VMUX_IDLE_MINUTES: value });
    assert.equal(rest.length, 0, value);
    assert.match(problem ?? '', new RegExp(`^error: VMUX_IDLE_MINUTES=${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a number of minutes from 0.1 to 10080; set it to e.g. VMUX_IDLE_MINUTES=10, or unset it`));
  }
  assert.equal(resolveSettings({ ...base, VMUX_IDLE_MINUTES: '2.5' }, {}, noConfig).settings.idleMinutes.value, 2.5);
});

test('settings: CLAUDE_CONFIG_DIR pointing at a missing folder is told, not silently empty', () => {
  const [problem] = problemsOf({ ...base, CLAUDE_CONFIG_DIR: join(root, 'missing') });
  assert.match(problem ?? '', /^warning: CLAUDE_CONFIG_DIR=.*missing does not exist: vmux sees Claude Code processes but not their sessions, states or labels/);
  writeFileSync(join(root, 'a-file'), '');
  assert.match(problemsOf({ ...base, CLAUDE_CONFIG_DIR: join(root, 'a-file') })[0] ?? '', /is not a folder/);
  assert.deepEqual(problemsOf({ ...base, CLAUDE_CONFIG_DIR: join(home, '.claude') }), []);
});

test('settings: an empty or relative HOME is an error instead of a .vmux in the current folder', () => {
  assert.match(problemsOf({ HOME: '' })[0] ?? '', /^error: HOME is empty; set HOME to your home folder/);
  assert.match(problemsOf({ HOME: 'relative/home' })[0] ?? '', /^error: HOME is 'relative\/home', not an absolute path/);
  assert.deepEqual(problemsOf({ HOME: '', VMUX_HOME: join(root, 'vh'), CLAUDE_CONFIG_DIR: join(home, '.claude') }), [], 'not needed when both folders are named');
});

test('settings: VMUX_HOME must be an absolute path to a folder', () => {
  assert.match(problemsOf({ ...base, VMUX_HOME: 'relative' })[0] ?? '', /^error: VMUX_HOME=relative is not an absolute path/);
  writeFileSync(join(root, 'home-file'), '');
  assert.match(problemsOf({ ...base, VMUX_HOME: join(root, 'home-file') })[0] ?? '', /^error: VMUX_HOME=.*home-file is a file, not a folder/);
  assert.deepEqual(problemsOf({ ...base, VMUX_HOME: join(root, 'not-yet') }), [], 'a folder that does not exist yet is created by vmuxd');
});

test('settings: command line beats environment beats config file beats default', () => {
  const config = parseConfig('/c/config.toml', 'idle_minutes = 3\npoll_seconds = 2\nlauncher = "fuzzel --dmenu"\n');
  const fromFile = resolveSettings(base, {}, config).settings;
  assert.deepEqual(fromFile.idleMinutes, { value: 3, source: 'config file', origin: '/c/config.toml line 1' });
  assert.deepEqual(fromFile.pollSeconds, { value: 2, source: 'config file', origin: '/c/config.toml line 2' });
  assert.equal(fromFile.launcher.value, 'fuzzel --dmenu');
  const fromEnv = resolveSettings({ ...base, VMUX_IDLE_MINUTES: '7', VMUX_LAUNCHER: 'rofi -dmenu' }, { pollSeconds: 1 }, config).settings;
  assert.deepEqual([fromEnv.idleMinutes.value, fromEnv.idleMinutes.source], [7, 'environment']);
  assert.deepEqual([fromEnv.pollSeconds.value, fromEnv.pollSeconds.source], [1, 'command line']);
  assert.deepEqual([fromEnv.launcher.value, fromEnv.launcher.origin], ['rofi -dmenu', 'VMUX_LAUNCHER']);
  assert.equal(environmentWithSettings(base, fromFile)['VMUX_IDLE_MINUTES'], '3');
});

test('settings: notifications are off unless asked for; a word that is no place to notify is an error from every source', () => {
  assert.deepEqual(resolveSettings(base, {}, noConfig).settings.notify, { value: 'off', source: 'default', origin: 'built in' });
  const config = parseConfig('/c/config.toml', 'notify = "tmux"\n');
  assert.deepEqual(resolveSettings(base, {}, config).settings.notify, { value: 'tmux', source: 'config file', origin: '/c/config.toml line 1' });
  assert.equal(resolveSettings({ ...base, VMUX_NOTIFY: 'desktop' }, {}, config).settings.notify.value, 'desktop');
  assert.equal(resolveSettings({ ...base, VMUX_NOTIFY: 'desktop' }, { notify: 'off' }, config).settings.notify.value, 'off');
  assert.deepEqual(problemsOf({ ...base, VMUX_NOTIFY: 'loud' }), ['error: VMUX_NOTIFY=loud is not one of off, desktop, tmux; set it to one of them, or unset it for the default (off)']);
  assert.deepEqual(resolveSettings(base, { notify: 'dbus' }, noConfig).problems.map((p) => p.message), ["--notify takes one of off, desktop, tmux, not 'dbus'"]);
  assert.deepEqual(problemsOf(base, parseConfig('/c/config.toml', 'notify = "yes"\n')), ["error: /c/config.toml: line 1: notify must be one of off, desktop, tmux, not 'yes'"]);
});

test('config file: a syntax error, an unknown key or a wrong type names the line and the fix', () => {
  assert.deepEqual(parseConfig('/c/config.toml', 'idle_minutes = 3\npoll_seconds = [\n').problems.length, 1);
  assert.match(parseConfig('/c/config.toml', 'idle_minutes = 3\npoll_seconds = [\n').problems[0] ?? '', /^\/c\/config\.toml: line \d+: /);
  assert.deepEqual(parseConfig('/c/config.toml', 'idle_minutes = 3\nidle_minute = 4\n').problems, [
    "/c/config.toml: line 2: unknown setting 'idle_minute' (did you mean 'idle_minutes'?); the settings are idle_minutes, poll_seconds, launcher, terminal, notify",
  ]);
  assert.deepEqual(parseConfig('/c/config.toml', '\nidle_minutes = "ten"\n').problems, ['/c/config.toml: line 2: idle_minutes must be a number, not string "ten"']);
  assert.deepEqual(parseConfig('/c/config.toml', 'launcher = 3\n').problems, ['/c/config.toml: line 1: launcher must be a string in quotes, not number 3']);
  assert.match(problemsOf(base, parseConfig('/c/config.toml', 'poll_seconds = 0\n'))[0] ?? '', /^error: \/c\/config\.toml: line 1: poll_seconds must be a number of seconds from 0.1 to 3600, not 0/);
});

test('config file: found under XDG_CONFIG_HOME, read only as a small regular file', () => {
  const xdg = join(root, 'xdg');
  mkdirSync(join(xdg, 'vmux'), { recursive: true });
  writeFileSync(join(xdg, 'vmux', 'config.toml'), 'idle_minutes = 4\n');
  assert.equal(resolveSettings({ ...base, XDG_CONFIG_HOME: xdg }).settings.idleMinutes.value, 4);
  assert.equal(readConfigFile(join(root, 'none.toml')).exists, false);
  assert.match(readConfigFile(xdg).problems[0] ?? '', /cannot be read \(.*not a regular file\)/);
});

test('settings: settingsOrThrow stops on errors, all of them at once, and passes warnings on', () => {
  assert.throws(() => settingsOrThrow({ HOME: home, VMUX_IDLE_MINUTES: 'x', VMUX_HOME: 'rel' }), (error: unknown) => {
    assert.ok(error instanceof SettingError);
    assert.equal(error.code, 'BAD_SETTING');
    assert.match(error.message, /VMUX_HOME=rel[\s\S]*VMUX_IDLE_MINUTES=x|VMUX_IDLE_MINUTES=x[\s\S]*VMUX_HOME=rel/);
    return true;
  });
  const warnings: string[] = [];
  settingsOrThrow({ HOME: home, CLAUDE_CONFIG_DIR: join(root, 'gone') }, {}, (w) => warnings.push(w));
  assert.equal(warnings.length, 1);
});
