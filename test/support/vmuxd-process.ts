/**
 * vmuxd as a real child process, and plain socket clients to talk to it. No `node:test` import,
 * so the benchmarks can use it too.
 *
 * API
 * - `startVmuxd(options): Promise<VmuxdProcess>` runs `node dist/vmuxd.cjs [--poll-seconds N] …`
 *   with `VMUX_HOME`, `CLAUDE_CONFIG_DIR` and `HOME` set from `options` (nothing else of the
 *   caller's Claude or vmux setup leaks in; `nodeArgs` go before the script), and resolves once the daemon answers `status` on its
 *   socket with its own PID (a stale socket left by an earlier daemon does not count). It rejects
 *   with the daemon's stderr if the child exits first or `readyTimeoutMs` passes.
 * - `VmuxdProcess`: `pid`, `home` (socket, PID file, labels paths), `env`, `stderr()` / `stdout()` (all
 *   of it so far, first MBs), `exited` (settles with `{code, signal}` once reaped), `request(obj)` (one request on a
 *   fresh connection → parsed response), `stop()` (SIGTERM, waits for the exit), `kill(signal)`
 *   (e.g. `SIGKILL`, waits until reaped), `rssKib()` / `cpuTicks()` from `/proc/<pid>`.
 *   Every child still alive when the test process exits is SIGKILLed.
 * - `LineClient`: one connection, lines in order. `LineClient.connect(socketPath)`, `write(data)`
 *   (raw string or bytes, no newline added), `request(obj)` (writes one JSON line, resolves with
 *   the next reply line parsed), `nextLine(timeoutMs)` / `lines(n, timeoutMs)` (raw reply lines),
 *   `ended` (settles when the daemon closes the connection), `close()`.
 * - `readRssKib(pid)`, `readCpuTicks(pid)` (utime+stime, clock ticks), `CLOCK_TICKS_PER_SECOND`.
 * - `pollUntil(check, what, timeoutMs)`: waits for a condition that is async or sync.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { atExit } from './at-exit.js';
import { DAEMON_NODE_OPTIONS } from '../../src/lean-runtime.js';

/** The bundled daemon that package.json's `bin.vmuxd` installs (dist/vmuxd.cjs). */
export const VMUXD = fileURLToPath(new URL('../../vmuxd.cjs', import.meta.url));

/** `getconf CLK_TCK` on every Linux Node runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface VmuxdHomePaths {
  readonly dir: string;
  readonly socketPath: string;
  readonly pidPath: string;
  readonly labelsPath: string;
}

export interface VmuxdOptions {
  /** `VMUX_HOME`: created by the daemon (0700) if missing. */
  readonly home: string;
  /** `CLAUDE_CONFIG_DIR`. */
  readonly claudeDir: string;
  /** `HOME` (default: the parent of `home`). */
  readonly userHome?: string;
  /** `--poll-seconds`; omitted → the daemon's default (5 s). */
  readonly pollSeconds?: number;
  readonly extraArgs?: readonly string[];
  /** Node flags before the script, e.g. `--trace-gc` (its output lands in `stdout()`). */
  readonly nodeArgs?: readonly string[];
  /** Added to the child's environment (after the three above). */
  readonly env?: Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
}

