import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { VMUX } from '../../test/support/run-vmux.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { startVmuxd, type VmuxdProcess } from '../../test/support/vmuxd-process.js';
import { DAEMON_NODE_OPTIONS } from '../lean-runtime.js';
import { execStartOf, serviceUnit, unitWord } from './systemd-unit.js';
import { VERSION } from './version.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const VMUXD = realpathSync(join(REPO, 'dist', 'vmuxd.cjs'));
const root = tempDir('vmux-service-');
const daemons: VmuxdProcess[] = [];
after(async () => Promise.all(daemons.map((daemon) => daemon.stop())));

/**
 * For unit tests only: systemctl is a program vmux does not own, so a stand-in records each
 * call (one line of argv) and answers as `FAKE_SYSTEMCTL` says: `ok` (the default), or
 * `no-manager` as systemctl answers where no user manager runs. `is-active` and `is-enabled`
 * print `FAKE_ACTIVE` and `FAKE_ENABLED` (default active, enabled), with systemctl's exit codes.
 */
const FAKE_SYSTEMCTL = `#!/bin/sh
printf '%s\\n' "$*" >> "$SYSTEMCTL_LOG"
if [ "\${FAKE_SYSTEMCTL:-ok}" = no-manager ]; then
  echo 'Failed to connect to bus: No medium found' >&2
  exit 1
fi
case "$2" in
  is-active) echo "\${FAKE_ACTIVE:-active}"; [ "\${FAKE_ACTIVE:-active}" = active ] || exit 3 ;;
  is-enabled) echo "\${FAKE_ENABLED:-enabled}"; [ "\${FAKE_ENABLED:-enabled}" = enabled ] || exit 1 ;;
esac
exit 0
`;

interface Sandbox {
  readonly dir: string;
  readonly env: Readonly<Record<'HOME' | 'PATH' | 'XDG_CONFIG_HOME' | 'VMUX_HOME' | 'CLAUDE_CONFIG_DIR' | 'SYSTEMCTL_LOG', string>>;
  readonly unitPath: string;
  /** The systemctl calls so far, one string of arguments each. */
  calls(): string[];
}

let count = 0;
function sandbox(options: { withSystemctl?: boolean } = {}): Sandbox {
  const dir = join(root, `s${++count}`);
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  if (options.withSystemctl !== false) {
    writeFileSync(join(bin, 'systemctl'), FAKE_SYSTEMCTL);
    chmodSync(join(bin, 'systemctl'), 0o755);
  }
  symlinkSync(VMUX, join(bin, 'vmux'));
  const log = join(dir, 'systemctl.log');
  const env = {
    HOME: dir,
    PATH: bin,
    XDG_CONFIG_HOME: join(dir, 'config'),
    VMUX_HOME: join(dir, 'vmux-home'),
    CLAUDE_CONFIG_DIR: join(dir, 'claude'),
    SYSTEMCTL_LOG: log,
  };
  mkdirSync(env.CLAUDE_CONFIG_DIR);
  return {
    dir,
    env,
    unitPath: join(dir, 'config', 'systemd', 'user', 'vmuxd.service'),
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((line) => line !== '') : []),
  };
}

/** The values of every `key=` line of a unit, in order. */
function valuesOf(unitText: string, key: string): string[] {
  return unitText
    .split('\n')
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1));
}

