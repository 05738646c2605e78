/**
 * A real i3 under Xvfb for tests, plus the plumbing it shares with `sway-headless.ts` (processes
 * that are reaped, IPC calls through `i3-msg`/`swaymsg`, tree parsing, polling with deadlines).
 * No `node:test` import, so benchmarks can use it too. Independent of `src/desktop/wm-ipc/` on
 * purpose: the harness must not trust the code it is used to test.
 *
 * API
 * - `startI3UnderXvfb(options?)`: Xvfb picks a free display itself (`-displayfd`, no race with other
 *   test files), then i3 starts with a generated config (v4 header, no bar, `ipc-socket` in a temp
 *   folder) and the promise resolves once i3 answers `get_workspaces` on that socket.
 * - `I3Harness` (a `WmHarness`): `display`, `socketPath`, `env` (`DISPLAY`, `I3SOCK`) for child
 *   processes, `dir` (scratch folder removed by `stop`; put fixtures there), `openTerminal({workspace,
 *   command, title?, cwd?, env?})` → `WmTerminal` (`pid` of xterm, `commandPid` of the argv it runs,
 *   `window` (X11 id), `conId`, `workspace`, `close()`; xterm runs with `-hold`, so a command that
 *   ends leaves its window until `close()`; xterm has no server mode, so `server` is refused),
 *   `tree()`, `workspaces()`, `focusedConId()`, `workspaceOf(conId)`, `command(text)` (raw
 *   results, `success: false` is not an error), `waitForTree(check, what)`, `startedPids()`,
 *   `startupMs`, `stop()`.
 * - `stop()` ends every terminal leaf-first (their commands, then the terminal, so that each process
 *   is reaped by its own parent: PID 1 of a container may reap orphans late or never), then i3, then Xvfb,
 *   waits on each, and removes the scratch folder. Whatever is still alive when the test process
 *   exits is SIGKILLed.
 * - `missingI3Binaries()` names the executables not found on PATH (for skip/fail decisions, made in
 *   require-wm.ts).
 * - Shared with sway: `WmNode`, `WmWorkspace`, `WmCommandResult`, `WmMsg`, `findNode`, `walkTree`,
 *   `workspaceNameOf`, `focusedNode`, `pollFor`, `startProcess`, `stopProcessTree`, `childrenOf`,
 *   `isGone`, `commOf`, `endChildOf`, `execQuiet`, `missingBinaries`, `validWorkspaceName`, `createHarness`.
 */
