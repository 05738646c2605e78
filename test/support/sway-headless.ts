/**
 * A real sway on its headless wlroots backend for tests, with real `foot` terminals.
 * No `node:test` import. Shares its plumbing with `i3-xvfb.ts`.
 *
 * sway 1.7 refuses to run as root. When the tests run as root, sway and every terminal run as a
 * temporary non-root user of this test process (`vmuxtest-<pid>`), switched to with `setpriv` (which
 * execs in place, so the PID we hold is sway's own). Creating a user changes the machine, so it is
 * done only when CI asks for it (`VMUX_REQUIRE_WM=1`); otherwise `swayUnavailable()` says why the
 * sway tests skip as root. The user is created (`useradd -m`) when the first harness of the process
 * starts and removed with its home (`userdel -r`) when the last one stops, and at the latest when the
 * process exits: a per-process name means that test files running in parallel never share one.
 * Run as any other user, the harness starts everything as that user, no switching.
 *
 * API
 * - `startSwayHeadless(options?)`: scratch folder owned by the sway user, private
 *   `XDG_RUNTIME_DIR` inside it (0700), generated config (`xwayland disable`, no bar, no swaynag);
 *   sway runs with `WLR_BACKENDS=headless`, `WLR_RENDERER=pixman`, `WLR_LIBINPUT_NO_DEVICES=1`;
 *   resolves once `sway-ipc.<uid>.<pid>.sock` answers `get_workspaces` with its headless output's
 *   workspace.
 * - `SwayHarness` (a `WmHarness`, see i3-xvfb.ts): `env` (`SWAYSOCK`, `I3SOCK` — sway sets both for
 *   its clients — and `WAYLAND_DISPLAY` as an absolute path), `runtimeDir`, `user` ({name, uid, gid,
 *   home}), `swayPid`, `openTerminal({workspace, command, title?, cwd?, env?})` → `WmTerminal`
 *   (foot's `pid` is what sway's tree shows in the node's `pid`; `window` is null), the same tree
 *   helpers, `stop()`.
 * - `openTerminal({…, server: name})`: the window of a terminal server instead, as foot's, kitty's
 *   or gnome-terminal's: the first window of a name starts `foot --server` on a socket in the
 *   runtime folder, each window is a `footclient --app-id <unique> --title <title> -E -- <command>`
 *   (`-E`: the command gets the client's environment, `env` included, as with a plain foot). Then
 *   `pid` is the server's, the same for all its windows, as in sway's tree; `commandPid` is the
 *   server's child; `conId` is found by the unique app id; `close()` ends only that window's command,
 *   and the server stays until `stop()`.
 *
 * Permissions: the IPC socket, the Wayland socket and the terminals belong to the test user and
 * live in its 0700 runtime folder. A root test process can still connect to SWAYSOCK (root's
 * CAP_DAC_OVERRIDE passes the folder's mode) and read `/proc/<pid>/environ` of those processes
 * (CAP_SYS_PTRACE), so vmux under test runs as root with `env` (SWAYSOCK); as a third, non-root user
 * it could do neither. `command` paths given to `openTerminal` must be readable and executable by the test
 * user: put fixtures under `dir` (owned by that user, 0700, root can write there).
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import {
  createHarness,
  execQuiet,
  exitReason,
  makeScratchDir,
  pollFor,
  releaseDir,
  startProcess,
  stopProcessTree,
  WmMsg,
  type ManagedProcess,
  type OpenTerminalOptions,
  type WmHarness,
} from './i3-xvfb.js';
import { atExit } from './at-exit.js';
import { missingPrograms, requiredByCi } from './programs.js';

export interface SwayUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/** What the harness runs, found through PATH. */
export const SWAY_BINARIES = ['sway', 'swaymsg', 'foot', 'footclient'] as const;
/** What it also needs as root: to make its user, switch to it and remove it. */
const TEST_USER_BINARIES = ['setpriv', 'useradd', 'userdel', 'getent'] as const;

export const SWAY_AS_ROOT = 'sway refuses to run as root; set VMUX_REQUIRE_WM=1 to let the tests create a temporary user';

/**
 * The file and arguments that run `argv` as the sway user `user` (setpriv execs in place: the
 * same PID), or `argv` itself when this process needs no switch.
 */
