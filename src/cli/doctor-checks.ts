import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { probeDaemon } from '../home/probe-daemon.js';
import { vmuxHomeFrom } from '../home/vmux-home.js';
import { hasGraphicalSession } from '../desktop/graphical-session.js';
import { readTmuxLocation } from '../desktop/tmux/tmux-location.js';
import { TmuxServer } from '../desktop/tmux/tmux-client.js';
import { MESSAGE_TYPES } from '../desktop/wm-ipc/message-types.js';
import { WmClient } from '../desktop/wm-ipc/wm-client.js';
import { findWmSocketPath, wmOfSocketSource } from '../desktop/wm-ipc/wm-socket-path.js';
import { parseVersion } from '../desktop/wm-ipc/wm-version.js';
import { errnoCode, messageOf, WmNotFoundError } from '../errors.js';
import { readRegularTextFile } from '../files/read-regular-file.js';
import { requestDaemon } from '../protocol/socket-client.js';
import type { Environment } from '../sessions/discovery-context.js';
import { findClaudeProcesses, type ClaudeProcess } from '../sessions/find-claude-processes.js';
import { readEnviron, readProcLink } from '../sessions/proc-reader.js';
import { liveSessionFiles, readSessionFiles, type SessionFile } from '../sessions/session-file.js';
import type { SettingProblem, Settings } from '../settings/settings.js';
import { serviceIsHealthy, serviceStatus } from './service-command.js';
import { VERSION } from './version.js';

/** `not_used`: vmux does not need it for what this user does (or does not use it yet). */
export type CheckState = 'ok' | 'warning' | 'problem' | 'not_used';