import { execFile, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { accessSync, chmodSync, constants, copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { childrenOf, commOf, isGone, readStat } from './process-tree.js';
import { atExit } from './at-exit.js';
import { missingPrograms, requireProgram } from './programs.js';

export { childrenOf, commOf, isGone } from './process-tree.js';

// ---------------------------------------------------------------------------------------------
// Tree and reply types (the fields vmux tests look at; names as the IPC spells them)
// ---------------------------------------------------------------------------------------------

export interface WmWindowProperties {
  readonly class?: string;
  readonly instance?: string;
  readonly title?: string;
}

export interface WmNode {
  readonly id: number;
  /** `root`, `output`, `con`, `floating_con`, `workspace`, `dockarea`. */
  readonly type: string;
  readonly name: string | null;
  readonly focused: boolean;
  /** Workspaces: their number (-1 when the name has none). */
  readonly num?: number;
  /** X11 window id (i3; sway only for Xwayland windows). */
  readonly window: number | null;
  /** sway only: the PID of the Wayland client. */
  readonly pid?: number;
  /** sway only: the Wayland app id. */
  readonly app_id?: string | null;
  /** X11 WM_CLASS and title. */
  readonly window_properties?: WmWindowProperties;
  readonly nodes: readonly WmNode[];
  readonly floating_nodes: readonly WmNode[];
  readonly focus: readonly number[];
}

export interface WmWorkspace {
  readonly num: number;
  readonly name: string;
  readonly focused: boolean;
  readonly visible: boolean;
  readonly urgent: boolean;
  readonly output: string;
}

export interface WmCommandResult {
  readonly success: boolean;
  readonly error?: string;
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what}: expected an object`);
  return value as Record<string, unknown>;
}

function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what}: expected an array`);
  return value;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function parseNode(value: unknown): WmNode {
  const o = asRecord(value, 'tree node');
  if (typeof o.id !== 'number' || typeof o.type !== 'string') throw new Error('tree node: missing id or type');
  const props = o.window_properties;
  let windowProperties: WmWindowProperties | undefined;
  if (typeof props === 'object' && props !== null) {
    const p = props as Record<string, unknown>;
    const cls = optionalString(p.class);
    const instance = optionalString(p.instance);
    const title = optionalString(p.title);
    windowProperties = {
      ...(cls !== undefined ? { class: cls } : {}),
      ...(instance !== undefined ? { instance } : {}),
      ...(title !== undefined ? { title } : {}),
    };
  }
  return {
    id: o.id,
    type: o.type,
    name: typeof o.name === 'string' ? o.name : null,
    focused: o.focused === true,
    ...(typeof o.num === 'number' ? { num: o.num } : {}),
    window: typeof o.window === 'number' ? o.window : null,
    ...(typeof o.pid === 'number' ? { pid: o.pid } : {}),
    ...('app_id' in o ? { app_id: typeof o.app_id === 'string' ? o.app_id : null } : {}),
    ...(windowProperties ? { window_properties: windowProperties } : {}),
    nodes: (Array.isArray(o.nodes) ? o.nodes : []).map(parseNode),
    floating_nodes: (Array.isArray(o.floating_nodes) ? o.floating_nodes : []).map(parseNode),
    focus: (Array.isArray(o.focus) ? o.focus : []).filter((id): id is number => typeof id === 'number'),
  };
}

export function parseWorkspaces(value: unknown): WmWorkspace[] {
  return asArray(value, 'workspaces').map((item) => {
    const o = asRecord(item, 'workspace');
    if (typeof o.name !== 'string') throw new Error('workspace: missing name');
    return {
      num: typeof o.num === 'number' ? o.num : -1,
      name: o.name,
      focused: o.focused === true,
      visible: o.visible === true,
      urgent: o.urgent === true,
      output: typeof o.output === 'string' ? o.output : '',
    };
  });
}

export function parseCommandResults(value: unknown): WmCommandResult[] {
  return asArray(value, 'command reply').map((item) => {
    const o = asRecord(item, 'command result');
    const error = optionalString(o.error);
    return { success: o.success === true, ...(error !== undefined ? { error } : {}) };
  });
}

/** Depth-first over tiling and floating children; `visit` gets each node and its nearest workspace. */
export function walkTree(root: WmNode, visit: (node: WmNode, workspace: WmNode | undefined) => void): void {
  const step = (node: WmNode, workspace: WmNode | undefined): void => {
    const here = node.type === 'workspace' ? node : workspace;
    visit(node, workspace);
    for (const child of node.nodes) step(child, here);
    for (const child of node.floating_nodes) step(child, here);
  };
  step(root, undefined);
}

export function findNode(root: WmNode, check: (node: WmNode) => boolean): WmNode | undefined {
  let found: WmNode | undefined;
  walkTree(root, (node) => {
    if (found === undefined && check(node)) found = node;
  });
  return found;
}

/** Name of the workspace holding `conId`, undefined when the con is not in the tree. */
export function workspaceNameOf(root: WmNode, conId: number): string | undefined {
  let name: string | undefined;
  walkTree(root, (node, workspace) => {
    if (node.id === conId && workspace) name = workspace.name ?? undefined;
  });
  return name;
}

export function focusedNode(root: WmNode): WmNode | undefined {
  return findNode(root, (node) => node.focused);
}

/** Workspace names the harnesses accept: they end up in a WM command, so nothing that needs quoting. */
export function validWorkspaceName(name: string): boolean {
  return /^[A-Za-z0-9_.:-]{1,64}$/.test(name);
}

// ---------------------------------------------------------------------------------------------
// IPC through the WM's own command-line client (argv arrays only)
// ---------------------------------------------------------------------------------------------

export interface ExecResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** execFile that never throws: exit code (null on a signal/timeout/spawn error), stdout, stderr. */
export function execQuiet(file: string, args: readonly string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', ...(env ? { env } : {}) },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr: stderr || (error ? error.message : '') });
      },
    );
  });
}

