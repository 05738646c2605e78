import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { probeDaemon } from '../home/probe-daemon.js';
import { stopDaemon } from '../home/stop-daemon.js';
import { vmuxHomeFrom } from '../home/vmux-home.js';
import { errnoCode, messageOf, UsageError, VmuxError } from '../errors.js';
import { replaceFile } from '../files/replace-file.js';
import type { Environment } from '../sessions/discovery-context.js';
import { printableJson } from '../text/printable-json.js';
import { echoInput, printableLines } from '../text/sanitize-text.js';
import { configFilePath } from '../settings/config-file.js';
import { settingsOrThrow } from '../settings/settings.js';
import { ExitCode, type CliIo } from './cli-io.js';
import { parseCommandArgs } from './command-args.js';
import { OPERAND_CHOICES } from './command-table.js';
import { DAEMON_NODE_OPTIONS } from '../lean-runtime.js';
import { execStartOf, PINNED_VARIABLES, SERVICE_NAME, serviceUnit, unitPaths, type UnitPaths } from './systemd-unit.js';
import { VERSION } from './version.js';

/** `systemctl --user` answers in milliseconds; `restart` waits for the old vmuxd to stop. */
const SYSTEMCTL_TIMEOUT_MS = 15_000;

/** The programs the unit runs: the Node running vmux now and the vmuxd bundle installed beside this one. */
export interface ServicePrograms {
  readonly node: string;
  readonly vmuxd: string;
}

/**
 * The Node running this vmux and the `vmuxd.cjs` beside the running bundle, both absolute: the
 * service manager's PATH has no `node` for nvm users. The script path is resolved first, as npm
 * runs the bin through a link.
 */
export function runningPrograms(): ServicePrograms {
  const script = process.argv[1];
  const bundleDir = script === undefined ? undefined : dirname(realpathSync(resolve(script)));
  const vmuxd = bundleDir === undefined ? undefined : join(bundleDir, 'vmuxd.cjs');
  if (vmuxd === undefined || !existsSync(vmuxd)) {
    throw new VmuxError('DAEMON_START_FAILED', `cannot find vmuxd.cjs beside the running vmux (${script ?? 'no script'}); run 'vmux service install' from an installed vmux (npm run install-global)`);
  }
  return { node: process.execPath, vmuxd };
}

/** `vmux service install|uninstall|status`. */
export async function runService(args: readonly string[], io: CliIo, programs: () => ServicePrograms = runningPrograms): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, io, 'service', { json: { type: 'boolean' } }, true);
  if (parsed === undefined) return ExitCode.ok;
  // The unit gets the variables the user set, not the defaults they resolve to: checked here, not before.
  settingsOrThrow(io.env, {}, (warning) => io.stderr.write(`vmux: warning: ${printableLines(warning)}\n`));
  const [action, ...extra] = parsed.positionals;
  const actions: readonly string[] = OPERAND_CHOICES['service-action'];
  if (action === undefined || !actions.includes(action) || extra.length > 0) {
    const what = action === undefined ? 'needs an action' : extra.length > 0 ? `takes one action, not ${extra.length + 1}` : `has no action '${echoInput(action)}'`;
    throw new UsageError(`vmux service ${what}: install, uninstall or status; run 'vmux service --help'`);
  }
  if (parsed.values.json && action !== 'status') throw new UsageError(`--json goes with 'vmux service status' only`);
  switch (action) {
    case 'install':
      return await install(io, programs());
    case 'uninstall':
      return await uninstall(io);
    default:
      return await status(io, parsed.values.json === true);
  }
}

// ---------------------------------------------------------------------------------------------
// systemctl

/** How a `systemctl --user` call went: done, refused, or no user manager (or no systemctl) to talk to. */
export type SystemctlResult =
  | { readonly kind: 'done'; readonly stdout: string }
  | { readonly kind: 'failed'; readonly code: number; readonly stdout: string; readonly message: string }
  | { readonly kind: 'unavailable'; readonly message: string };

