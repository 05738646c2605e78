import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../test/support/temp-dir.js';
import { DAEMON_NODE_OPTIONS, SCAN_NODE_OPTIONS } from '../lean-runtime.js';

const run = promisify(execFile);
const REPO = realpathSync(fileURLToPath(new URL('../../../', import.meta.url)));
const BUNDLES = ['dist/vmux.cjs', 'dist/vmux-list.cjs', 'dist/vmux-switch.cjs', 'dist/vmux-cli.cjs', 'dist/vmuxd.cjs', 'dist/vmux-dbus.cjs', 'dist/vmux-toml.cjs'];
const root = tempDir('vmux-install-');

/** `npm pack` without its prepack build: the tests run on the build `npm test` just made. */
async function pack(destination: string): Promise<{ filename: string; files: string[]; size: number }> {
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], { cwd: REPO, env: { ...process.env, npm_config_loglevel: 'silent' } });
  const [packed] = JSON.parse(stdout) as { filename: string; size: number; files: { path: string }[] }[];
  assert.ok(packed);
  return { filename: packed.filename, files: packed.files.map((file) => file.path).sort(), size: packed.size };
}

test('the package holds only what runs: the seven bundles, the man page, the systemd unit, README and package.json', async () => {
  const { files, size } = await pack(root);
  assert.deepEqual(files, ['README.md', 'dist/vmux-cli.cjs', 'dist/vmux-dbus.cjs', 'dist/vmux-list.cjs', 'dist/vmux-switch.cjs', 'dist/vmux-toml.cjs', 'dist/vmux.1', 'dist/vmux.cjs', 'dist/vmuxd.cjs', 'package.json', 'packaging/systemd/vmuxd.service']);
  assert.ok(size < 400_000, `the tarball is ${size} bytes`);
});