/** One request per `i3-msg`/`swaymsg` run. */
export class WmMsg {
  constructor(
    readonly binary: 'i3-msg' | 'swaymsg',
    readonly socketPath: string,
    private readonly timeoutMs = 3000,
  ) {}

  /** The parsed JSON reply. Exit status 2 (a command that failed) still has a JSON reply. */
  async request(type: string, payload?: string): Promise<unknown> {
    const args = ['-s', this.socketPath, '-t', type, ...(payload !== undefined ? ['--', payload] : [])];
    const result = await execQuiet(this.binary, args, this.timeoutMs);
    let parsed: unknown;
    try {
      parsed = JSON.parse(result.stdout);
    } catch {
      throw new Error(`${this.binary} -t ${type}: exit ${String(result.code)}: ${result.stderr.trim() || result.stdout.trim()}`);
    }
    return parsed;
  }

  async tree(): Promise<WmNode> {
    return parseNode(await this.request('get_tree'));
  }

  async workspaces(): Promise<WmWorkspace[]> {
    return parseWorkspaces(await this.request('get_workspaces'));
  }

  async command(text: string): Promise<WmCommandResult[]> {
    return parseCommandResults(await this.request('command', text));
  }

  /** Runs a command and throws unless every part of it succeeded. */
  async mustCommand(text: string): Promise<void> {
    const results = await this.command(text);
    const failed = results.filter((r) => !r.success);
    if (results.length === 0 || failed.length > 0) {
      throw new Error(`${this.binary}: command ${JSON.stringify(text)} failed: ${JSON.stringify(results)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Waiting with deadlines
// ---------------------------------------------------------------------------------------------

export interface PollOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Checked before each attempt; a string ends the wait at once with that reason. */
  readonly abort?: () => string | undefined;
}

/** Calls `probe` until it yields a value other than undefined; probe errors count as "not yet". */
export async function pollFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, options: PollOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 10;
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    const reason = options.abort?.();
    if (reason !== undefined) throw new Error(`while waiting for ${what}: ${reason}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
      lastError = '';
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`);
    }
    await delay(intervalMs);
  }
}

/** Resolves true when `promise` settles within `ms`, false otherwise; the timer never outlives it. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Processes: started from argv arrays, always reaped
// ---------------------------------------------------------------------------------------------

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Settles once the process has exited and been reaped. */
  readonly exited: Promise<ProcessExit>;
  exitState(): ProcessExit | undefined;
  /** What it wrote to stdout/stderr (when piped), last 64 KiB. */
  output(): string;
}

const OUTPUT_LIMIT = 64 * 1024;
const liveProcesses = new Set<ManagedProcess>();
const liveDirs = new Set<string>();

atExit(() => {
  // The whole tree of each, found before anything is killed: a terminal's command and what it started.
  const pids = [...liveProcesses].flatMap((proc) => [proc.pid, ...descendantsOf(proc.pid)]);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
});

function descendantsOf(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [child, ...descendantsOf(child)]);
}

/** A scratch folder removed by `releaseDir` or, at the latest, when the process exits. */
export function makeScratchDir(prefix: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  liveDirs.add(dir);
  return dir;
}

export function releaseDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  liveDirs.delete(dir);
}

export interface StartProcessOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Capture stdout and stderr (default true); the first extra fds are pipes when `extraPipes` > 0. */
  readonly capture?: boolean;
  readonly extraPipes?: number;
}

export async function startProcess(
  name: string,
  file: string,
  args: readonly string[],
  options: StartProcessOptions,
): Promise<ManagedProcess> {
  const capture = options.capture ?? true;
  const stdio: StdioOptions = ['ignore', capture ? 'pipe' : 'ignore', capture ? 'pipe' : 'ignore'];
  for (let i = 0; i < (options.extraPipes ?? 0); i++) stdio.push('pipe');
  const child = spawn(file, [...args], { env: options.env, stdio, ...(options.cwd ? { cwd: options.cwd } : {}) });
  let text = '';
  const append = (chunk: Buffer): void => {
    text = (text + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let state: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      state = { code, signal };
      resolve(state);
    });
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const pid = child.pid;
  if (pid === undefined) {
    const error = await spawnError;
    throw new Error(`could not start ${name} (${file}): ${error.message}`);
  }
  const proc: ManagedProcess = { name, pid, child, exited, exitState: () => state, output: () => text };
  liveProcesses.add(proc);
  void exited.then(() => liveProcesses.delete(proc));
  return proc;
}

/** `undefined` while running, else a description of how it ended and what it said. */
export function exitReason(proc: ManagedProcess): string | undefined {
  const state = proc.exitState();
  if (!state) return undefined;
  const how = state.signal ? `signal ${state.signal}` : `exit code ${String(state.code)}`;
  const said = proc.output().trim().split('\n').slice(-15).join('\n');
  return `${proc.name} (pid ${proc.pid}) ended with ${how}${said ? `:\n${said}` : ''}`;
}

/**
 * Ends `pid` (and what runs under it, leaf first), a process that is not ours but a child of
 * `parent`, which reaps it; waits until it is gone. Returns the PIDs it ended. Nothing happens when
 * `pid` is gone or no longer `parent`'s child.
 */
export async function endChildOf(pid: number, parent: number, options: StopTreeOptions = {}): Promise<number[]> {
  const seen = new Set<number>();
  await endDescendant(pid, parent, options.graceMs ?? 2000, seen);
  return [...seen];
}

/** Ends a process that is not our child, while its parent is alive to reap it; waits until it is gone. */
async function endDescendant(pid: number, parent: number, graceMs: number, seen: Set<number>): Promise<void> {
  for (const grandchild of childrenOf(pid)) await endDescendant(grandchild, pid, graceMs, seen);
  const stat = readStat(pid);
  if (!stat || stat.ppid !== parent) return; // gone, or no longer the one we found
  seen.add(pid);
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    try {
      await pollFor(() => (isGone(pid) ? true : undefined), `pid ${pid} to be reaped`, { timeoutMs: graceMs });
      return;
    } catch {
      // Still there: try the next signal.
    }
  }
  if (!isGone(pid)) throw new Error(`pid ${pid} (${stat.comm}) was not reaped by its parent ${parent}`);
}

export interface StopTreeOptions {
  /** How long a process has for SIGTERM before SIGKILL. */
  readonly graceMs?: number;
}

/**
 * Ends `proc` and everything under it, leaf first, so that every process is reaped by its own
 * parent, then waits for `proc` itself. Returns the PIDs of the descendants it ended.
 */
export async function stopProcessTree(proc: ManagedProcess, options: StopTreeOptions = {}): Promise<number[]> {
  const graceMs = options.graceMs ?? 2000;
  const seen = new Set<number>();
  if (!proc.exitState()) {
    for (const child of childrenOf(proc.pid)) await endDescendant(child, proc.pid, graceMs, seen);
  }
  if (!proc.exitState()) {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      if (proc.exitState()) break;
      proc.child.kill(signal);
      if (await settlesWithin(proc.exited, graceMs)) break;
    }
  }
  await proc.exited;
  return [...seen];
}

/** Executables of `names` not found on PATH (see programs.ts, the one place that looks). */
export function missingBinaries(names: readonly string[]): string[] {
  return missingPrograms(names);
}

// ---------------------------------------------------------------------------------------------
// The harness shape both WMs share
// ---------------------------------------------------------------------------------------------

export interface OpenTerminalOptions {
  /** Workspace name (letters, digits, `_ . : -`); the terminal is opened there. */
  readonly workspace: string;
  /** What the terminal runs: argv, `command[0]` an executable path (no shell). */
  readonly command: readonly string[];
  readonly title?: string;
  /** Working folder of the terminal (default: the harness's `dir`). */
  readonly cwd?: string;
  /** Added to the terminal's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Open the window from a terminal server of this name (letters, digits, `_ . -`) rather than from
   * a terminal process of its own: every window with the same name belongs to ONE process, as with
   * `foot --server`, kitty's single instance or gnome-terminal. sway only (one `foot --server` per
   * name, started on first use, each window a `footclient`); the i3 harness refuses it.
   */
  readonly server?: string;
  readonly timeoutMs?: number;
}

export interface WmTerminal {
  /**
   * PID of the terminal emulator (xterm / foot): the process that owns the window. For a window of
   * a terminal server (`server`) that is the server, the same for every window it shows.
   */
  readonly pid: number;
  /**
   * PID of the process running `command` (the child of the terminal, or of the terminal server).
   * The command must still run when `openTerminal` looks for it (a fixture `claude` does); one that
   * ends at once is reported by a timeout on i3 (xterm -hold keeps the window) or at once on sway
   * (foot ends).
   */
  readonly commandPid: number;
  readonly conId: number;
  /** X11 window id (i3); null on sway. */
  readonly window: number | null;
  readonly workspace: string;
  readonly title: string;
  /**
   * Ends the command and the terminal (leaf first) and waits until the window left the tree. A
   * terminal server's window: ends its command, so the server closes that window and keeps the others.
   */
  close(): Promise<void>;
}

export interface WmHarness {
  readonly kind: 'i3' | 'sway';
  readonly socketPath: string;
  /** For child processes that talk to this WM (e.g. vmux under test). */
  readonly env: Readonly<Record<string, string>>;
  /** Scratch folder, removed by `stop`; readable by the WM's user (put fixtures here). */
  readonly dir: string;
  /** Time from the call to "answers on its IPC socket". */
  readonly startupMs: number;
  openTerminal(options: OpenTerminalOptions): Promise<WmTerminal>;
  tree(): Promise<WmNode>;
  workspaces(): Promise<WmWorkspace[]>;
  focusedConId(): Promise<number | undefined>;
  workspaceOf(conId: number): Promise<string | undefined>;
  /** The WM's raw results; `success: false` is returned, not thrown. */
  command(text: string): Promise<WmCommandResult[]>;
  waitForTree(check: (tree: WmNode) => boolean, what: string, timeoutMs?: number): Promise<WmNode>;
  /** Every PID this harness started or ended (for "nothing left behind" assertions). */
  startedPids(): number[];
  stop(): Promise<void>;
}

export interface TerminalLaunch {
  readonly proc: ManagedProcess;
  readonly title: string;
  /** Recognises the terminal's window in the tree. */
  readonly matches: (node: WmNode) => boolean;
  /**
   * A terminal server's window: the server, which owns the window and runs the command (`proc` is
   * then the client that asked it for the window, and exits with it). Several launches may share
   * one; `stop` ends it after the terminals, before the WM.
   */
  readonly owner?: ManagedProcess;
}

export interface HarnessCoreOptions {
  readonly kind: 'i3' | 'sway';
  readonly msg: WmMsg;
  readonly dir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly startupMs: number;
  /** Server processes in the order `stop` ends them (e.g. i3, then Xvfb). */
  readonly servers: readonly ManagedProcess[];
  readonly launchTerminal: (options: OpenTerminalOptions, index: number) => Promise<TerminalLaunch>;
  /** Extra clean-up once every process is gone (before the folder is removed). */
  readonly afterStop?: () => void;
}

/** The part of a harness that does not depend on the WM. */
export function createHarness(core: HarnessCoreOptions): WmHarness {
  /** Open terminals: their process, and the command a terminal server runs for them. */
  const terminals = new Map<ManagedProcess, { owner?: ManagedProcess; commandPid?: number }>();
  const owners = new Set<ManagedProcess>();
  const pids = new Set<number>(core.servers.map((s) => s.pid));
  let counter = 0;
  let stopped: Promise<void> | undefined;
  const serverDied = (): string | undefined => {
    for (const server of core.servers) {
      const reason = exitReason(server);
      if (reason) return reason;
    }
    return undefined;
  };

  const waitForTree = (check: (tree: WmNode) => boolean, what: string, timeoutMs = 10_000): Promise<WmNode> =>
    pollFor(
      async () => {
        const tree = await core.msg.tree();
        return check(tree) ? tree : undefined;
      },
      what,
      { timeoutMs, abort: serverDied },
    );

  /** Leaf first: a server's window by ending its command (the server reaps it and closes only that window), then the terminal. */
  const endTerminal = async (proc: ManagedProcess): Promise<void> => {
    const { owner, commandPid } = terminals.get(proc) ?? {};
    if (owner !== undefined && commandPid !== undefined) {
      for (const pid of await endChildOf(commandPid, owner.pid)) pids.add(pid);
    }
    for (const pid of await stopProcessTree(proc)) pids.add(pid);
    terminals.delete(proc);
  };

  const closeTerminal = async (proc: ManagedProcess, conId: number): Promise<void> => {
    await endTerminal(proc);
    if (!serverDied()) await waitForTree((tree) => findNode(tree, (n) => n.id === conId) === undefined, `con ${conId} to leave the tree`);
  };

  const openTerminal = async (options: OpenTerminalOptions): Promise<WmTerminal> => {
    if (stopped) throw new Error('harness stopped');
    if (!validWorkspaceName(options.workspace)) {
      throw new Error(`workspace name not accepted by the harness: ${JSON.stringify(options.workspace)}`);
    }
    const program = options.command[0];
    if (program === undefined) throw new Error('openTerminal: empty command');
    if (program.includes('/')) {
      // Caught here rather than as a timeout later (xterm -hold keeps a window whose command failed).
      try {
        accessSync(program, constants.X_OK);
      } catch {
        throw new Error(`openTerminal: ${program} is not an executable file`);
      }
    }
    const timeoutMs = options.timeoutMs ?? 10_000;
    const target = options.workspace;
    // New windows open on the focused workspace, so go there first (the reply comes after the switch).
    await core.msg.mustCommand(`workspace "${target}"`);
    const launch = await core.launchTerminal(options, ++counter);
    const { proc, owner } = launch;
    const record: { owner?: ManagedProcess; commandPid?: number } = owner !== undefined ? { owner } : {};
    terminals.set(proc, record);
    pids.add(proc.pid);
    if (owner !== undefined) {
      owners.add(owner);
      pids.add(owner.pid);
    }
    const died = (): string | undefined => exitReason(proc) ?? (owner !== undefined ? exitReason(owner) : undefined) ?? serverDied();
    const tree = await pollFor(
      async () => {
        const t = await core.msg.tree();
        return findNode(t, launch.matches) ? t : undefined;
      },
      `${proc.name} (pid ${proc.pid}) to appear in the ${core.kind} tree`,
      { timeoutMs, abort: died },
    );
    const node = findNode(tree, launch.matches);
    if (!node) throw new Error('unreachable: matched node vanished');
    if (workspaceNameOf(tree, node.id) !== target) {
      // Something else moved focus between the switch and the map: put the window where it was asked.
      await core.msg.mustCommand(`[con_id=${node.id}] move container to workspace "${target}"`);
      await waitForTree((t) => workspaceNameOf(t, node.id) === target, `con ${node.id} on workspace ${target}`, timeoutMs);
    }
    // The command is a child of the terminal (of the server, for a server's window) that has exec'd
    // (its comm is no longer the terminal's) and that no earlier window of that server runs.
    const parent = owner ?? proc;
    const terminalComm = commOf(parent.pid);
    const commandPid = await pollFor(
      () => childrenOf(parent.pid).find((child) => commOf(child) !== terminalComm && !pids.has(child)),
      `${parent.name} (pid ${parent.pid}) to run ${options.command[0] ?? ''}`,
      { timeoutMs, abort: died },
    );
    pids.add(commandPid);
    record.commandPid = commandPid;
    return {
      pid: parent.pid,
      commandPid,
      conId: node.id,
      window: node.window,
      workspace: target,
      title: launch.title,
      close: () => closeTerminal(proc, node.id),
    };
  };

  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      const problems: string[] = [];
      const attempt = async (end: () => Promise<unknown>): Promise<void> => {
        try {
          await end();
        } catch (error) {
          problems.push(error instanceof Error ? error.message : String(error));
        }
      };
      // Terminals, then the terminal servers they share, then the WM and its display.
      for (const proc of [...terminals.keys()]) await attempt(() => endTerminal(proc));
      for (const proc of [...owners, ...core.servers]) {
        await attempt(async () => {
          for (const pid of await stopProcessTree(proc)) pids.add(pid);
        });
      }
      terminals.clear();
      owners.clear();
      core.afterStop?.();
      releaseDir(core.dir);
      if (problems.length > 0) throw new Error(`${core.kind} harness stop: ${problems.join('; ')}`);
    })();
    return stopped;
  };

  return {
    kind: core.kind,
    socketPath: core.msg.socketPath,
    env: core.env,
    dir: core.dir,
    startupMs: core.startupMs,
    openTerminal,
    tree: () => core.msg.tree(),
    workspaces: () => core.msg.workspaces(),
    focusedConId: async () => focusedNode(await core.msg.tree())?.id,
    workspaceOf: async (conId) => workspaceNameOf(await core.msg.tree(), conId),
    command: (text) => core.msg.command(text),
    waitForTree,
    startedPids: () => [...pids],
    stop,
  };
}

// ---------------------------------------------------------------------------------------------
// i3 under Xvfb
// ---------------------------------------------------------------------------------------------

export const I3_BINARIES = ['Xvfb', 'i3', 'i3-msg', 'xterm'] as const;

export function missingI3Binaries(): string[] {
  return missingBinaries(I3_BINARIES);
}

export interface I3Options {
  /** Xvfb screen geometry (default `1280x800x24`). */
  readonly screen?: string;
  readonly readyTimeoutMs?: number;
}

export interface I3Harness extends WmHarness {
  readonly kind: 'i3';
  /** `:N` */
  readonly display: string;
  readonly xvfbPid: number;
  readonly i3Pid: number;
}

/** Reads the display number Xvfb writes on `-displayfd` once it accepts connections. */
export async function readDisplayNumber(xvfb: ManagedProcess, timeoutMs: number): Promise<number> {
  const stream = xvfb.child.stdio[3];
  if (!(stream instanceof Readable)) throw new Error('Xvfb: no display fd pipe');
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const ready = new Promise<number>((resolve, reject) => {
    const check = (): void => {
      const match = /^(\d+)\n/.exec(text);
      if (match?.[1] !== undefined) resolve(Number(match[1]));
    };
    stream.on('data', check);
    void xvfb.exited.then(() => reject(new Error(exitReason(xvfb) ?? 'Xvfb ended')));
  });
  if (!(await settlesWithin(ready.catch(() => undefined), timeoutMs))) {
    throw new Error(`Xvfb did not report a display within ${timeoutMs} ms`);
  }
  return ready;
}

/**
 * Xvfb on the first free display: with `-displayfd` it takes one itself and writes its number
 * when it is ready. Resolves with the process and its display (`:N`); stops it when it fails.
 */
export async function startXvfb(
  env: NodeJS.ProcessEnv,
  options: { readonly screen?: string; readonly timeoutMs: number },
): Promise<{ readonly xvfb: ManagedProcess; readonly display: string }> {
  const args = ['-displayfd', '3', '-screen', '0', options.screen ?? '800x600x24', '-nolisten', 'tcp', '-noreset'];
  const xvfb = await startProcess('Xvfb', 'Xvfb', args, { env, extraPipes: 1 });
  try {
    return { xvfb, display: `:${await readDisplayNumber(xvfb, options.timeoutMs)}` };
  } catch (error) {
    await stopProcessTree(xvfb).catch(() => undefined);
    throw error;
  }
}

export async function startI3UnderXvfb(options: I3Options = {}): Promise<I3Harness> {
  const started = Date.now();
  const timeoutMs = options.readyTimeoutMs ?? 10_000;
  const missing = missingI3Binaries();
  if (missing.length > 0) throw new Error(`i3 harness: not installed: ${missing.join(', ')}`);
  const dir = makeScratchDir('vmux-i3-');
  const servers: ManagedProcess[] = [];
  try {
    const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8' };
    const { xvfb, display } = await startXvfb(baseEnv, { screen: options.screen ?? '1280x800x24', timeoutMs });
    servers.unshift(xvfb);

    const socketPath = join(dir, 'i3-ipc.sock');
    const configPath = join(dir, 'i3.config');
    // The v4 header matters: without it i3 takes a tiny config for v3, "migrates" it and adds a bar.
    writeFileSync(
      configPath,
      [
        '# i3 config file (v4)',
        '# Generated by vmux test/support/i3-xvfb.ts: no bar, no nagbar, known socket.',
        'font fixed',
        `ipc-socket ${socketPath}`,
        'focus_follows_mouse no',
        'workspace_auto_back_and_forth no',
        '',
      ].join('\n'),
    );
    const i3 = await startProcess('i3', 'i3', ['-c', configPath], { env: { ...baseEnv, DISPLAY: display } });
    servers.unshift(i3);
    const msg = new WmMsg('i3-msg', socketPath);
    const serverDied = (): string | undefined => exitReason(i3) ?? exitReason(xvfb);
    await pollFor(async () => ((await msg.workspaces()).length > 0 ? true : undefined), 'i3 to answer on its IPC socket', {
      timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)),
      abort: serverDied,
    });
    const env = { DISPLAY: display, I3SOCK: socketPath };
    const startupMs = Date.now() - started;

    const harness = createHarness({
      kind: 'i3',
      msg,
      dir,
      env,
      startupMs,
      servers,
      launchTerminal: async (open, index) => {
        if (open.server !== undefined) {
          throw new Error(`i3 harness: no terminal servers (server ${JSON.stringify(open.server)}): xterm has none; use the sway harness (foot --server)`);
        }
        // A unique WM_CLASS instance finds the window in i3's tree, which has no pid. `-hold`: xterm
        // otherwise may exit on the pty's end of file before it has reaped its command, which then
        // lingers as a zombie orphan until PID 1 reaps it (late or never in a container); with it,
        // xterm reaps the command and stays until `close()`/`stop()` end it.
        const instance = `vmux-term-${index}`;
        const title = open.title ?? instance;
        const proc = await startProcess(
          `xterm ${instance}`,
          'xterm',
          ['-hold', '-name', instance, '-T', title, '-fn', 'fixed', '-e', ...open.command],
          { env: { ...baseEnv, ...env, ...(open.env ?? {}) }, cwd: open.cwd ?? dir },
        );
        return { proc, title, matches: (node) => node.window !== null && node.window_properties?.instance === instance };
      },
    });
    return { ...harness, kind: 'i3', display, xvfbPid: xvfb.pid, i3Pid: i3.pid };
  } catch (error) {
    for (const server of servers) await stopProcessTree(server).catch(() => undefined);
    releaseDir(dir);
    throw error;
  }
}

/** A fixture `claude` (a copy of `sleep`, so `comm` is `claude`) in the harness folder, which the WM's user can run. */
export function fixtureClaude(harness: WmHarness): string {
  const binDir = join(harness.dir, 'bin');
  mkdirSync(binDir, { recursive: true, mode: 0o755 });
  const path = join(binDir, 'claude');
  copyFileSync(requireProgram('sleep', 'the fixture claude (a copy of sleep)'), path);
  chmodSync(path, 0o755);
  return path;
}