export interface VmuxdExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface VmuxdProcess {
  readonly pid: number;
  readonly home: VmuxdHomePaths;
  readonly env: NodeJS.ProcessEnv;
  readonly exited: Promise<VmuxdExit>;
  stderr(): string;
  /** The daemon prints nothing there; Node's own tracing (`nodeArgs`) does. */
  stdout(): string;
  isAlive(): boolean;
  request(request: unknown, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(timeoutMs?: number): Promise<VmuxdExit>;
  kill(signal?: NodeJS.Signals): Promise<VmuxdExit>;
  rssKib(): number;
  cpuTicks(): number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  atExit(() => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
}

export function homePaths(dir: string): VmuxdHomePaths {
  return { dir, socketPath: join(dir, 'vmuxd.sock'), pidPath: join(dir, 'vmuxd.pid'), labelsPath: join(dir, 'labels.json') };
}

export async function startVmuxd(options: VmuxdOptions): Promise<VmuxdProcess> {
  installExitHook();
  const home = homePaths(options.home);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    VMUX_HOME: home.dir,
    CLAUDE_CONFIG_DIR: options.claudeDir,
    HOME: options.userHome ?? join(home.dir, '..'),
    ...options.env,
  };
  // Started as the `vmuxd` executable and the service start it.
  const args = [...DAEMON_NODE_OPTIONS, ...(options.nodeArgs ?? []), VMUXD, ...(options.pollSeconds !== undefined ? ['--poll-seconds', String(options.pollSeconds)] : []), ...(options.extraArgs ?? [])];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn vmuxd');
  live.add(child);
  let stderr = '';
  let stdout = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    // Bounded: a chatty daemon must not fill the test's memory.
    if (stderr.length < 1_000_000) stderr += text;
  });
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    if (stdout.length < 4_000_000) stdout += text;
  });
  let alive = true;
  const exited = new Promise<VmuxdExit>((resolve) => {
    child.once('exit', (code, signal) => {
      alive = false;
      live.delete(child);
      resolve({ code, signal });
    });
  });

  const daemon: VmuxdProcess = {
    pid,
    home,
    env,
    exited,
    stderr: () => stderr,
    stdout: () => stdout,
    isAlive: () => alive,
    request: (request, timeoutMs) => requestOnce(home.socketPath, request, timeoutMs),
    async stop(timeoutMs = 5_000) {
      if (alive) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (alive) child.kill(signal);
      return exited;
    },
    rssKib: () => readRssKib(pid),
    cpuTicks: () => readCpuTicks(pid),
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  for (;;) {
    if (!alive) {
      const exit = await exited;
      throw new Error(`vmuxd exited before it served (code ${exit.code}, signal ${exit.signal}): ${stderr.trim()}`);
    }
    try {
      const response = await requestOnce(home.socketPath, { action: 'status' }, 1_000);
      const status = response['status'] as { pid?: unknown } | undefined;
      if (response['ok'] === true && status?.pid === pid) return daemon;
    } catch {
      // Not listening yet (or an old socket answered nothing): try again.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`vmuxd did not serve on ${home.socketPath} in time: ${stderr.trim()}`);
    }
    await delay(20);
  }
}

/** One request on a fresh connection; the reply line parsed. */
export async function requestOnce(socketPath: string, request: unknown, timeoutMs = 5_000): Promise<Record<string, unknown>> {
  const client = await LineClient.connect(socketPath, timeoutMs);
  try {
    return await client.request(request, timeoutMs);
  } finally {
    client.close();
  }
}

/** A connection to the daemon that reads its replies as lines, in order. */
export class LineClient {
  private buffer = '';
  private readonly queue: string[] = [];
  private waiter: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;
  private done: Error | undefined;
  /** Settles when the connection is over (the daemon closed it, or it failed). */
  readonly ended: Promise<void>;
  private decoder = new TextDecoder('utf-8');

  private constructor(readonly socket: Socket) {
    let resolveEnded: () => void = () => {};
    this.ended = new Promise((resolve) => (resolveEnded = resolve));
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.finish(error));
    socket.on('close', () => {
      this.finish(new Error('connection closed'));
      resolveEnded();
    });
  }

  static connect(socketPath: string, timeoutMs = 5_000): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(socketPath);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${socketPath} timed out`));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new LineClient(socket));
      });
    });
  }

  write(data: string | Uint8Array): boolean {
    return this.socket.write(data);
  }

  async request(request: unknown, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    this.write(`${JSON.stringify(request)}\n`);
    return JSON.parse(await this.nextLine(timeoutMs)) as Record<string, unknown>;
  }

  nextLine(timeoutMs = 5_000): Promise<string> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.done) return Promise.reject(this.done);
    if (this.waiter) return Promise.reject(new Error('nextLine is already waiting'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no reply line within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  async lines(count: number, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    const out: string[] = [];
    while (out.length < count) out.push(await this.nextLine(Math.max(1, deadline - Date.now())));
    return out;
  }

  /** Lines received and not yet taken. */
  get pending(): number {
    return this.queue.length;
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    let newline = this.buffer.indexOf('\n');
    while (newline !== -1) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      const waiter = this.waiter;
      if (waiter) {
        this.waiter = undefined;
        waiter.resolve(line);
      } else {
        this.queue.push(line);
      }
      newline = this.buffer.indexOf('\n');
    }
  }

  private finish(error: Error): void {
    this.done ??= error;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(this.done);
  }
}

/** VmRSS of a live process, KiB. */
export function readRssKib(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match?.[1]) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

/** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
export function readCpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[14 - 3]) + Number(fields[15 - 3]);
}

/** Polls until `check` returns true (sync or async); throws with `what` after `timeoutMs`. */
export async function pollUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(everyMs);
  }
}