test('the bundles require nothing but Node itself', () => {
  for (const bundle of BUNDLES) {
    const text = readFileSync(join(REPO, bundle), 'utf8');
    const required = [...text.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((match) => match[1]);
    // smol-toml needs nothing at all; every other bundle requires Node's modules.
    assert.ok(required.length > 0 || bundle === 'dist/vmux-toml.cjs', bundle);
    for (const name of required) assert.ok(name !== undefined && (name.startsWith('node:') || isBuiltin(name) || name === '${__dirname}/vmux-dbus.cjs' || name === '${__dirname}/vmux-toml.cjs'), `${bundle} requires ${name}`);
  }
});

/** The compiled modules in each bundle, as the build lists them (`dist/bundles.json`). */
function modulesIn(bundle: string): string[] {
  const bundles = JSON.parse(readFileSync(join(REPO, 'dist/bundles.json'), 'utf8')) as Record<string, string[]>;
  const modules = bundles[bundle];
  assert.ok(modules !== undefined && modules.length > 0, `dist/bundles.json lists ${bundle}`);
  return modules;
}

/** The modules of the commands a bundle must not carry. */
const COMMAND_MODULES = {
  doctor: 'dist/src/cli/doctor-command.js',
  config: 'dist/src/cli/config-command.js',
  service: 'dist/src/cli/service-command.js',
  completion: 'dist/src/cli/completion-command.js',
  label: 'dist/src/cli/label-command.js',
  daemon: 'dist/src/daemon/daemon.js',
  switch: 'dist/src/cli/switch-command.js',
  list: 'dist/src/cli/list-command.js',
  manPage: 'dist/src/cli/man-page.js',
  help: 'dist/src/cli/command-table.js',
} as const;

function assertCarriesNone(bundle: string, commands: readonly (keyof typeof COMMAND_MODULES)[]): void {
  const modules = modulesIn(bundle);
  for (const command of commands) assert.ok(!modules.includes(COMMAND_MODULES[command]), `${bundle} carries ${COMMAND_MODULES[command]}`);
}

test('the vmux entry, which answers vmux list through vmuxd, carries none of the other commands', () => {
  assertCarriesNone('dist/vmux.cjs', ['doctor', 'config', 'service', 'completion', 'label', 'manPage', 'list', 'daemon']);
  const cli = modulesIn('dist/vmux-cli.cjs');
  for (const command of ['doctor', 'config', 'service', 'completion'] as const) assert.ok(cli.includes(COMMAND_MODULES[command]), command);
});

test('vmux list and vmux switch scanning by themselves, and vmuxd, load only what they run: no other command is in their bundles', () => {
  assert.ok(modulesIn('dist/vmux-list.cjs').includes('dist/src/sessions/scan-sessions.js'));
  assertCarriesNone('dist/vmux-list.cjs', ['doctor', 'config', 'service', 'completion', 'label', 'daemon', 'switch', 'manPage']);
  assert.ok(modulesIn('dist/vmux-switch.cjs').includes('dist/src/cli/switch-by-query.js'));
  // `vmux switch <query>` and `vmux next`: the picker, the launcher and every command's help are the full CLI's.
  assertCarriesNone('dist/vmux-switch.cjs', ['doctor', 'config', 'service', 'completion', 'label', 'daemon', 'list', 'manPage', 'switch', 'help']);
  assert.ok(modulesIn('dist/vmuxd.cjs').includes(COMMAND_MODULES.daemon));
  assertCarriesNone('dist/vmuxd.cjs', ['doctor', 'config', 'service', 'completion', 'label', 'list', 'manPage']);
});

/** Node's own modules a run of `args` loaded beyond those Node loads to run an empty CommonJS file. */
function nodeModulesLoadedBeyondStart(args: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const dir = join(root, 'module-lists');
  mkdirSync(dir, { recursive: true });
  const record = join(dir, 'record.cjs');
  writeFileSync(record, "process.on('exit', () => require('node:fs').writeFileSync(process.env.MODULE_LIST, process.moduleLoadList.join('\\n')));\n");
  const empty = join(dir, 'empty.cjs');
  writeFileSync(empty, '');
  const loaded = (file: string, rest: readonly string[]): Set<string> => {
    const list = join(dir, 'loaded.txt');
    execFileSync(process.execPath, ['--require', record, file, ...rest], { env: { ...env, MODULE_LIST: list }, encoding: 'utf8' });
    return new Set(readFileSync(list, 'utf8').split('\n').filter((name) => name.startsWith('NativeModule ')));
  };
  const atStart = loaded(empty, []);
  return [...loaded(join(REPO, 'dist', 'vmux.cjs'), args)].filter((name) => !atStart.has(name)).map((name) => name.slice('NativeModule '.length)).sort();
}

test('vmux list scanning by itself loads no Node module it does not use (each one costs a command its load time and memory)', () => {
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: root, VMUX_HOME: join(root, 'lean-home'), CLAUDE_CONFIG_DIR: join(root, 'lean-claude'), VMUX_PROC_ROOT: join(root, 'lean-proc') };
  for (const dir of [env.CLAUDE_CONFIG_DIR, env.VMUX_PROC_ROOT]) mkdirSync(dir, { recursive: true });
  // vm runs the bundles; util.parseArgs reads the arguments.
  assert.deepEqual(nodeModulesLoadedBeyondStart(['list', '--json'], env), ['internal/util/parse_args/parse_args', 'internal/util/parse_args/utils', 'vm']);
});

test('the bundles vmux loads are ASCII and under 128 KiB where they can be: V8 reads such a file fastest', () => {
  for (const bundle of BUNDLES) {
    const text = readFileSync(join(REPO, bundle), 'latin1');
    assert.doesNotMatch(text, /[^\x00-\x7f]/, `${bundle} holds a byte outside ASCII`);
  }
  for (const bundle of ['dist/vmux-list.cjs', 'dist/vmux-switch.cjs']) assert.ok(statSync(join(REPO, bundle)).size < 128 * 1024, `${bundle}, a command without vmuxd, is under 128 KiB`);
});

