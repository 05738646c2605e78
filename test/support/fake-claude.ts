import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { atExit } from './at-exit.js';
import { childrenOf, commOf } from './process-tree.js';
import { requireProgram } from './programs.js';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Real processes that look like Claude Code from `/proc`, for discovery tests:
 * - `script`: a shell script named `claude` (its `comm` is the script name), blocked reading stdin;
 * - `versions`: a copy of `sleep` at `…/claude/versions/<v>` (`comm` is the version);
 * - `node-build`: Node with its title set to `claude` (argv overwritten, exe `node`), like the old Node build;
 *   `startTool(command)` makes it start a child running `command`, as that client starts a Bash call's
 *   shell once the call is allowed.
 *
 * Tests stop them in an `after` hook; one that fails to start is killed before the error reaches
 * the test, and whatever still runs when the test process exits is killed then (a copy of `sleep`
 * would otherwise outlive it: it does not wait on a pipe to the test like the others).
 */

/** Fixture processes not yet stopped (and their launched children), killed at exit. */
const live = new Set<number>();
atExit(() => {
  for (const pid of live) killQuietly(pid, 'SIGKILL');
});
export type FakeClaudeShape = 'script' | 'versions' | 'node-build';

export interface FakeClaude {
  readonly pid: number;
  readonly cwd: string;
  /** With `launchesChild` or `forksChild`: the PID of the child `claude`. */
  readonly childPid?: number;
  /** `node-build` shape: starts a child with `command` in its command line, as the client runs a Bash call; its PID. */
  startTool(command: string): Promise<number>;
  /** Ends the process (and a tool it started) and waits until it has been reaped. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface FakeClaudeOptions {
  readonly cwd: string;
  /** A scratch folder where the executables are written. */
  readonly binDir: string;
  readonly shape?: FakeClaudeShape;
  readonly args?: readonly string[];
  /** Name of the script (default `claude`). */
  readonly name?: string;
  /** `script` shape: the script is a launcher that runs another `claude` script as its child. */
  readonly launchesChild?: boolean;
  /**
   * `script` shape: the script forks a subshell that stays (its child, with the same name, exe and
   * argv: a fork that has not `exec`d, as a session forking a tool is for a moment).
   */
  readonly forksChild?: boolean;
}

const SCRIPT = '#!/bin/sh\n# Stands in for Claude Code: alive until its stdin closes.\nread -r _\n';

/** A line on stdin is a command to run: a child with that text in its command line, as a client's shell for a Bash call. */
const NODE_BUILD_SCRIPT = [
  'process.title = "claude";',
  'process.stdin.on("data", (line) => require("child_process").spawn(process.execPath, ["-e", "setTimeout(() => {}, 600000)", String(line).trim()], { stdio: "ignore" }));',
].join('\n');

export async function startFakeClaude(options: FakeClaudeOptions): Promise<FakeClaude> {
  const shape = options.shape ?? 'script';
  const args = [...(options.args ?? [])];
  let child: ChildProcess;
  let expectedComm: string;
  switch (shape) {
    case 'script': {
      const name = options.name ?? 'claude';
      const path = join(options.binDir, name);
      if (options.launchesChild) {
        const inner = join(options.binDir, 'inner', 'claude');
        mkdirSync(dirname(inner), { recursive: true });
        writeFileSync(inner, SCRIPT);
        chmodSync(inner, 0o755);
        // No exec: the launcher stays the parent of the client it runs.
        writeFileSync(path, `#!/bin/sh\n'${inner}' "$@"\n`);
      } else if (options.forksChild) {
        writeFileSync(path, '#!/bin/sh\n# A subshell: a fork of this shell that never execs.\n( read -r _ )\n');
      } else {
        writeFileSync(path, SCRIPT);
      }
      chmodSync(path, 0o755);
      child = spawn(path, args, { cwd: options.cwd, stdio: ['pipe', 'ignore', 'ignore'] });
      expectedComm = name.slice(0, 15);
      break;
    }
    case 'versions': {
      const dir = join(options.binDir, '.local', 'share', 'claude', 'versions');
      mkdirSync(dir, { recursive: true });
      const path = join(dir, '2.1.197');
      copyFileSync(requireProgram('sleep', 'the fixture claude (a copy of sleep)'), path);
      chmodSync(path, 0o755);
      child = spawn(path, ['infinity'], { cwd: options.cwd, stdio: 'ignore' });
      expectedComm = '2.1.197';
      break;
    }
    case 'node-build':
      // A line on stdin starts the tool; the end of stdin ends the client.
      child = spawn(process.execPath, ['-e', NODE_BUILD_SCRIPT, ...args], {
        cwd: options.cwd,
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      expectedComm = 'claude';
      break;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start fake claude (${shape}): ${(await spawnFailed).message}`);
  live.add(pid);
  let childPid: number | undefined;
  let toolPid: number | undefined;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (childPid !== undefined) killQuietly(childPid, signal);
    if (toolPid !== undefined) {
      killQuietly(toolPid, 'SIGKILL');
      live.delete(toolPid);
    }
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    live.delete(pid);
    if (childPid !== undefined) live.delete(childPid);
  };
  try {
    await waitFor(() => commOf(pid) === expectedComm, `pid ${pid} to show comm ${expectedComm}`);
    if (options.launchesChild || options.forksChild) {
      await waitFor(() => (childPid = childrenOf(pid)[0]) !== undefined && commOf(childPid) === 'claude', `pid ${pid} to start its child`);
      if (childPid !== undefined) live.add(childPid);
    }
  } catch (error) {
    // The caller never gets a handle to stop it with.
    await stop('SIGKILL');
    throw error;
  }
  return {
    pid,
    cwd: options.cwd,
    ...(childPid !== undefined ? { childPid } : {}),
    async startTool(command) {
      if (shape !== 'node-build') throw new Error(`a fake claude of shape ${shape} runs no tools`);
      child.stdin?.write(`${command}\n`);
      const runs = (c: number): boolean => readFileSync(`/proc/${c}/cmdline`, 'utf8').includes(command);
      await waitFor(() => (toolPid = childrenOf(pid).find((c) => runs(c))) !== undefined, `pid ${pid} to start its tool`);
      if (toolPid === undefined) throw new Error('no tool started');
      live.add(toolPid);
      return toolPid;
    },
    stop,
  };
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}


/** Polls a condition on the machine (a process exec, a file) until it holds or the deadline passes. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

/** Field 22 of `/proc/<pid>/stat`, as Claude Code writes it in `procStart`. */
export function procStartOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  if (start === undefined) throw new Error(`no start time in /proc/${pid}/stat`);
  return start;
}

/** Writes `sessions/<pid>.json` as Claude Code 2.1.x does. */
export function writeSessionFile(
  claudeDir: string,
  pid: number,
  fields: { sessionId: string; cwd: string; status?: string; waitingFor?: string; procStart?: string },
): void {
  mkdirSync(join(claudeDir, 'sessions'), { recursive: true });
  const now = Date.now();
  const record = {
    pid,
    sessionId: fields.sessionId,
    cwd: fields.cwd,
    procStart: fields.procStart ?? procStartOf(pid),
    startedAt: now,
    version: '2.1.197',
    kind: 'interactive',
    entrypoint: 'cli',
    ...(fields.status ? { status: fields.status, updatedAt: now, statusUpdatedAt: now } : {}),
    ...(fields.waitingFor ? { waitingFor: fields.waitingFor } : {}),
  };
  writeFileSync(join(claudeDir, 'sessions', `${pid}.json`), JSON.stringify(record));
}