export function asSwayUser(user: SwayUser, argv: readonly string[]): [string, string[]] {
  const [file, ...rest] = argv;
  if (file === undefined) throw new Error('empty argv');
  if (!swayRunsAsOtherUser()) return [file, rest];
  return ['setpriv', ['--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups', '--', file, ...rest]];
}

/** Whether sway needs a user switch: only when this process is root. */
export function swayRunsAsOtherUser(): boolean {
  return process.getuid?.() === 0;
}

export function missingSwayBinaries(): string[] {
  return missingPrograms([...SWAY_BINARIES, ...(swayRunsAsOtherUser() ? TEST_USER_BINARIES : [])]);
}

/** Why no sway harness can start here (not installed; root without leave to create a user), or undefined. */
export function swayUnavailable(): string | undefined {
  const missing = missingSwayBinaries();
  if (missing.length > 0) return `not on PATH: ${missing.join(', ')} (needed for headless sway)`;
  if (swayRunsAsOtherUser() && !requiredByCi()) return SWAY_AS_ROOT;
  return undefined;
}

async function lookupUser(name: string): Promise<SwayUser | undefined> {
  const result = await execQuiet('getent', ['passwd', name], 10_000);
  if (result.code !== 0) return undefined;
  const fields = result.stdout.trim().split(':');
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  const home = fields[5];
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || home === undefined) {
    throw new Error(`getent passwd ${name}: unexpected ${JSON.stringify(result.stdout)}`);
  }
  return { name, uid, gid, home };
}

/**
 * The temporary user of this test process: its own name, so that parallel test files never
 * share (or remove) another's. Held by the live harnesses of the process; `testUser` is set
 * while it exists.
 */
const TEST_USER_NAME = `vmuxtest-${process.pid}`;
let testUser: SwayUser | undefined;
let holders = 0;
let userSteps: Promise<unknown> = Promise.resolve();

/** Creating and removing the user one step at a time, whatever the harnesses of the process do. */
function serially<T>(step: () => Promise<T>): Promise<T> {
  const next = userSteps.then(step, step);
  userSteps = next.catch(() => undefined);
  return next;
}

// A process that ends without stopping its harnesses still removes its user (its processes were
// just killed by i3-xvfb.ts's step, registered first; -f does not wait for them to be reaped).
atExit(() => {
  if (testUser !== undefined) spawnSync('userdel', ['-r', '-f', testUser.name], { stdio: 'ignore', timeout: 10_000 });
});

/**
 * useradd and userdel lock /etc/passwd, which another test process may hold for a moment, and
 * userdel refuses while a process of the user is still being reaped: those are tried again.
 */
const PASSING_REFUSAL = /lock|try again|currently used|logged in/i;

async function userCommand(file: 'useradd' | 'userdel', args: readonly string[], done: () => Promise<boolean>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const result = await execQuiet(file, args, 10_000);
    if (await done()) return;
    const said = result.stderr.trim();
    if (attempt >= 30 || !PASSING_REFUSAL.test(said)) throw new Error(`${file} ${args.join(' ')} failed (exit ${String(result.code)}): ${said}`);
    await delay(100);
  }
}

async function createTestUser(name: string): Promise<SwayUser> {
  // A user of this name left by a crashed run of a process with the same PID is taken over.
  let user = await lookupUser(name);
  if (user === undefined) {
    await userCommand('useradd', ['-m', '-c', 'vmux tests, removed when they end', name], async () => (user = await lookupUser(name)) !== undefined);
  }
  if (user === undefined) throw new Error('unreachable');
  if (user.uid === 0) throw new Error(`test user ${name} has uid 0`);
  return user;
}

async function removeTestUser(user: SwayUser): Promise<void> {
  await userCommand('userdel', ['-r', user.name], async () => (await lookupUser(user.name)) === undefined);
  if (existsSync(user.home)) throw new Error(`userdel -r ${user.name} left its home ${user.home}`);
}

/**
 * The user sway runs as: this process's own, or (as root, with VMUX_REQUIRE_WM=1) the temporary
 * test user, created for the first harness that asks. Every call is matched by `releaseSwayUser`.
 */
async function acquireSwayUser(): Promise<SwayUser> {
  if (!swayRunsAsOtherUser()) {
    const me = userInfo();
    return { name: me.username, uid: me.uid, gid: me.gid, home: me.homedir };
  }
  return serially(async () => {
    if (!requiredByCi()) throw new Error(`sway harness: ${SWAY_AS_ROOT}`);
    testUser ??= await createTestUser(TEST_USER_NAME);
    holders++;
    return testUser;
  });
}