test('vmux and vmuxd, run as programs, start the Node on PATH with their arguments, and the options of a daemon or of a listing that scans by itself', async () => {
  const bin = join(root, 'recording-node');
  mkdirSync(bin, { recursive: true });
  const record = join(bin, 'argv');
  // A `node` that writes down how it was started, then is the real one.
  writeFileSync(join(bin, 'node'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\nexec '${process.execPath}' "$@"\n`);
  chmodSync(join(bin, 'node'), 0o755);
  const home = join(root, 'launch-home');
  const env = { PATH: `${bin}:/usr/bin:/bin`, HOME: root, VMUX_HOME: home, CLAUDE_CONFIG_DIR: join(root, 'launch-claude'), VMUX_PROC_ROOT: join(root, 'launch-proc') };
  for (const dir of [home, env.CLAUDE_CONFIG_DIR, env.VMUX_PROC_ROOT]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const vmux = join(REPO, 'dist', 'vmux.cjs');
  const vmuxd = join(REPO, 'dist', 'vmuxd.cjs');
  const startedWith = (file: string, args: readonly string[]): string[] => {
    execFileSync(file, args, { env, encoding: 'utf8' });
    return readFileSync(record, 'utf8').split('\n').slice(0, -1);
  };
  assert.deepEqual(startedWith(vmux, ['--version', 'two words']), [vmux, '--version', 'two words']);
  assert.deepEqual(startedWith(vmuxd, ['--version']), [...DAEMON_NODE_OPTIONS, vmuxd, '--version']);
  assert.deepEqual(startedWith(vmux, ['list', '--json']), [...SCAN_NODE_OPTIONS, vmux, 'list', '--json']);
  // With a socket where vmuxd's would be, the listing will ask vmuxd: Node's own options.
  const socket = createServer((connection) => connection.destroy());
  await new Promise<void>((resolve) => socket.listen(join(home, 'vmuxd.sock'), resolve));
  try {
    // This socket answers nothing: vmux says so and fails, which is not what is tested here.
    const args = await new Promise<string[]>((resolve) => {
      execFile(vmux, ['ls'], { env }, () => resolve(readFileSync(record, 'utf8').split('\n').slice(0, -1)));
    });
    assert.deepEqual(args, [vmux, 'ls']);
  } finally {
    socket.close();
  }
});

test('dbus-native is in its own bundle, read only when desktop notifications are shown', () => {
  for (const bundle of ['dist/vmuxd.cjs', 'dist/vmux-cli.cjs', 'dist/vmux-list.cjs', 'dist/vmux-switch.cjs']) {
    assert.ok(!modulesIn(bundle).some((module) => module.includes('node_modules/dbus-native/')), `${bundle} carries dbus-native`);
  }
  assert.match(readFileSync(join(REPO, 'dist/vmuxd.cjs'), 'utf8'), /vmux-dbus\.cjs/);
  const dbus = createRequire(import.meta.url)(join(REPO, 'dist/vmux-dbus.cjs')) as { createClient?: unknown; Variant?: unknown };
  assert.equal(typeof dbus.createClient, 'function');
  assert.equal(typeof dbus.Variant, 'function');
});

test('npm install -g of the package installs a copy that runs on its own, with its man page', async () => {
  const destination = join(root, 'packed');
  mkdirSync(destination);
  const { filename } = await pack(destination);
  const prefix = join(root, 'prefix');
  await run('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(destination, filename)], { env: { ...process.env, npm_config_loglevel: 'error' } });
  const installed = join(prefix, 'lib', 'node_modules', 'vmux');
  assert.ok(lstatSync(installed).isDirectory() && !lstatSync(installed).isSymbolicLink(), 'a copy, not a link into the clone');
  assert.equal(existsSync(join(installed, 'node_modules')), false, 'no packages pulled in');
  assert.equal(realpathSync(join(prefix, 'bin', 'vmux')), join(installed, 'dist', 'vmux.cjs'));
  assert.ok(existsSync(join(prefix, 'share', 'man', 'man1', 'vmux.1')));

  const env = { PATH: `${join(prefix, 'bin')}:${join(process.execPath, '..')}:/usr/bin:/bin`, HOME: root, CLAUDE_CONFIG_DIR: join(root, 'claude'), VMUX_HOME: join(root, 'vmux-home'), VMUX_PROC_ROOT: join(root, 'no-proc'), XDG_CONFIG_HOME: join(root, 'config') };
  mkdirSync(env.VMUX_PROC_ROOT);
  mkdirSync(env.CLAUDE_CONFIG_DIR);
  assert.match(execFileSync('vmux', ['--version'], { env, cwd: root, encoding: 'utf8' }), /^vmux \d+\.\d+\.\d+\n$/);
  assert.match(execFileSync('vmuxd', ['--version'], { env, cwd: root, encoding: 'utf8' }), /^vmuxd \d+\.\d+\.\d+\n$/);
  assert.equal(execFileSync('vmux', ['list', '--json'], { env, cwd: root, encoding: 'utf8' }), '[]\n');
});