/** Runs `systemctl --user <args>` with the caller's environment (its PATH, its bus). */
export function systemctl(args: readonly string[], env: Environment): Promise<SystemctlResult> {
  return new Promise((done) => {
    execFile('systemctl', ['--user', ...args], { env, encoding: 'utf8', timeout: SYSTEMCTL_TIMEOUT_MS, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error === null) return done({ kind: 'done', stdout });
      const said = stderr.trim().split('\n')[0] ?? '';
      const errno = errnoCode(error);
      if (errno === 'ENOENT') return done({ kind: 'unavailable', message: 'systemctl is not installed (not on PATH)' });
      if (errno !== undefined) return done({ kind: 'unavailable', message: `could not run systemctl (${errno})` });
      if ((error as { killed?: boolean }).killed) return done({ kind: 'failed', code: 1, stdout, message: `systemctl --user ${args.join(' ')} did not finish within ${SYSTEMCTL_TIMEOUT_MS / 1000} s` });
      // No session bus, or no user manager on it: systemctl cannot reach anything to tell.
      if (/Failed to connect to (user scope )?bus|DBUS_SESSION_BUS_ADDRESS|XDG_RUNTIME_DIR|No medium found|not been booted with systemd|System has not been booted/i.test(stderr)) {
        return done({ kind: 'unavailable', message: `systemctl --user cannot reach a systemd user manager (${said})` });
      }
      const code = typeof error.code === 'number' ? error.code : 1;
      done({ kind: 'failed', code, stdout, message: said === '' ? `systemctl --user ${args.join(' ')} exited with status ${code}` : said });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// install

async function install(io: CliIo, programs: ServicePrograms): Promise<ExitCode> {
  const paths = unitPaths(io.env);
  const environment = pinnedEnvironment(io.env);
  const text = serviceUnit({
    header: [`vmuxd as a systemd user service, written by 'vmux service install' (vmux ${VERSION}).`, "Remove it with 'vmux service uninstall'; run 'vmux service install' again after moving vmux or Node."],
    execStart: [programs.node, ...DAEMON_NODE_OPTIONS, programs.vmuxd],
    environment,
  });
  const before = readText(paths.unitPath);
  writeAtomically(paths.unitPath, text);
  const say = (line: string) => io.stdout.write(`${printableLines(line)}\n`);
  say(`${before === undefined ? 'Wrote' : before === text ? 'Kept' : 'Updated'} ${paths.unitPath}: it runs ${programs.node} ${programs.vmuxd}.`);
  const pinned = Object.keys(environment);
  if (pinned.length > 0) say(`It sets ${pinned.join(', ')} as they are here, since the service manager does not have your shell's variables.`);
  for (const [variable, key] of UNPINNED_SETTINGS) {
    if (io.env[variable]) say(`${variable} is set here, but vmuxd's service will not see it: put ${key} in ${configFilePath(io.env)} instead.`);
  }

  const reload = await systemctl(['daemon-reload'], io.env);
  if (reload.kind === 'unavailable') return notStarted(io, reload.message);
  if (reload.kind === 'failed') return failed(io, reload.message);

  // A vmuxd started by hand holds the socket: the service's own would fail to start beside it.
  const home = vmuxHomeFrom(io.env);
  const active = await systemctl(['is-active', SERVICE_NAME], io.env);
  const probe = await probeDaemon(home.socketPath);
  if (active.kind !== 'done' && probe.kind === 'running') {
    await stopDaemon(home.socketPath, { name: 'the vmuxd running outside the service', advice: "stop it and run 'vmux service install' again" });
    say(`Stopped the vmuxd that ran outside the service (pid ${probe.pid}).`);
  }
  for (const step of [['enable', SERVICE_NAME], ['restart', SERVICE_NAME]]) {
    const result = await systemctl(step, io.env);
    if (result.kind === 'unavailable') return notStarted(io, result.message);
    if (result.kind === 'failed') return failed(io, `${result.message}; see 'systemctl --user status vmuxd' and 'journalctl --user -u vmuxd'`);
  }
  say("The vmuxd service is enabled and (re)started: it starts with your session from now on. 'vmux service status' tells how it is, 'journalctl --user -u vmuxd' shows its log.");
  return ExitCode.ok;
}

/** Settings of vmuxd a variable may hold, and their key in the config file, which the service does read. */
const UNPINNED_SETTINGS = [
  ['VMUX_IDLE_MINUTES', 'idle_minutes'],
  ['VMUX_POLL_SECONDS', 'poll_seconds'],
] as const;

/** The variables of PINNED_VARIABLES set here to an absolute path. */
function pinnedEnvironment(env: Environment): Record<string, string> {
  const pinned: Record<string, string> = {};
  for (const name of PINNED_VARIABLES) {
    const value = env[name];
    if (value !== undefined && isAbsolute(value)) pinned[name] = value;
  }
  return pinned;
}

function notStarted(io: CliIo, why: string): ExitCode {
  io.stderr.write(
    `${printableLines(
      `vmux service: ${why}, so the service is not started.\n` +
        'Where systemd runs your session, run:\n' +
        `  systemctl --user daemon-reload && systemctl --user enable --now ${SERVICE_NAME}\n` +
        "Or start vmuxd yourself (it is optional: 'vmux list' scans by itself): vmuxd &",
    )}\n`,
  );
  return ExitCode.failure;
}

function failed(io: CliIo, message: string): ExitCode {
  io.stderr.write(`vmux service: ${printableLines(message)}\n`);
  return ExitCode.failure;
}

// ---------------------------------------------------------------------------------------------
// uninstall

async function uninstall(io: CliIo): Promise<ExitCode> {
  const paths = unitPaths(io.env);
  const say = (line: string) => io.stdout.write(`${printableLines(line)}\n`);
  if (!existsSync(paths.unitPath) && !isLink(paths.wantsLink)) {
    say(`The vmuxd service is not installed (there is no ${paths.unitPath}).`);
    return ExitCode.ok;
  }
  const disabled = await systemctl(['disable', '--now', SERVICE_NAME], io.env);
  if (disabled.kind === 'failed') return failed(io, `could not stop and disable the service: ${disabled.message}; the unit stays in ${paths.unitPath}`);
  rmSync(paths.unitPath, { force: true });
  // `disable` removes the link; without a user manager it is removed here, as disable would.
  if (isLink(paths.wantsLink)) rmSync(paths.wantsLink);
  if (disabled.kind === 'unavailable') {
    say(`Removed ${paths.unitPath}. ${disabled.message}: nothing can be running under it here.`);
    return ExitCode.ok;
  }
  const reload = await systemctl(['daemon-reload'], io.env);
  say(`Stopped and disabled the vmuxd service and removed ${paths.unitPath}.`);
  if (reload.kind !== 'done') io.stderr.write(`vmux service: warning: ${printableLines(reload.message)}; run 'systemctl --user daemon-reload'\n`);
  return ExitCode.ok;
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink() && readlinkSync(path) !== '';
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// status

/** What `vmux service status` and `vmux doctor` know about the service. */
export interface ServiceStatus {
  readonly unit_path: string;
  readonly installed: boolean;
  /** `systemctl --user is-enabled`: `enabled`, `disabled`, …; null when systemctl could not tell. */
  readonly enabled: string | null;
  /** `systemctl --user is-active`: `active`, `inactive`, `failed`, …; null when systemctl could not tell. */
  readonly active: string | null;
  /** The program and arguments the unit runs. */
  readonly exec_start: readonly string[];
  /** Programs of `exec_start` that are not there (Node removed by nvm, vmux moved). */
  readonly missing: readonly string[];
  /** Why systemctl could not be asked, when it could not. */
  readonly systemctl_problem?: string;
}

export async function serviceStatus(env: Environment): Promise<ServiceStatus> {
  const paths: UnitPaths = unitPaths(env);
  const text = readText(paths.unitPath);
  const execStart = text === undefined ? [] : (execStartOf(text) ?? []);
  const missing = execStart.filter((word) => isAbsolute(word) && !existsSync(word));
  const base = { unit_path: paths.unitPath, installed: text !== undefined, exec_start: execStart, missing };
  if (text === undefined) return { ...base, enabled: null, active: null };
  const [enabled, active] = await Promise.all([systemctl(['is-enabled', SERVICE_NAME], env), systemctl(['is-active', SERVICE_NAME], env)]);
  const answer = (result: SystemctlResult): string | null => (result.kind === 'unavailable' ? null : result.stdout.trim().split('\n')[0] || null);
  const problem = [enabled, active].find((result): result is Extract<SystemctlResult, { kind: 'unavailable' }> => result.kind === 'unavailable');
  return { ...base, enabled: answer(enabled), active: answer(active), ...(problem ? { systemctl_problem: problem.message } : {}) };
}

/** Installed, running, and running programs that exist. */
export function serviceIsHealthy(status: ServiceStatus): boolean {
  return status.installed && status.active === 'active' && status.missing.length === 0;
}

async function status(io: CliIo, json: boolean): Promise<ExitCode> {
  const state = await serviceStatus(io.env);
  if (json) io.stdout.write(`${printableJson(state, 2)}\n`);
  else io.stdout.write(`${printableLines(describeService(state).join('\n'))}\n`);
  return serviceIsHealthy(state) ? ExitCode.ok : ExitCode.failure;
}

/** The service's state in sentences, with what to do when it is not right. */
export function describeService(state: ServiceStatus): string[] {
  if (!state.installed) return [`The vmuxd service is not installed (no ${state.unit_path}); 'vmux service install' installs it.`];
  const lines = [`The vmuxd service is installed: ${state.unit_path}`, `  runs: ${state.exec_start.join(' ') || '(no ExecStart line)'}`];
  if (state.systemctl_problem !== undefined) {
    lines.push(`  enabled, active: unknown (${state.systemctl_problem})`);
  } else {
    lines.push(`  enabled: ${state.enabled ?? 'unknown'}`, `  active: ${state.active ?? 'unknown'}`);
    if (state.enabled !== 'enabled') lines.push(`  It will not start with your session: run 'systemctl --user enable ${SERVICE_NAME}' (or 'vmux service install').`);
    if (state.active !== 'active') lines.push("  It does not run now: see 'journalctl --user -u vmuxd', then 'vmux service install' to start it again.");
  }
  for (const path of state.missing) lines.push(`  ${path} no longer exists: run 'vmux service install' again with the Node and vmux you use now.`);
  return lines;
}

// ---------------------------------------------------------------------------------------------

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw new VmuxError('DAEMON_START_FAILED', `cannot read ${path}: ${messageOf(error)}`, { cause: error });
  }
}

/** The unit whole or not at all: systemd may read it at any moment. */
function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  replaceFile(path, text, 0o644);
}