/** `vmux …` run through a link, as npm's bin link runs it: process.argv[1] is the link. */
function viaLink(box: Sandbox, args: readonly string[], extraEnv: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [join(box.dir, 'bin', 'vmux'), ...args], { env: { ...box.env, ...extraEnv } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

test('vmux service install writes a unit with the absolute paths of this Node and the real vmuxd bundle, reloads, enables and starts it', async () => {
  const box = sandbox();
  const run = await viaLink(box, ['service', 'install']);
  assert.equal(run.code, 0, run.stderr);
  // The rest of the text is serviceUnit's, which the packaged unit pins (the last tests).
  const unit = readFileSync(box.unitPath, 'utf8');
  assert.ok(unit.startsWith(`# vmuxd as a systemd user service, written by 'vmux service install' (vmux ${VERSION}).\n`), unit);
  assert.deepEqual(execStartOf(unit), [process.execPath, ...DAEMON_NODE_OPTIONS, VMUXD]);
  assert.deepEqual(valuesOf(unit, 'Environment'), [
    `CLAUDE_CONFIG_DIR=${box.env.CLAUDE_CONFIG_DIR}`,
    `VMUX_HOME=${box.env.VMUX_HOME}`,
    `XDG_CONFIG_HOME=${box.env.XDG_CONFIG_HOME}`,
  ]);
  // Started with the user's session; started again after a crash, not after a wrong setting (exit 2).
  assert.deepEqual(['WantedBy', 'Restart', 'RestartPreventExitStatus'].map((key) => valuesOf(unit, key)), [['default.target'], ['on-failure'], ['2']]);
  assert.deepEqual(box.calls(), ['--user daemon-reload', '--user is-active vmuxd.service', '--user enable vmuxd.service', '--user restart vmuxd.service']);
  assert.match(run.stdout, /^Wrote .*vmuxd\.service: it runs /);
  assert.match(run.stdout, /enabled and \(re\)started/);

  // What the unit runs is a working vmuxd, with no PATH at all.
  const [program, ...args] = execStartOf(readFileSync(box.unitPath, 'utf8')) ?? [];
  assert.ok(program);
  assert.equal(execFileSync(program, [...args, '--version'], { env: {}, encoding: 'utf8' }), `vmuxd ${VERSION}\n`);

  const again = await viaLink(box, ['service', 'install']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^Kept /);
});

test('the unit sets only the folder variables set here; settings held in variables are pointed to the config file', async () => {
  const box = sandbox();
  const { HOME, PATH, SYSTEMCTL_LOG } = box.env;
  const run = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(process.execPath, [join(box.dir, 'bin', 'vmux'), 'service', 'install'], { env: { HOME, PATH, SYSTEMCTL_LOG, VMUX_IDLE_MINUTES: '15' } }, (error, stdout) => resolve({ code: error === null ? 0 : 1, stdout }));
  });
  assert.equal(run.code, 0, run.stdout);
  const unit = readFileSync(join(box.dir, '.config', 'systemd', 'user', 'vmuxd.service'), 'utf8');
  assert.doesNotMatch(unit, /^Environment=/m);
  assert.doesNotMatch(run.stdout, /It sets/);
  assert.match(run.stdout, new RegExp(`VMUX_IDLE_MINUTES is set here, but vmuxd's service will not see it: put idle_minutes in ${box.dir}/\\.config/vmux/config\\.toml instead\\.`));
});

test('vmux service install without a systemd user manager still writes the unit, says what to run, and exits 1', async () => {
  const box = sandbox();
  const run = await viaLink(box, ['service', 'install'], { FAKE_SYSTEMCTL: 'no-manager' });
  assert.equal(run.code, 1);
  assert.ok(existsSync(box.unitPath));
  assert.match(run.stderr, /cannot reach a systemd user manager \(Failed to connect to bus: No medium found\), so the service is not started/);
  assert.match(run.stderr, /systemctl --user daemon-reload && systemctl --user enable --now vmuxd\.service/);
  assert.deepEqual(box.calls(), ['--user daemon-reload']);

  const noSystemctl = sandbox({ withSystemctl: false });
  const bare = await viaLink(noSystemctl, ['service', 'install']);
  assert.equal(bare.code, 1);
  assert.ok(existsSync(noSystemctl.unitPath));
  assert.match(bare.stderr, /systemctl is not installed \(not on PATH\), so the service is not started/);
});

test('vmux service install stops a vmuxd started by hand, so the service can take its socket', async () => {
  const box = sandbox();
  const daemon = await startVmuxd({ home: box.env.VMUX_HOME, claudeDir: box.env.CLAUDE_CONFIG_DIR, userHome: box.dir });
  daemons.push(daemon);
  const run = await viaLink(box, ['service', 'install'], { FAKE_ACTIVE: 'inactive' });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`Stopped the vmuxd that ran outside the service \\(pid ${daemon.pid}\\)`));
  assert.equal((await daemon.exited).code, 0);
  assert.deepEqual(box.calls().slice(-2), ['--user enable vmuxd.service', '--user restart vmuxd.service']);
});