/** Removes the test user (`userdel -r`) once no harness of this process holds it. */
async function releaseSwayUser(): Promise<void> {
  if (!swayRunsAsOtherUser()) return;
  await serially(async () => {
    holders = Math.max(0, holders - 1);
    if (holders > 0 || testUser === undefined) return;
    const user = testUser;
    await removeTestUser(user);
    testUser = undefined;
  });
}

export interface SwayOptions {
  readonly readyTimeoutMs?: number;
}

export interface SwayHarness extends WmHarness {
  readonly kind: 'sway';
  readonly swayPid: number;
  readonly runtimeDir: string;
  readonly waylandDisplay: string;
  readonly user: SwayUser;
}

interface FootServer {
  readonly proc: ManagedProcess;
  /** Its UNIX socket, for `footclient --server-socket`. */
  readonly socket: string;
}

/** The first line `proc` writes on its extra pipe `fd` (started with `extraPipes`), without the newline. */
async function readFirstLine(proc: ManagedProcess, fd: number, timeoutMs: number): Promise<string> {
  const stream = proc.child.stdio[fd];
  if (!(stream instanceof Readable)) throw new Error(`${proc.name}: no pipe on fd ${fd}`);
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return pollFor(() => /^([^\n]*)\n/.exec(text)?.[1], `${proc.name} (pid ${proc.pid}) to write a line on fd ${fd}`, {
    timeoutMs,
    abort: () => exitReason(proc),
  });
}

