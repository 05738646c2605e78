import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../settings/config-file.js';
import { capturedIo, type CapturedIo } from '../../test/support/captured-io.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { commandHelp, findCommand } from './command-table.js';
import type { ConfigReport } from './config-command.js';
import { runCli } from './run-cli.js';

const root = tempDir('vmux-config-');
const claudeDir = join(root, 'claude');
mkdirSync(claudeDir);

function captured(env: Record<string, string>): CapturedIo {
  return capturedIo({ HOME: root, CLAUDE_CONFIG_DIR: claudeDir, XDG_CONFIG_HOME: join(root, 'no-config'), ...env });
}

function configFolder(name: string, text: string): string {
  const xdg = join(root, name);
  mkdirSync(join(xdg, 'vmux'), { recursive: true });
  writeFileSync(join(xdg, 'vmux', 'config.toml'), text);
  return xdg;
}

test('vmux config prints every setting with its value and where it came from: command line > environment > file > default', async () => {
  const xdg = configFolder('good', '# mine\nidle_minutes = 15\npoll_seconds = 2\nlauncher = "fuzzel --dmenu"\n');
  const io = captured({ XDG_CONFIG_HOME: xdg, VMUX_POLL_SECONDS: '3' });
  assert.equal(await runCli(['config'], io), 0, io.err());
  const path = join(xdg, 'vmux', 'config.toml');
  const vmuxHome = join(root, '.vmux');
  const width = Math.max(claudeDir.length, vmuxHome.length) + 2;
  const row = (name: string, value: string, from: string) => `${name.padEnd(14)}${value.padEnd(width)}${from}`;
  assert.equal(
    io.out(),
    [
      `Config file: ${path} (present)`,
      '',
      row('SETTING', 'VALUE', 'FROM'),
      row('claude_dir', claudeDir, 'environment: CLAUDE_CONFIG_DIR'),
      row('vmux_home', vmuxHome, 'default: ~/.vmux'),
      row('idle_minutes', '15', 'config file, line 2'),
      row('poll_seconds', '3', 'environment: VMUX_POLL_SECONDS'),
      row('launcher', 'fuzzel --dmenu', 'config file, line 4'),
      row('terminal', '-', 'default: foot, kitty, alacritty, wezterm, gnome-terminal, konsole, xfce4-terminal or xterm, the first found'),
      row('notify', 'off', 'default'),
      '',
    ].join('\n'),
  );
  assert.equal(io.err(), '');
});

test('vmux config --json gives each value, source and origin, and the config file', async () => {
  const io = captured({ VMUX_IDLE_MINUTES: '7' });
  assert.equal(await runCli(['config', '--json'], io), 0, io.err());
  const report = JSON.parse(io.out()) as ConfigReport;
  assert.deepEqual(report.config_file, { path: join(root, 'no-config', 'vmux', 'config.toml'), exists: false });
  assert.deepEqual(report.settings.idle_minutes, { value: 7, source: 'environment', origin: 'VMUX_IDLE_MINUTES' });
  assert.deepEqual(report.settings.poll_seconds, { value: 5, source: 'default', origin: 'built in' });
  assert.deepEqual(report.settings.launcher, { value: null, source: 'default', origin: 'rofi, wofi or dmenu, the first found' });
  assert.deepEqual(report.settings.claude_dir, { value: claudeDir, source: 'environment', origin: 'CLAUDE_CONFIG_DIR' });
  assert.deepEqual(report.problems, []);
});

test('vmux config with a config file that has mistakes prints each with its line, still shows the settings, and exits 2', async () => {
  const xdg = configFolder('bad', 'idle_minutes = 5\nidle_minuts = 7\nlauncher = 3\n');
  const io = captured({ XDG_CONFIG_HOME: xdg });
  assert.equal(await runCli(['config'], io), 2);
  const path = join(xdg, 'vmux', 'config.toml');
  assert.equal(
    io.err(),
    `vmux config: ${path}: line 2: unknown setting 'idle_minuts' (did you mean 'idle_minutes'?); the settings are idle_minutes, poll_seconds, launcher, terminal, notify\n` +
      `vmux config: ${path}: line 3: launcher must be a string in quotes, not number 3\n`,
  );
  assert.match(io.out(), /^idle_minutes +10 +default$/m, 'a file with mistakes is used for none of its values');
  assert.match(io.out(), /cannot be used as they are/);

  const broken = captured({ XDG_CONFIG_HOME: configFolder('unparsable', 'idle_minutes = 5\npoll_seconds = = 2\n') });
  assert.equal(await runCli(['config', '--json'], broken), 2);
  const report = JSON.parse(broken.out()) as ConfigReport;
  assert.equal(report.problems.length, 1);
  assert.match(report.problems[0]?.message ?? '', /config\.toml: line 2: /);
});

test('vmux config tells a doubtful setting as a warning and exits 0', async () => {
  const io = captured({ CLAUDE_CONFIG_DIR: join(root, 'missing-claude') });
  assert.equal(await runCli(['config'], io), 0);
  assert.match(io.err(), /^vmux config: warning: CLAUDE_CONFIG_DIR=.*missing-claude does not exist/);
});

test('vmux config names a hostile config path and value without the escape sequences in them', async () => {
  const xdg = configFolder('evil\u001b]0;owned\u0007', 'launcher = "rofi \\u001b[31m-dmenu"\n');
  const io = captured({ XDG_CONFIG_HOME: xdg });
  assert.equal(await runCli(['config'], io), 0, io.err());
  assert.doesNotMatch(io.out(), /\u001b/);
  assert.match(io.out(), /launcher +rofi -dmenu/);
});

test('the example config file in vmux config --help is a valid config file', () => {
  const spec = findCommand('config');
  assert.ok(spec);
  const help = commandHelp(spec);
  const example = help.split('\n').filter((line) => /^ {2}(#|[a-z_]+ = )/.test(line)).map((line) => line.slice(2));
  assert.ok(example.length >= 4, help);
  const parsed = parseConfig('example.toml', example.join('\n'));
  assert.deepEqual(parsed.problems, []);
  assert.deepEqual(Object.keys(parsed.entries).sort(), ['idle_minutes', 'launcher', 'notify', 'poll_seconds', 'terminal']);
});
