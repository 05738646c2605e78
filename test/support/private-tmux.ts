/*
 * Test support (not used by vmux itself): private tmux servers with fixture `claude` processes
 * running inside panes, and headless attached clients. Kept beside the tmux tests because they
 * are its only users; everything is started from argv arrays, every program found through PATH.
 *
 * A server is killed by a hook registered before it starts (`after`, the test's own when made
 * inside a test): it goes when the test passes, fails or times out. Whatever still runs when the
 * test process exits (a hook that never ran) is killed then.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { atExit } from './at-exit.js';
import { findDescendant, isGone, readStat } from './process-tree.js';
import { requireProgram } from './programs.js';
import { tempDir } from './temp-dir.js';

/** Servers not yet closed: their tmux, socket and server PID (once known), and their `script` clients. */
const liveServers = new Map<string, { tmux: string; serverPid?: number; scripts: ChildProcess[] }>();
atExit(() => {
  for (const [socketPath, server] of liveServers) {
    spawnSync(server.tmux, ['-S', socketPath, 'kill-server'], { stdio: 'ignore', timeout: 2000 });
    for (const pid of [server.serverPid, ...server.scripts.map((child) => child.pid)]) {
      if (pid === undefined || isGone(pid)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    rmSync(socketPath, { force: true });
  }
});

/** The environment of everything started here: never inside the tmux the tests may run in. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8' };
  delete env.TMUX;
  delete env.TMUX_PANE;
  return env;
}

/** Polls an (async) condition until it holds or the deadline passes. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(15);
  }
}

/** A copy of `sleep` named `claude` (its `comm` is `claude`); run it with `infinity`. */
export function installFakeClaude(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const path = join(bin, 'claude');
  copyFileSync(requireProgram('sleep', 'the fixture claude (a copy of sleep)'), path);
  chmodSync(path, 0o755);
  return path;
}

/** How a pane runs the fixture. */
export type PaneCommand =
  /** The pane's process is `claude` itself. */
  | { readonly kind: 'claude' }
  /** A shell is the pane's process, `claude` its child. */
  | { readonly kind: 'shell' }
  /** As `shell`, but `claude` is started without `TMUX`/`TMUX_PANE` (only its parent has them). */
  | { readonly kind: 'shell-env-cleared' }
  /** No claude: a plain sleeper. */
  | { readonly kind: 'idle' };

export interface PaneIds {
  readonly sessionId: string;
  readonly windowId: string;
  readonly paneId: string;
}

export interface HeadlessClient {
  /** PID of the `tmux attach` process. */
  readonly pid: number;
  readonly tty: string;
  /** Types into the client's terminal (counts as client activity). */
  type(text: string): void;
}

export interface PrivateTmux {
  readonly socketPath: string;
  tmux(args: readonly string[]): Promise<string>;
  /** A new session (starting the server on first use); its first pane runs `command`. */
  newSession(name: string, command: PaneCommand): Promise<PaneIds>;
  newWindow(sessionId: string, command: PaneCommand): Promise<PaneIds>;
  splitWindow(paneId: string, command: PaneCommand): Promise<PaneIds>;
  /** PID of the `claude` process running in the pane (waits for it to start). */
  claudeIn(paneId: string): Promise<number>;
  /** Attaches a client in a pseudo-terminal (`script`) showing the session; resolves once tmux lists it. */
  attach(sessionId: string): Promise<HeadlessClient>;
  /** Attaches a client by running `argv` (a `tmux … attach …` command) in `script`; waits until it shows `sessionId`. */
  attachWith(argv: readonly string[], sessionId: string): Promise<HeadlessClient>;
  /** One format about a target, as `display-message -p` prints it. */
  show(target: string, format: string): Promise<string>;
  /** Kills the server and waits until every attached client's `script` has exited. */
  close(): Promise<void>;
}

/**
 * A private server on `<dir>/tmux.sock`, killed when the test (or, made outside a test, the test
 * file) ends, or by `close`. Throws at once, starting nothing, when tmux is not on PATH.
 */
export function privateTmux(dir: string, claudePath: string): PrivateTmux {
  const tmuxPath = requireProgram('tmux', 'a private tmux server');
  const socketPath = join(dir, 'tmux.sock');
  const env = cleanEnv();
  const scripts: ChildProcess[] = [];
  const live: { tmux: string; serverPid?: number; scripts: ChildProcess[] } = { tmux: tmuxPath, scripts };
  let closed = false;
  // Before anything can start the server.
  liveServers.set(socketPath, live);
  after(() => server.close());

  const tmux = (args: readonly string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(tmuxPath, ['-u', '-S', socketPath, '-f', '/dev/null', ...args], { env, timeout: 5000 }, (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else reject(new Error(`tmux ${args.join(' ')}: ${stderr.trim() || error.message}`, { cause: error }));
      });
    });

  const argvOf = (command: PaneCommand): string[] => {
    switch (command.kind) {
      case 'claude':
        return [claudePath, 'infinity'];
      case 'shell':
        // The script is a constant; the path arrives as $0. `; exit` keeps sh from exec-ing claude.
        return ['sh', '-c', '"$0" infinity; exit 0', claudePath];
      case 'shell-env-cleared':
        return ['sh', '-c', 'env -u TMUX -u TMUX_PANE "$0" infinity; exit 0', claudePath];
      case 'idle':
        return ['sleep', 'infinity'];
    }
  };
  const IDS = '#{session_id}\t#{window_id}\t#{pane_id}';
  const ids = (output: string): PaneIds => {
    const [sessionId, windowId, paneId] = output.trim().split('\t');
    if (sessionId === undefined || windowId === undefined || paneId === undefined) throw new Error(`bad ids: ${output}`);
    return { sessionId, windowId, paneId };
  };

  const server: PrivateTmux = {
    socketPath,
    tmux,
    async newSession(name, command) {
      if (closed) throw new Error(`tmux server on ${socketPath} already closed`);
      const created = ids(await tmux(['new-session', '-d', '-P', '-F', IDS, '-x', '160', '-y', '48', '-s', name, '--', ...argvOf(command)]));
      // The first session started the server: its PID, to kill it should kill-server not answer.
      live.serverPid ??= Number(await server.show(created.sessionId, '#{pid}'));
      return created;
    },
    async newWindow(sessionId, command) {
      return ids(await tmux(['new-window', '-d', '-P', '-F', IDS, '-t', `${sessionId}:`, '--', ...argvOf(command)]));
    },
    async splitWindow(paneId, command) {
      return ids(await tmux(['split-window', '-d', '-P', '-F', IDS, '-t', paneId, '--', ...argvOf(command)]));
    },
    async claudeIn(paneId) {
      const panePid = Number((await server.show(paneId, '#{pane_pid}')).trim());
      let found: number | undefined;
      await waitUntil(() => (found = findDescendant(panePid, 'claude')) !== undefined, `claude in pane ${paneId}`);
      if (found === undefined) throw new Error('unreachable');
      return found;
    },
    async attach(sessionId) {
      return server.attachWith([tmuxPath, '-u', '-S', socketPath, 'attach', '-t', sessionId], sessionId);
    },
    async attachWith(argv, sessionId) {
      // `script` runs its command through a shell: the command line only names variables, which carry the words.
      const words = Object.fromEntries(argv.map((word, i) => [`VMUX_ARG${i}`, word]));
      const line = `exec ${argv.map((_, i) => `"$VMUX_ARG${i}"`).join(' ')}`;
      const child = spawn(requireProgram('script', 'a headless tmux client'), ['-qfec', line, '/dev/null'], { env: { ...env, ...words }, stdio: ['pipe', 'ignore', 'ignore'] });
      scripts.push(child);
      const scriptPid = child.pid;
      if (scriptPid === undefined) throw new Error('could not start script');
      let client: HeadlessClient | undefined;
      await waitUntil(async () => {
        const lines = (await tmux(['list-clients', '-F', '#{client_pid}\t#{client_tty}\t#{session_id}'])).split('\n');
        for (const line of lines) {
          const [pid, tty, session] = line.split('\t');
          if (pid !== undefined && tty !== undefined && parentOf(Number(pid)) === scriptPid && session === sessionId) {
            client = { pid: Number(pid), tty, type: (text) => child.stdin?.write(text) };
          }
        }
        return client !== undefined;
      }, `a client attached to ${sessionId}`);
      if (client === undefined) throw new Error('unreachable');
      return client;
    },
    async show(target, format) {
      return (await tmux(['display-message', '-p', '-t', target, format])).replace(/\n$/, '');
    },
    async close() {
      if (closed) return;
      closed = true;
      await tmux(['kill-server']).catch(() => undefined);
      const serverPid = live.serverPid;
      if (serverPid !== undefined) {
        // kill-server ends the panes (SIGHUP) and the server; one that does not answer is killed.
        await waitUntil(() => serverEnded(serverPid), `tmux server ${serverPid} to exit`, 3000).catch(() => {
          try {
            process.kill(serverPid, 'SIGKILL');
          } catch {
            // Gone meanwhile.
          }
        });
      }
      await Promise.all(scripts.map((child) => reap(child)));
      rmSync(socketPath, { force: true });
      liveServers.delete(socketPath);
    },
  };
  return server;
}

/** Waits for a child to exit (the server going away ends its client); kills it if it lingers. */
async function reap(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 3000)));
  const result = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (result === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** A tmux server is gone, a zombie (its reaper is late) or its PID now another program's. */
function serverEnded(pid: number): boolean {
  const stat = readStat(pid);
  return stat === undefined || stat.state === 'Z' || !stat.comm.startsWith('tmux');
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

export { findDescendant } from './process-tree.js';

/**
 * Runs `body` with a private tmux server (and the fixture claude) in a folder of its own, closed
 * when `body` ends, before the folder holding its socket goes.
 */
export async function withPrivateTmux(prefix: string, body: (server: PrivateTmux, dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir(prefix);
  const server = privateTmux(dir, installFakeClaude(dir));
  try {
    await body(server, dir);
  } finally {
    await server.close();
  }
}
