import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { InstalledClient } from './claude-clients.js';
import type { FakeAnthropicApi } from './fake-anthropic-api.js';
import { childrenOf } from './process-tree.js';

/**
 * Runs a real Claude Code client (one of `claude-clients.ts`) in a private tmux server (its own
 * socket, no config file), talking to a fake Anthropic API, with a scratch HOME prepared so that
 * no first-run screen shows.
 *
 * - a native build: `…/@anthropic-ai/claude-code/bin/claude.exe`, started directly (`comm`
 *   `claude.exe`) or, with `launch: 'versions'`, through a hard link at
 *   `<home>/.local/share/claude/versions/<version>` as the native installer lays it out (`comm`
 *   is then the version string);
 * - the Node build: `cli.js`, run with this Node (`comm` `claude`: the script sets its title).
 *
 * Everything is started from argv arrays: no shell line ever carries test text. tmux is found
 * through PATH.
 */
export type ClaudeLaunch = 'direct' | 'versions';

export interface ClaudeInTmuxOptions {
  readonly api: FakeAnthropicApi;
  /** The client to run (`ensureClient(version)`). */
  readonly client: InstalledClient;
  /** Scratch folder holding home/, project/ (default: a new temp folder removed by `stop`). */
  readonly root?: string;
  /** The session's cwd (default `<root>/project`), created when missing. */
  readonly cwd?: string;
  /** HOME of the client (default `<root>/home`). Several sessions may share one. */
  readonly home?: string;
  /** Sets `CLAUDE_CONFIG_DIR` (the client's `claudeDir`); default: unset, `~/.claude`. */
  readonly configDir?: string;
  readonly launch?: ClaudeLaunch;
  /** Whether the folder is already trusted (default true); false shows the trust dialog. */
  readonly trusted?: boolean;
  /** Wait for the input box before returning (default true). */
  readonly waitReady?: boolean;
  /** `permissions.allow` rules written to `<claudeDir>/settings.json` (e.g. `Bash(sleep:*)`). */
  readonly allow?: readonly string[];
  readonly args?: readonly string[];
  /** How long to wait for the client's input prompt (ms). */
  readonly startTimeoutMs?: number;
}

export interface ClaudeSessionFile {
  readonly pid?: number;
  readonly sessionId?: string;
  readonly cwd?: string;
  readonly procStart?: string;
  readonly startedAt?: number;
  readonly version?: string;
  readonly kind?: string;
  readonly entrypoint?: string;
  readonly name?: string;
  readonly status?: string;
  readonly waitingFor?: string;
  readonly updatedAt?: number;
  readonly statusUpdatedAt?: number;
  readonly [key: string]: unknown;
}