export async function startSwayHeadless(options: SwayOptions = {}): Promise<SwayHarness> {
  const started = Date.now();
  const timeoutMs = options.readyTimeoutMs ?? 10_000;
  const missing = missingSwayBinaries();
  if (missing.length > 0) throw new Error(`sway harness: not on PATH: ${missing.join(', ')}`);
  const user = await acquireSwayUser();
  let harness: SwayHarness;
  try {
    harness = await startSwayAs(user, started, timeoutMs);
  } catch (error) {
    await releaseSwayUser();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  // The user goes once nothing of this harness runs as it any more (even when stopping failed).
  return { ...harness, stop: () => (stopped ??= harness.stop().finally(releaseSwayUser)) };
}

async function startSwayAs(user: SwayUser, started: number, timeoutMs: number): Promise<SwayHarness> {
  const switchUser = swayRunsAsOtherUser();
  const dir = makeScratchDir('vmux-sway-');
  const servers: ManagedProcess[] = [];
  try {
    const runtimeDir = join(dir, 'run');
    mkdirSync(runtimeDir, { mode: 0o700 });
    const configPath = join(dir, 'sway.config');
    writeFileSync(
      configPath,
      [
        '# Generated by vmux test/support/sway-headless.ts: no bar, no swaynag, no Xwayland.',
        'xwayland disable',
        'swaynag_command -',
        '',
      ].join('\n'),
    );
    const footConfig = join(dir, 'foot.ini');
    writeFileSync(footConfig, '# Empty: foot defaults, nothing from a home folder.\n');
    if (switchUser) {
      chownSync(dir, user.uid, user.gid);
      chownSync(runtimeDir, user.uid, user.gid);
    }
    const asUser = (argv: readonly string[]): [string, string[]] => asSwayUser(user, argv);
    const baseEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: user.home,
      USER: user.name,
      LOGNAME: user.name,
      LANG: 'C.UTF-8',
      XDG_RUNTIME_DIR: runtimeDir,
    };
    const [swayFile, swayArgs] = asUser(['sway', '-c', configPath]);
    const sway = await startProcess('sway', swayFile, swayArgs, {
      env: { ...baseEnv, WLR_BACKENDS: 'headless', WLR_RENDERER: 'pixman', WLR_LIBINPUT_NO_DEVICES: '1' },
      cwd: dir,
    });
    servers.push(sway);
    const died = (): string | undefined => exitReason(sway);
    const socketPath = join(runtimeDir, `sway-ipc.${user.uid}.${sway.pid}.sock`);
    const msg = new WmMsg('swaymsg', socketPath);
    const remaining = (): number => Math.max(1, timeoutMs - (Date.now() - started));
    await pollFor(() => (existsSync(socketPath) ? true : undefined), `sway's socket ${socketPath}`, {
      timeoutMs: remaining(),
      abort: died,
    });
    await pollFor(async () => ((await msg.workspaces()).length > 0 ? true : undefined), 'sway to answer with a workspace', {
      timeoutMs: remaining(),
      abort: died,
    });
    const waylandName = readdirSync(runtimeDir).find((entry) => /^wayland-\d+$/.test(entry));
    if (waylandName === undefined) throw new Error(`sway answers but no wayland-N socket in ${runtimeDir}`);
    const waylandDisplay = join(runtimeDir, waylandName);
    // Sessions in this sway's terminals run as its user; vmux under test, run by root, must be
    // asked for every user's sessions to see them.
    const everyUser: Record<string, string> = user.uid !== process.getuid?.() ? { VMUX_ALL_USERS: '1' } : {};
    const env = { SWAYSOCK: socketPath, I3SOCK: socketPath, WAYLAND_DISPLAY: waylandDisplay, ...everyUser };
    const startupMs = Date.now() - started;
    const termEnv = (open: OpenTerminalOptions): NodeJS.ProcessEnv => ({
      ...baseEnv,
      WAYLAND_DISPLAY: waylandName,
      SWAYSOCK: socketPath,
      I3SOCK: socketPath,
      ...(open.env ?? {}),
    });

    /** One `foot --server` per name, started on first use; `stop` ends it (after its windows). */
    const footServers = new Map<string, Promise<FootServer>>();
    const footServer = (name: string): Promise<FootServer> => {
      let server = footServers.get(name);
      if (server === undefined) {
        server = startFootServer(name);
        footServers.set(name, server);
        // A server that failed to start is not reused: the next window tries again.
        server.catch(() => footServers.delete(name));
      }
      return server;
    };
    const startFootServer = async (name: string): Promise<FootServer> => {
      if (!/^[A-Za-z0-9_.-]{1,32}$/.test(name)) throw new Error(`terminal server name not accepted by the harness: ${JSON.stringify(name)}`);
      const socket = join(runtimeDir, `foot-server-${name}.sock`);
      // --print-pid: foot writes its PID once it listens on the socket, so footclient can connect.
      const [file, args] = asUser(['foot', '--config', footConfig, `--server=${socket}`, '--print-pid=3']);
      const proc = await startProcess(`foot --server ${name}`, file, args, {
        env: { ...baseEnv, WAYLAND_DISPLAY: waylandName, SWAYSOCK: socketPath, I3SOCK: socketPath },
        cwd: dir,
        extraPipes: 1,
      });
      try {
        const printed = await readFirstLine(proc, 3, 10_000);
        if (Number(printed) !== proc.pid) throw new Error(`foot --server ${name} printed pid ${printed}, not ${proc.pid}`);
      } catch (error) {
        await stopProcessTree(proc).catch(() => undefined);
        throw error;
      }
      return { proc, socket };
    };

    const harness = createHarness({
      kind: 'sway',
      msg,
      dir,
      env,
      startupMs,
      servers,
      launchTerminal: async (open, index) => {
        const appId = `vmux-term-${index}`;
        const title = open.title ?? appId;
        if (open.server !== undefined) {
          const server = await footServer(open.server);
          const [file, args] = asUser(['footclient', '--server-socket', server.socket, '-E', '--app-id', appId, '--title', title, '--', ...open.command]);
          const proc = await startProcess(`footclient ${appId} of ${server.proc.name}`, file, args, { env: termEnv(open), cwd: open.cwd ?? dir });
          // Every window of the server carries the server's PID in sway's tree; only the app id tells them apart.
          return { proc, owner: server.proc, title, matches: (node) => node.app_id === appId && (node.type === 'con' || node.type === 'floating_con') };
        }
        const [file, args] = asUser(['foot', '--config', footConfig, '--app-id', appId, '--title', title, '--', ...open.command]);
        const proc = await startProcess(`foot ${appId}`, file, args, { env: termEnv(open), cwd: open.cwd ?? dir });
        // sway's tree carries the Wayland client's PID; setpriv exec'd foot, so it is proc.pid.
        return { proc, title, matches: (node) => node.pid === proc.pid && (node.type === 'con' || node.type === 'floating_con') };
      },
    });
    return { ...harness, kind: 'sway', swayPid: sway.pid, runtimeDir, waylandDisplay, user };
  } catch (error) {
    for (const server of servers) await stopProcessTree(server).catch(() => undefined);
    releaseDir(dir);
    throw error;
  }
}