/** One thing vmux needs or uses, what it found, and what to do about it. */
export interface Check {
  readonly name: string;
  readonly title: string;
  readonly state: CheckState;
  /** One line: what vmux found. */
  readonly summary: string;
  readonly details?: readonly string[];
  /** What to run or change, when something is not right. */
  readonly fix?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** What every check looks at: the environment with the settings in it, and the machine's proc root. */
export interface DoctorContext {
  readonly env: Environment;
  readonly settings: Settings;
  readonly problems: readonly SettingProblem[];
  readonly procRoot: string;
}

/** Every check, in the order they are printed; the slow ones (sockets, programs) run side by side. */
export async function runChecks(context: DoctorContext): Promise<Check[]> {
  const sessions = safely('claude_code', 'Claude Code', () => findSessions(context));
  const found = 'sessions' in sessions ? sessions.sessions : [];
  const [daemon, service, wm, tmux] = await Promise.all([
    safelyAsync('vmuxd', 'vmuxd', () => checkDaemon(context)),
    safelyAsync('service', 'vmuxd service', () => checkService(context)),
    safelyAsync('window_manager', 'window manager', () => checkWindowManager(context)),
    safelyAsync('tmux', 'tmux', () => checkTmux(context, found)),
  ]);
  return [
    'check' in sessions ? sessions.check : checkSessions(context, sessions.sessions),
    unwrap(safely('claude_folder', 'Claude folder', () => checkClaudeFolder(context))),
    checkSettings(context),
    reconcileDaemon(daemon, service),
    service,
    wm,
    tmux,
    checkHooks(),
    checkSessionBus(context),
  ];
}

/** A check that threw is a problem of its own, not the end of the report. */
function safely<T>(name: string, title: string, body: () => T): T | { check: Check } {
  try {
    return body();
  } catch (error) {
    return { check: { name, title, state: 'problem', summary: `vmux could not check this: ${messageOf(error)}` } };
  }
}

function unwrap(result: Check | { check: Check }): Check {
  return 'check' in result ? result.check : result;
}

async function safelyAsync(name: string, title: string, body: () => Promise<Check>): Promise<Check> {
  try {
    return await body();
  } catch (error) {
    return { name, title, state: 'problem', summary: `vmux could not check this: ${messageOf(error)}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Claude Code processes

/** What doctor tells about one running Claude Code session. */
export interface SessionFacts {
  readonly pid: number;
  /** `2.1.197`; null when neither its sessions file nor its executable says. */
  readonly version: string | null;
  /** `native` (the single executable) or `node` (the older Node build, `cli.js`). */
  readonly build: 'native' | 'node';
  /** A `-p`/`--print` run: no conversation to wait in, no sessions file. */
  readonly print: boolean;
  readonly sessions_file: boolean;
  /** Whether its sessions file carries a live `status`; null when it cannot be told yet. */
  readonly writes_status: boolean | null;
  /** Why, in words. */
  readonly status_note: string;
  /** The CLAUDE_CONFIG_DIR the process uses, when it differs from vmux's. */
  readonly other_claude_dir?: string;
  /** Set when the process is another user's: vmux cannot read its files. */
  readonly other_user?: number;
}

const JS_RUNTIMES = new Set(['node', 'nodejs', 'bun', 'deno']);

function findSessions(context: DoctorContext): { sessions: SessionFacts[] } {
  const claudeDir = context.settings.claudeDir.value;
  const files = liveSessionFiles(readSessionFiles(claudeDir), context.procRoot);
  const processes = findClaudeProcesses(context.procRoot, { knownSessionPids: new Set(files.keys()) });
  return { sessions: processes.map((proc) => sessionFacts(proc, files.get(proc.pid), context)) };
}

function sessionFacts(proc: ClaudeProcess, file: SessionFile | undefined, context: DoctorContext): SessionFacts {
  const exe = readProcLink(context.procRoot, proc.pid, 'exe')?.replace(/ \(deleted\)$/, '');
  const build = exe !== undefined && JS_RUNTIMES.has(basename(exe)) ? 'node' : 'native';
  const print = proc.cmd.some((arg) => arg === '-p' || arg === '--print');
  const environ = readEnviron(context.procRoot, proc.pid);
  const version = file?.version ?? versionOfExecutable(exe, proc, environ);
  const otherUser = process.getuid !== undefined && proc.uid !== process.getuid() ? proc.uid : undefined;
  const otherDir = otherUser === undefined ? otherClaudeDir(environ, context) : undefined;
  const base = {
    pid: proc.pid,
    version: version ?? null,
    build,
    print,
    sessions_file: file !== undefined,
    ...(otherDir ? { other_claude_dir: otherDir } : {}),
    ...(otherUser !== undefined ? { other_user: otherUser } : {}),
  } as const;
  const fromTranscript = 'its state comes from its transcript';
  if (file?.status !== undefined) return { ...base, writes_status: true, status_note: 'writes its status' };
  if (print) return { ...base, writes_status: false, status_note: `a -p run writes no status: ${fromTranscript}` };
  if (build === 'node') return { ...base, writes_status: false, status_note: `the Node build writes no status: ${fromTranscript}` };
  const writes = writesStatus(version);
  if (writes === false) return { ...base, writes_status: false, status_note: `this version writes no status: ${fromTranscript}` };
  if (file === undefined) return { ...base, writes_status: writes, status_note: `no sessions file for it in ${join(context.settings.claudeDir.value, 'sessions')}: ${fromTranscript}` };
  return { ...base, writes_status: writes, status_note: writes ? 'writes its status (none yet)' : `no status in its sessions file: ${fromTranscript}` };
}

/** Native builds write `status` in their sessions file from 2.1 on; null when the version is not known. */
function writesStatus(version: string | undefined): boolean | null {
  const match = /^([0-9]+)\.([0-9]+)\./.exec(version ?? '');
  if (match === null) return null;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 2 || (major === 2 && minor >= 1);
}

/**
 * The version in the executable's path: a native build runs from `…/claude/versions/<version>`
 * or from an npm package; the Node build is `node …/cli.js`, whose argv it overwrites with its
 * title, so its script is found through `$_` (the path the shell ran) when argv lost it.
 */
function versionOfExecutable(exe: string | undefined, proc: ClaudeProcess, environ: ReadonlyMap<string, string> | undefined): string | undefined {
  const fromName = /\/claude\/versions\/([0-9]+\.[0-9]+\.[0-9]+[^/]*)$/.exec(exe ?? '')?.[1];
  if (fromName !== undefined) return fromName;
  const candidates = [exe, proc.cmd[1], proc.cmd[0], environ?.get('_')].filter((path): path is string => path !== undefined && isAbsolute(path));
  for (const path of candidates) {
    const version = packageVersionNear(path);
    if (version !== undefined) return version;
  }
  return undefined;
}

/** The version of the `@anthropic-ai/claude-code` package holding `path` (`bin/claude.exe`, `cli.js`). */
function packageVersionNear(path: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return undefined;
  }
  for (const dir of [dirname(real), dirname(dirname(real))]) {
    try {
      const manifest = JSON.parse(readRegularTextFile(join(dir, 'package.json'), { maxBytes: 64 * 1024 })) as { name?: unknown; version?: unknown };
      if (typeof manifest.name === 'string' && manifest.name.startsWith('@anthropic-ai/claude-code') && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // No package here.
    }
  }
  return undefined;
}

/** The Claude folder the process uses, when it is not the one vmux reads. */
function otherClaudeDir(environ: ReadonlyMap<string, string> | undefined, context: DoctorContext): string | undefined {
  if (environ === undefined) return undefined;
  const configured = environ.get('CLAUDE_CONFIG_DIR');
  const home = environ.get('HOME');
  const theirs = configured !== undefined && configured !== '' ? configured : home !== undefined && isAbsolute(home) ? join(home, '.claude') : undefined;
  if (theirs === undefined || !isAbsolute(theirs)) return undefined;
  return samePath(theirs, context.settings.claudeDir.value) ? undefined : theirs;
}

function samePath(a: string, b: string): boolean {
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return real(a) === real(b);
}

/** `pid 1: text`, or `pid 1, 2, 3: text` for sessions that have the same to say. */
function groupedByPid(lines: readonly { pid: number; text: string }[]): string[] {
  const groups = new Map<string, number[]>();
  for (const { pid, text } of lines) groups.set(text, [...(groups.get(text) ?? []), pid]);
  return [...groups].map(([text, pids]) => `pid ${pids.join(', ')}: ${text}`);
}

function checkSessions(context: DoctorContext, sessions: readonly SessionFacts[]): Check {
  const title = 'Claude Code';
  const claudeDir = context.settings.claudeDir.value;
  if (sessions.length === 0) {
    return {
      name: 'claude_code',
      title,
      state: 'warning',
      summary: 'no Claude Code session runs now',
      fix: "start one (claude) and run 'vmux doctor' again; vmux finds processes named claude, claude.exe, a version number run from …/claude/versions/, or node running Claude Code's cli.js",
      data: { sessions },
    };
  }
  const details = groupedByPid(
    sessions.map((s) => ({
      pid: s.pid,
      text: `${s.version ?? 'version unknown'} (${s.build === 'node' ? 'Node build' : 'native'}${s.print ? ', -p' : ''}), ${s.status_note}${s.other_claude_dir ? `; it uses ${s.other_claude_dir}, not ${claudeDir}` : ''}${s.other_user !== undefined ? `; it is user ${s.other_user}'s, whose files vmux may not read` : ''}`,
    })),
  );
  const elsewhere = sessions.filter((s) => s.other_claude_dir !== undefined);
  const count = `${sessions.length} session${sessions.length === 1 ? '' : 's'} running`;
  if (elsewhere.length > 0) {
    const folder = elsewhere[0]?.other_claude_dir ?? '';
    return {
      name: 'claude_code',
      title,
      state: 'problem',
      summary: `${count}; ${elsewhere.length} of them use${elsewhere.length === 1 ? 's' : ''} another Claude folder, so vmux cannot tell their state`,
      details,
      fix: `set CLAUDE_CONFIG_DIR=${folder} where you run vmux (and in vmuxd's service: run 'vmux service install' again from that shell)`,
      data: { sessions },
    };
  }
  // A native 2.1 writes its sessions file as it starts: none means vmux reads another folder than it writes.
  const unseen = sessions.filter((s) => s.writes_status === true && !s.sessions_file && s.other_user === undefined);
  if (unseen.length > 0) {
    return {
      name: 'claude_code',
      title,
      state: 'warning',
      summary: `${count}; ${unseen.length} of them write${unseen.length === 1 ? 's' : ''} no sessions file where vmux looks`,
      details,
      fix: `vmux reads ${claudeDir}: if those sessions run with another CLAUDE_CONFIG_DIR, set the same where you run vmux`,
      data: { sessions },
    };
  }
  return { name: 'claude_code', title, state: 'ok', summary: count, details, data: { sessions } };
}

// ---------------------------------------------------------------------------------------------
// The Claude folder, the settings

function checkClaudeFolder(context: DoctorContext): Check {
  const dir = context.settings.claudeDir.value;
  const name = 'claude_folder';
  const title = 'Claude folder';
  const setting = context.settings.claudeDir.source === 'environment' ? ' (CLAUDE_CONFIG_DIR)' : '';
  let stat;
  try {
    stat = statSync(dir);
  } catch (error) {
    return {
      name,
      title,
      state: 'problem',
      summary: `${dir}${setting} ${errnoCode(error) === 'ENOENT' ? 'does not exist' : `cannot be read (${errnoCode(error) ?? messageOf(error)})`}: vmux sees Claude Code processes but not their state`,
      fix: 'run Claude Code once (it creates the folder), or set CLAUDE_CONFIG_DIR to the folder your Claude Code uses',
    };
  }
  if (!stat.isDirectory()) return { name, title, state: 'problem', summary: `${dir}${setting} is not a folder`, fix: 'set CLAUDE_CONFIG_DIR to the folder your Claude Code uses, or unset it for ~/.claude' };
  const unreadable = [dir, join(dir, 'sessions'), join(dir, 'projects')].filter((path) => !readable(path) && exists(path));
  if (unreadable.length > 0) {
    return { name, title, state: 'problem', summary: `${unreadable.join(', ')} cannot be read by this user`, fix: 'run vmux as the user who runs Claude Code' };
  }
  const missing = ['sessions', 'projects'].filter((sub) => !exists(join(dir, sub)));
  if (missing.length > 0) {
    return {
      name,
      title,
      state: 'warning',
      summary: `${dir}${setting} has no ${missing.map((sub) => `${sub}/`).join(' or ')} yet`,
      details: ['Claude Code writes sessions/<pid>.json for each interactive session and its transcripts under projects/.'],
      fix: 'start a Claude Code session; if one runs, it uses another folder: set CLAUDE_CONFIG_DIR to it',
    };
  }
  return { name, title, state: 'ok', summary: `${dir}${setting}: readable, with sessions/ and projects/` };
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function checkSettings(context: DoctorContext): Check {
  const file = context.settings.configFile;
  const where = `config file ${file.path} (${file.exists ? 'present' : 'not present'})`;
  const errors = context.problems.filter((p) => p.severity === 'error');
  const details = context.problems.map((p) => `${p.severity}: ${p.message}`);
  if (errors.length > 0) {
    return { name: 'settings', title: 'settings', state: 'problem', summary: `${errors.length} setting${errors.length === 1 ? '' : 's'} cannot be used: every vmux command stops until fixed`, details, fix: "correct what each line says; 'vmux config' shows every setting and where it came from" };
  }
  if (details.length > 0) return { name: 'settings', title: 'settings', state: 'warning', summary: where, details, fix: "'vmux config' shows every setting and where it came from" };
  return { name: 'settings', title: 'settings', state: 'ok', summary: `no problems; ${where}` };
}

// ---------------------------------------------------------------------------------------------
// vmuxd and its service

async function checkDaemon(context: DoctorContext): Promise<Check> {
  const home = vmuxHomeFrom(context.env);
  const probe = await probeDaemon(home.socketPath);
  const name = 'vmuxd';
  const title = 'vmuxd';
  switch (probe.kind) {
    case 'running': {
      const status = (await requestDaemon(home.socketPath, { action: 'status' }, 2000)).status;
      const version = status?.version ?? 'unknown';
      const summary = `vmuxd ${version} runs (pid ${probe.pid}) on ${home.socketPath}, following ${status?.sessions ?? 0} session${status?.sessions === 1 ? '' : 's'}`;
      if (version !== VERSION) return { name, title, state: 'warning', summary, details: [`This vmux is ${VERSION}.`], fix: "restart it on this version: 'vmux service install' (or 'vmux stop' and start vmuxd again)", data: { pid: probe.pid, version } };
      return { name, title, state: 'ok', summary, data: { pid: probe.pid, version } };
    }
    case 'absent':
      return { name, title, state: 'not_used', summary: "not running: 'vmux list' scans by itself", fix: "'vmux service install' runs it with your session, for 'vmux watch', labels that follow /clear and quicker switching" };
    case 'stale':
      return { name, title, state: 'warning', summary: `not running; ${home.socketPath} was left by a vmuxd that ended without removing it`, fix: 'start vmuxd (it replaces the old socket), or remove the file' };
    case 'foreign':
      return { name, title, state: 'problem', summary: `${home.socketPath} does not answer as vmuxd does: ${probe.why}`, fix: 'stop whatever listens there, or set VMUX_HOME to another folder' };
  }
}

/** vmuxd not running is a problem only when the user set it up to run. */
function reconcileDaemon(daemon: Check, service: Check): Check {
  if (daemon.state === 'not_used' && service.state === 'problem') {
    return { ...daemon, state: 'problem', summary: 'not running, though its service is installed', fix: 'see the vmuxd service below' };
  }
  return daemon;
}

async function checkService(context: DoctorContext): Promise<Check> {
  const status = await serviceStatus(context.env);
  const name = 'service';
  const title = 'vmuxd service';
  const data = { ...status };
  if (!status.installed) return { name, title, state: 'not_used', summary: `not installed (no ${status.unit_path})`, fix: "'vmux service install' starts vmuxd with your session", data };
  const runs = `runs ${status.exec_start.join(' ')}`;
  if (status.missing.length > 0) {
    return { name, title, state: 'problem', summary: `installed, but ${status.missing.join(' and ')} no longer exist${status.missing.length === 1 ? 's' : ''}`, details: [runs], fix: "run 'vmux service install' again with the Node and vmux you use now", data };
  }
  if (status.systemctl_problem !== undefined) {
    return { name, title, state: 'warning', summary: `installed, but ${status.systemctl_problem}`, details: [runs], fix: 'log in to a session where systemd runs your user manager, or start vmuxd yourself', data };
  }
  if (serviceIsHealthy(status) && status.enabled === 'enabled') return { name, title, state: 'ok', summary: 'installed, enabled and running', details: [runs], data };
  const how = `installed, ${status.enabled === 'enabled' ? 'enabled' : `not enabled (${status.enabled ?? 'unknown'})`}, ${status.active === 'active' ? 'running' : `not running (${status.active ?? 'unknown'})`}`;
  return { name, title, state: 'problem', summary: how, details: [runs], fix: "see 'journalctl --user -u vmuxd', then 'vmux service install' to enable and start it", data };
}

// ---------------------------------------------------------------------------------------------
// The window manager

async function checkWindowManager(context: DoctorContext): Promise<Check> {
  const name = 'window_manager';
  const title = 'window manager';
  if (!hasGraphicalSession(context.env)) {
    return { name, title, state: 'not_used', summary: 'no graphical session here (no DISPLAY, WAYLAND_DISPLAY, SWAYSOCK or I3SOCK): vmux switch selects tmux panes only' };
  }
  let found;
  try {
    found = await findWmSocketPath({ env: context.env });
  } catch (error) {
    if (!(error instanceof WmNotFoundError)) throw error;
    return {
      name,
      title,
      state: 'warning',
      summary: 'no i3 or sway found: vmux switch selects tmux panes but focuses no window, and vmux list shows no workspaces',
      details: error.attempts.map((attempt) => `${attempt.source}: ${attempt.reason}`),
      fix: 'vmux focuses windows on i3 and sway; run it inside such a session, or point I3SOCK or SWAYSOCK at its socket',
    };
  }
  let client: WmClient | undefined;
  try {
    client = await WmClient.connect(found.path);
    const raw = await client.request(MESSAGE_TYPES.GET_VERSION.code);
    const version = parseVersion(raw);
    const variant = typeof raw === 'object' && raw !== null && 'variant' in raw && typeof raw.variant === 'string' ? raw.variant : undefined;
    const wm = variant ?? wmOfSocketSource(found.source);
    return { name, title, state: 'ok', summary: `${wm} ${version.human_readable} answers on ${found.path} (from ${found.source})`, data: { wm, version: version.human_readable, socket: found.path, source: found.source } };
  } catch (error) {
    return { name, title, state: 'problem', summary: `found ${found.path} (from ${found.source}), but ${messageOf(error)}`, fix: 'is the window manager stuck, or the variable left from an older session? Log in again, or unset it' };
  } finally {
    client?.close();
  }
}

// ---------------------------------------------------------------------------------------------
// tmux

async function checkTmux(context: DoctorContext, sessions: readonly SessionFacts[]): Promise<Check> {
  const name = 'tmux';
  const title = 'tmux';
  const servers = new Map<string, number[]>();
  for (const session of sessions) {
    const location = readTmuxLocation(context.procRoot, session.pid);
    if (location !== undefined) servers.set(location.socketPath, [...(servers.get(location.socketPath) ?? []), session.pid]);
  }
  const version = await tmuxVersion(context.env);
  if (servers.size === 0) {
    return { name, title, state: 'not_used', summary: `no Claude Code session runs in tmux${version === undefined ? ' (and tmux is not on PATH)' : ` (${version} is installed)`}` };
  }
  const inTmux = [...servers.values()].flat().length;
  if (version === undefined) {
    return { name, title, state: 'problem', summary: `${inTmux} session${inTmux === 1 ? '' : 's'} run in tmux, but tmux is not on PATH: vmux switch cannot select their panes`, fix: 'put tmux on PATH (vmux runs it by name)' };
  }
  const details: string[] = [];
  let unreachable = 0;
  for (const [socket, pids] of servers) {
    try {
      const listed = await new TmuxServer(socket, { env: { ...context.env } }).run(['list-sessions', '-F', '#{session_id}']);
      const count = listed.split('\n').filter((line) => line !== '').length;
      details.push(`${socket}: answers (${count} tmux session${count === 1 ? '' : 's'}); Claude Code pid ${pids.join(', ')}`);
    } catch (error) {
      unreachable++;
      details.push(`${socket}: ${messageOf(error)} (pid ${pids.join(', ')})`);
    }
  }
  const summary = `${inTmux} session${inTmux === 1 ? '' : 's'} in tmux on ${servers.size} server${servers.size === 1 ? '' : 's'}, ${version}`;
  if (unreachable > 0) return { name, title, state: 'problem', summary: `${summary}; ${unreachable} server${unreachable === 1 ? '' : 's'} cannot be reached`, details, fix: 'run vmux as the user who runs that tmux server', data: { servers: Object.fromEntries(servers) } };
  return { name, title, state: 'ok', summary, details, data: { servers: Object.fromEntries(servers) } };
}

/** `tmux 3.4`, or undefined when tmux cannot be run. */
function tmuxVersion(env: Environment): Promise<string | undefined> {
  return new Promise((done) => {
    execFile('tmux', ['-V'], { env, encoding: 'utf8', timeout: 3000 }, (error, stdout) => done(error === null ? stdout.trim() : undefined));
  });
}

// ---------------------------------------------------------------------------------------------
// Hooks, the session bus

function checkHooks(): Check {
  return {
    name: 'hooks',
    title: 'hooks',
    state: 'not_used',
    summary: 'none are needed: vmux reads what Claude Code itself writes (sessions/<pid>.json and the transcripts); nothing to add to its settings',
  };
}

/** Notifications come later; what they will need is told already: a session bus. */
function checkSessionBus(context: DoctorContext): Check {
  const address = context.env['DBUS_SESSION_BUS_ADDRESS'];
  const name = 'session_bus';
  const title = 'session bus';
  const later = 'not used yet (desktop notifications come in a later version)';
  if (address === undefined || address === '') return { name, title, state: 'not_used', summary: `${later}; DBUS_SESSION_BUS_ADDRESS is not set` };
  const path = /(?:^|;)unix:(?:[^;]*,)?path=([^,;]+)/.exec(address)?.[1];
  if (path === undefined) {
    const abstract = /(?:^|;)unix:(?:[^;]*,)?abstract=/.test(address);
    return { name, title, state: 'not_used', summary: `${later}; the bus is ${abstract ? 'on an abstract socket (not checked)' : `at ${address} (not checked)`}` };
  }
  const socket = decodeURIComponent(path);
  let there: string;
  try {
    there = statSync(socket).isSocket() ? 'its socket is there' : 'it is not a socket';
  } catch {
    there = 'no socket is there';
  }
  return { name, title, state: 'not_used', summary: `${later}; the bus is at ${socket}: ${there}`, data: { socket } };
}