test('vmux service status says installed, enabled and active; exit 1 when it does not run or its Node is gone', async () => {
  const box = sandbox();
  const notInstalled = await viaLink(box, ['service', 'status']);
  assert.equal(notInstalled.code, 1);
  assert.match(notInstalled.stdout, /not installed .*'vmux service install' installs it/);
  assert.deepEqual(box.calls(), [], 'systemctl is not asked about a unit that is not there');

  await viaLink(box, ['service', 'install']);
  const running = await viaLink(box, ['service', 'status']);
  assert.equal(running.code, 0, running.stderr);
  assert.match(running.stdout, /installed: .*vmuxd\.service\n {2}runs: .*vmuxd\.cjs\n {2}enabled: enabled\n {2}active: active\n$/);

  const stopped = await viaLink(box, ['service', 'status', '--json'], { FAKE_ACTIVE: 'failed', FAKE_ENABLED: 'disabled' });
  assert.equal(stopped.code, 1);
  const status = JSON.parse(stopped.stdout) as Record<string, unknown>;
  assert.equal(status['installed'], true);
  assert.equal(status['enabled'], 'disabled');
  assert.equal(status['active'], 'failed');
  assert.deepEqual(status['missing'], []);

  // nvm removed the Node version the unit names.
  const unit = readFileSync(box.unitPath, 'utf8').replace(`ExecStart=${process.execPath}`, 'ExecStart=/nonexistent/node-v20.11.0/bin/node');
  writeFileSync(box.unitPath, unit);
  const gone = await viaLink(box, ['service', 'status']);
  assert.equal(gone.code, 1);
  assert.match(gone.stdout, /\/nonexistent\/node-v20\.11\.0\/bin\/node no longer exists: run 'vmux service install' again/);
});

test('vmux service uninstall stops, disables and removes the unit; without a user manager it removes the unit and its link', async () => {
  const box = sandbox();
  await viaLink(box, ['service', 'install']);
  const before = box.calls().length;
  const run = await viaLink(box, ['service', 'uninstall']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(existsSync(box.unitPath), false);
  assert.deepEqual(box.calls().slice(before), ['--user disable --now vmuxd.service', '--user daemon-reload']);
  assert.match(run.stdout, /Stopped and disabled the vmuxd service and removed /);

  const again = await viaLink(box, ['service', 'uninstall']);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /not installed/);

  const offline = sandbox();
  await viaLink(offline, ['service', 'install'], { FAKE_SYSTEMCTL: 'no-manager' });
  const wants = join(offline.env.XDG_CONFIG_HOME, 'systemd', 'user', 'default.target.wants');
  mkdirSync(wants);
  symlinkSync(offline.unitPath, join(wants, 'vmuxd.service'));
  const removed = await viaLink(offline, ['service', 'uninstall'], { FAKE_SYSTEMCTL: 'no-manager' });
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(existsSync(offline.unitPath), false);
  assert.throws(() => lstatSync(join(wants, 'vmuxd.service')), /ENOENT/);
  assert.match(removed.stdout, /nothing can be running under it here/);
});

test('vmux service without an action, or with an unknown one, is a wrong call (exit 2)', async () => {
  const box = sandbox();
  for (const args of [['service'], ['service', 'start'], ['service', 'install', 'now'], ['service', 'install', '--json']]) {
    const run = await viaLink(box, args);
    assert.equal(run.code, 2, args.join(' '));
    assert.match(run.stderr, /vmux service|--json/);
  }
  assert.deepEqual(box.calls(), []);
});

test('the packaged unit is the one vmux writes, with vmuxd found on PATH', () => {
  const packaged = readFileSync(join(REPO, 'packaging', 'systemd', 'vmuxd.service'), 'utf8');
  const expected = serviceUnit({
    header: [
      'vmuxd as a systemd user service, for packages that put vmuxd and node on the system PATH.',
      "With npm, prefer 'vmux service install': it writes this unit with the absolute paths of",
      'your Node and vmuxd (nvm puts no node on the service manager\'s PATH) and starts it.',
      'By hand:',
      '  mkdir -p ~/.config/systemd/user && cp vmuxd.service ~/.config/systemd/user/',
      '  systemctl --user daemon-reload && systemctl --user enable --now vmuxd',
      'When Claude Code runs with a CLAUDE_CONFIG_DIR of its own, add it under [Service]:',
      '  Environment=CLAUDE_CONFIG_DIR=%h/.config/claude',
    ],
    execStart: ['/usr/bin/env', 'vmuxd'],
  });
  assert.equal(packaged, expected, 'packaging/systemd/vmuxd.service is not what serviceUnit() writes; write it from the expected text');
});

test('unit words are quoted as systemd reads them, and read back the same', () => {
  const words = ['/opt/my node/bin/node', '/home/u/100%/vmuxd.cjs', '/a/$HOME/"q"\\b'];
  const line = `ExecStart=${words.map((word) => unitWord(word, { expandsVariables: true })).join(' ')}`;
  assert.equal(line, 'ExecStart="/opt/my node/bin/node" "/home/u/100%%/vmuxd.cjs" "/a/$$HOME/\\"q\\"\\\\b"');
  assert.deepEqual(execStartOf(line), words);
  assert.equal(unitWord('/usr/bin/node', { expandsVariables: true }), '/usr/bin/node');
  assert.throws(() => unitWord('/a\nExecStartPre=/bin/evil', { expandsVariables: true }), /control character/);
});