export interface ClaudeInTmux {
  /** PID of the Claude Code process (the pane's process). */
  readonly pid: number;
  readonly cwd: string;
  readonly home: string;
  /** `$CLAUDE_CONFIG_DIR` or `<home>/.claude`. */
  readonly claudeDir: string;
  readonly socketName: string;
  /** The path the client was started through (argv[0] for the native build). */
  readonly executable: string;
  /** HOME (and CLAUDE_CONFIG_DIR) as the client has them, for running vmux against the same files. */
  readonly env: Readonly<Record<string, string>>;
  /** Types `text` literally, then presses Enter. */
  send(text: string): Promise<void>;
  /** Presses tmux keys (`Enter`, `Escape`, `C-c`, `Down`…). */
  keys(...keys: string[]): Promise<void>;
  /** The visible screen of the pane. */
  screen(): Promise<string>;
  waitForScreen(expected: RegExp | string, what?: string, timeoutMs?: number): Promise<string>;
  /** `<claudeDir>/sessions/<pid>.json`, parsed; undefined while missing or torn. */
  sessionFile(): ClaudeSessionFile | undefined;
  waitForSessionFile(
    condition: (file: ClaudeSessionFile) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<ClaudeSessionFile>;
  /** Every `*.jsonl` directly under `<claudeDir>/projects/*`, as absolute paths. */
  transcripts(): string[];
  /** Whether the client process still exists (and is not a zombie). */
  alive(): boolean;
  /** Sends a signal to the client process only (the tmux server stays up). */
  signal(signal: NodeJS.Signals): void;
  waitForExit(timeoutMs?: number): Promise<void>;
  /** Kills the tmux server (and so the client) and removes the scratch folder it created. */
  stop(): Promise<void>;
}

export const API_KEY = 'sk-ant-api03-vmux-e2e-fake-key-0123456789-ABCDEFGHIJKLMNOPQRST';

/** Found through PATH. */
export const TMUX = 'tmux';

/**
 * tmux servers still running and scratch folders not yet removed: cleaned up when the test
 * process exits whatever happens (a scenario cancelled by its timeout never reaches `stop`).
 */
const liveSockets = new Map<string, string | undefined>();
const liveRoots = new Set<string>();
process.once('exit', () => {
  for (const [socket, path] of liveSockets) {
    spawnSync(TMUX, ['-L', socket, 'kill-server'], { stdio: 'ignore', timeout: 2000 });
    if (path) rmSync(path, { force: true });
  }
  for (const root of liveRoots) removeScratch(root);
});

/** What the client says of itself (`claude --version`). */
export function claudeVersion(client: InstalledClient, executable = client.executable): string {
  const command = client.build === 'node' ? [process.execPath, executable] : [executable];
  const out = spawnSync(command[0] ?? executable, [...command.slice(1), '--version'], { encoding: 'utf8', timeout: 30_000, env: baseEnv() });
  const version = /^(\d+\.\d+\.\d+)/.exec(out.stdout ?? '')?.[1];
  if (!version) throw new Error(`cannot read the version of ${executable}: ${out.stderr ?? out.error}`);
  return version;
}

export async function startClaudeInTmux(options: ClaudeInTmuxOptions): Promise<ClaudeInTmux> {
  const { client } = options;
  const launch = options.launch ?? 'direct';
  const ownRoot = options.root === undefined;
  const root = options.root ?? realpathSync(mkdtempIn('vmux-e2e-'));
  if (ownRoot) liveRoots.add(root);
  const home = options.home ?? join(root, 'home');
  const cwd = options.cwd ?? join(root, 'project');
  mkdirSync(home, { recursive: true });
  mkdirSync(cwd, { recursive: true });
  const claudeDir = options.configDir ?? join(home, '.claude');
  mkdirSync(claudeDir, { recursive: true });
  prepareConfig(options.configDir ?? home, cwd, client.version, options.trusted ?? true);
  if (options.allow && options.allow.length > 0) {
    writeFileSync(join(claudeDir, 'settings.json'), JSON.stringify({ permissions: { allow: options.allow } }, null, 2));
  }

  const stableEnv: Record<string, string> = { HOME: home };
  if (options.configDir !== undefined) stableEnv['CLAUDE_CONFIG_DIR'] = options.configDir;
  const env: Record<string, string> = {
    ...baseEnv(),
    ...stableEnv,
    ANTHROPIC_API_KEY: API_KEY,
    ANTHROPIC_BASE_URL: options.api.baseUrl,
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
  };

  let executable = client.executable;
  if (launch === 'versions') {
    if (client.build !== 'native') throw new Error(`launch 'versions' needs a native build, not ${client.version} (${client.build})`);
    executable = versionsLink(client, home);
  }
  const argv = [...client.command.slice(0, -1), executable, ...(options.args ?? [])];

  const socketName = `vmux-e2e-${process.pid}-${randomBytes(6).toString('hex')}`;
  liveSockets.set(socketName, undefined);
  const tmux = (args: readonly string[]): Promise<string> => run(TMUX, ['-L', socketName, ...args], env);
  // With the command as separate arguments tmux executes it directly, no shell in between.
  await tmux(['-f', '/dev/null', 'new-session', '-d', '-x', '200', '-y', '50', '-c', cwd, '--', ...argv]);
  // tmux leaves its socket file behind after kill-server: note it to remove it.
  const socketPath = (await tmux(['display-message', '-p', '#{socket_path}']).catch(() => '')).trim();
  if (socketPath !== '') liveSockets.set(socketName, socketPath);
  await tmux(['set-option', '-g', 'remain-on-exit', 'on']).catch(() => undefined);
  await tmux(['set-option', '-g', 'focus-events', 'on']).catch(() => undefined);

  const panePid = Number((await tmux(['list-panes', '-F', '#{pane_pid}'])).trim().split('\n')[0]);
  if (!Number.isInteger(panePid) || panePid <= 0) throw new Error('tmux did not report a pane pid');
  const pid = claudePidFrom(panePid);

  const screen = (): Promise<string> => tmux(['capture-pane', '-p']);
  const sessionPath = join(claudeDir, 'sessions', `${pid}.json`);
  let stopped = false;

  const session: ClaudeInTmux = {
    pid,
    cwd,
    home,
    claudeDir,
    socketName,
    executable,
    env: stableEnv,
    async send(text: string) {
      await tmux(['send-keys', '-l', text]);
      const tail = text.slice(-20);
      // Let the input box take the pasted text before Enter submits it.
      await pollUntil(async () => inputBox(await screen()).includes(tail), `the prompt to show "${text}"`, 5000).catch(
        () => undefined,
      );
      // A client still starting up (the Node build on a busy machine) can drop an Enter: press it
      // again while the text still sits in the input box. Never once anything shows that the
      // prompt went through (a status other than idle, a dialog): a stray Enter would answer it.
      // An empty input box must be seen twice in a row: a capture taken while the client redraws
      // (the Node build's notices) can miss the text that is still there.
      let emptySeen = 0;
      const wentThrough = async (): Promise<boolean> => {
        const status = readSessionFile(sessionPath)?.status;
        if (status !== undefined && status !== 'idle') return true;
        const shown = await screen();
        if (DIALOG.test(shown)) return true;
        emptySeen = inputBox(shown).includes(tail) ? 0 : emptySeen + 1;
        return emptySeen >= 2;
      };
      for (let attempt = 0; attempt < 3; attempt++) {
        await tmux(['send-keys', 'Enter']);
        emptySeen = 0;
        const submitted = await pollUntil(wentThrough, 'the prompt to go through', 5000, undefined, 250).then(
          () => true,
          () => false,
        );
        if (submitted) return;
      }
    },
    async keys(...keys: string[]) {
      await tmux(['send-keys', ...keys]);
    },
    screen,
    async waitForScreen(expected, what, timeoutMs = 20_000) {
      let last = '';
      const matches = (s: string): boolean => (typeof expected === 'string' ? s.includes(expected) : expected.test(s));
      await pollUntil(
        async () => matches((last = await screen().catch(() => last))),
        what ?? `the screen to show ${String(expected)}`,
        timeoutMs,
        () => `screen:\n${last}`,
      );
      return last;
    },
    sessionFile() {
      return readSessionFile(sessionPath);
    },
    async waitForSessionFile(condition, what, timeoutMs = 20_000) {
      let found: ClaudeSessionFile | undefined;
      await pollUntil(
        async () => {
          found = readSessionFile(sessionPath);
          return found !== undefined && condition(found);
        },
        what,
        timeoutMs,
        () => `sessions/${pid}.json: ${JSON.stringify(found)}`,
      );
      if (found === undefined) throw new Error('unreachable');
      return found;
    },
    transcripts() {
      const projects = join(claudeDir, 'projects');
      if (!existsSync(projects)) return [];
      return readdirSync(projects).flatMap((folder) => {
        const dir = join(projects, folder);
        try {
          return readdirSync(dir)
            .filter((name) => name.endsWith('.jsonl'))
            .map((name) => join(dir, name));
        } catch {
          return [];
        }
      });
    },
    alive() {
      return isAlive(pid);
    },
    signal(signal: NodeJS.Signals) {
      process.kill(pid, signal);
    },
    async waitForExit(timeoutMs = 10_000) {
      await pollUntil(async () => !isAlive(pid), `pid ${pid} to exit`, timeoutMs);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await tmux(['kill-server']).catch(() => undefined);
      if (socketPath.includes(socketName)) rmSync(socketPath, { force: true });
      liveSockets.delete(socketName);
      if (isAlive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await pollUntil(async () => !isAlive(pid), `pid ${pid} to exit`, 10_000).catch(() => undefined);
      if (ownRoot) {
        removeScratch(root);
        liveRoots.delete(root);
      }
    },
  };

  try {
    if (options.waitReady ?? true) await waitUntilReady(session, client, options.startTimeoutMs ?? 30_000);
  } catch (error) {
    await session.stop();
    throw error;
  }
  return session;
}

/**
 * The client is ready when its input box shows: 2.1.100 and 2.1.197 draw `? for shortcuts` under
 * it, 2.1.332 too outside auto mode, and in auto (or plan) mode `… mode on (shift+tab to cycle)`;
 * the native builds have written `sessions/<pid>.json` by then.
 */
async function waitUntilReady(session: ClaudeInTmux, client: InstalledClient, timeoutMs: number): Promise<void> {
  await session.waitForScreen(/\? for shortcuts|shift\+tab to cycle/, `Claude Code ${client.version} to show its input box`, timeoutMs);
  if (client.build === 'native') {
    await session.waitForSessionFile((f) => typeof f.sessionId === 'string', 'sessions/<pid>.json', timeoutMs);
  }
}

/**
 * What the client reads at start-up to skip onboarding, the trust dialog and the API key
 * question: `.claude.json` in `$CLAUDE_CONFIG_DIR` when set, else in HOME.
 */
function prepareConfig(dir: string, cwd: string, version: string, trusted: boolean): void {
  const path = join(dir, '.claude.json');
  const existing = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  const projects = (existing['projects'] as Record<string, Record<string, unknown>> | undefined) ?? {};
  const config = {
    ...existing,
    hasCompletedOnboarding: true,
    lastOnboardingVersion: version,
    numStartups: 5,
    autoUpdates: false,
    theme: 'dark',
    bypassPermissionsModeAccepted: false,
    customApiKeyResponses: { approved: [API_KEY.slice(-20)], rejected: [] },
    projects: {
      ...projects,
      [cwd]: {
        ...(projects[cwd] ?? {}),
        allowedTools: [],
        hasTrustDialogAccepted: trusted,
        hasCompletedProjectOnboarding: true,
        projectOnboardingSeenCount: 1,
      },
    },
  };
  writeFileSync(path, JSON.stringify(config, null, 2));
}

/**
 * A hard link to the native executable where the native installer keeps versions, so that the
 * process's `comm` is the version string and its exe a `…/claude/versions/<v>` path. Falls back
 * to a copy when the link crosses file systems.
 */
function versionsLink(client: InstalledClient, home: string): string {
  const version = claudeVersion(client);
  const dir = join(home, '.local', 'share', 'claude', 'versions');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, version);
  if (!existsSync(path)) {
    try {
      linkSync(client.executable, path);
    } catch {
      copyFileSync(client.executable, path);
    }
  }
  return path;
}

/** What a dialog that an Enter would answer shows (permission, question, plan, trust). */
const DIALOG = /Do you want to proceed\?|Esc to cancel|Enter to select|Enter to confirm|Would you like to proceed/;

/**
 * The text of the input box: the lines between the last two horizontal rules the client draws
 * around it (all three versions do), or the whole screen when there are none.
 */
export function inputBox(screen: string): string {
  const lines = screen.split('\n');
  const rules = lines.flatMap((line, i) => (/^─{10,}/.test(line.trim()) ? [i] : []));
  const bottom = rules.at(-1);
  const top = rules.at(-2);
  if (bottom === undefined || top === undefined) return screen;
  return lines.slice(top + 1, bottom).join('\n');
}

/**
 * Removes a scratch folder, best effort: a client's own child may still write into it for a
 * moment after the client is gone (the Node build's git clone of the plugin marketplace under
 * `~/.claude/plugins`), so retry, and never fail a scenario over its cleanup.
 */
export function removeScratch(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  } catch {
    // left for the system's temp cleanup
  }
}

/** The pane's process is the client (tmux executes it directly); else its only child. */
function claudePidFrom(panePid: number): number {
  const comm = readProc(panePid, 'comm')?.trim();
  if (comm !== undefined && comm !== 'sh' && comm !== 'bash') return panePid;
  return childrenOf(panePid)[0] ?? panePid;
}

function readSessionFile(path: string): ClaudeSessionFile | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value as ClaudeSessionFile) : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  const stat = readProc(pid, 'stat');
  if (stat === undefined) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** The environment the client starts from: none of the caller's Claude/tmux variables. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    SHELL: '/bin/bash',
  };
  for (const name of ['TMPDIR', 'USER', 'LOGNAME'] as const) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function run(file: string, args: readonly string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { env, encoding: 'utf8', timeout: 15_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.slice(0, 4).join(' ')}…: ${error.message} ${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Polls an (async) condition until it holds or the deadline passes; never a fixed sleep. */
export async function pollUntil(
  condition: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 20_000,
  detail?: () => string,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    }
    await delay(intervalMs);
  }
}

function mkdtempIn(prefix: string): string {
  const base = process.env['TMPDIR'] ?? '/tmp';
  const dir = join(base, `${prefix}${randomBytes(6).toString('hex')}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
