import { debuglog } from 'node:util';
import { listPids, readProcLink, readProcStat } from './proc-reader.js';
import { ProcessFacts, type ProcessMemory } from './process-memory.js';
import { isClaudeExecutablePath, mightBeClaude, recognizeClaude } from './recognize-claude.js';

const debug = debuglog('vmux:discovery');

/** A running Claude Code session process, as `/proc` shows it. */
export interface ClaudeProcess {
  readonly pid: number;
  readonly ppid: number;
  /** argv as shown in `/proc/<pid>/cmdline`. */
  readonly cmd: readonly string[];
  readonly cwd: string;
  /** Field 22 of `/proc/<pid>/stat`; Claude Code's `procStart`. */
  readonly startTicks: string;
  /** Effective user id: the user whose files (its repository, say) the session may trust. */
  readonly uid: number;
  /** The native build (a `claude` executable), which writes its sessions file within a second of starting. */
  readonly native?: boolean;
}

export interface FindOptions {
  /**
   * PIDs that a live `sessions/<pid>.json` names (checked against the process's start time):
   * sessions whatever their name (the client may run under any file name).
   */
  readonly knownSessionPids?: ReadonlySet<number>;
  /** Only look at these PIDs (tests look only at the processes they started). */
  readonly onlyPids?: ReadonlySet<number>;
  /** What earlier scans read of the processes, kept by a process that scans again and again. */
  readonly memory?: ProcessMemory;
}

/**
 * Every Claude Code session process under `procRoot`. Processes that vanish or cannot be read
 * mid-scan are skipped. A launcher that wraps the real client in a child is reported once, as
 * the child.
 */
export function findClaudeProcesses(procRoot = '/proc', options: FindOptions = {}): ClaudeProcess[] {
  const found: FoundProcess[] = [];
  const pids = options.onlyPids ? [...options.onlyPids].sort((a, b) => a - b) : listPids(procRoot);
  for (const pid of pids) {
    const proc = readClaudeProcess(procRoot, pid, options.knownSessionPids?.has(pid) ?? false, options.memory);
    if (proc) found.push(proc);
  }
  return dropLaunchers(dropForks(found), options.knownSessionPids).map((found) => found.proc);
}

interface FoundProcess {
  readonly proc: ClaudeProcess;
  /** Executable and argv: the program the process runs, the same in a fork until it `exec`s. */
  readonly program: string;
}

/** What `/proc` shows a process to be (see `recognizeProcess`). */
export type ProcessSighting =
  | { readonly kind: 'session'; readonly comm: string; readonly exe: string | undefined; readonly argv: string[] }
  /** Named like Claude Code, with no argv to read: a kernel thread, a zombie, or a process between the steps of its exec. */
  | { readonly kind: 'no-argv' }
  /** Named like Claude Code, but gone before its argv was read. */
  | { readonly kind: 'gone' }
  /** Caught in the middle of an `exec`: its name or executable changed while it was read. */
  | { readonly kind: 'changing' }
  /** Claude Code, but no conversation (`claude mcp`, `--version`, a helper process). */
  | { readonly kind: 'not-a-session' }
  | { readonly kind: 'not-claude' };

/**
 * Whether a process is a Claude Code session, from its name, executable and argv; argv is read
 * only of a process whose name or executable may be Claude Code's, or that a sessions file
 * vouches for (`known`).
 */
export function recognizeProcess(facts: ProcessFacts, known: boolean): ProcessSighting {
  const named = facts.comm();
  if (named === undefined) return { kind: 'not-claude' };
  if (!known && !mightBeClaude(named, facts.exe())) return { kind: 'not-claude' };
  // A tool Claude Code forks is named `claude`, and runs Claude Code's executable, until its
  // `exec`. A name or executable read before the exec, with an argv read after it (`/bin/sh -c
  // …`), would pass for a session, and hide Claude Code itself as that session's launcher.
  if (!facts.argvRead && !facts.readArgvSettled()) return { kind: 'changing' };
  const argv = facts.argv();
  if (argv === undefined) return { kind: 'gone' };
  if (argv.length === 0) return { kind: 'no-argv' };
  const comm = facts.comm();
  const exe = facts.exe();
  if (comm === undefined) return { kind: 'gone' };
  if (!known) {
    const recognition = recognizeClaude({ comm, exe, argv });
    if (recognition.kind === 'not-a-session') debug('pid %d skipped: %s', facts.pid, recognition.why);
    if (recognition.kind !== 'session') return { kind: recognition.kind };
  }
  return { kind: 'session', comm, exe, argv };
}

function readClaudeProcess(procRoot: string, pid: number, known: boolean, memory: ProcessMemory | undefined): FoundProcess | undefined {
  const facts = memory ? memory.factsOf(procRoot, pid) : new ProcessFacts(procRoot, pid);
  if (facts === undefined) return undefined;
  const sighting = recognizeProcess(facts, known);
  // A process that may be Claude Code is looked at again at every scan.
  if (sighting.kind !== 'not-claude') memory?.watch(pid);
  if (sighting.kind !== 'session') return undefined;
  const { exe, argv } = sighting;
  const stat = memory ? memory.stat(procRoot, pid) : readProcStat(procRoot, pid);
  // A folder removed under a running session reads as "<path> (deleted)": the path is what it was.
  const cwd = readProcLink(procRoot, pid, 'cwd')?.replace(/ \(deleted\)$/, '');
  const uid = facts.uid();
  if (stat === undefined || cwd === undefined || uid === undefined) return undefined;
  const native = exe !== undefined && isClaudeExecutablePath(exe);
  return {
    proc: { pid, ppid: stat.ppid, cmd: argv, cwd, startTicks: stat.startTicks, uid, ...(native ? { native } : {}) },
    program: `${exe ?? ''}\0${argv.join('\0')}`,
  };
}

/**
 * A child that runs its parent's very program is a fork that has not `exec`d yet: the session
 * forking a tool (the Node build does so many times a second at start-up, each fork named
 * `claude` until its `exec`). It is not a session, and must not hide its parent as a launcher's
 * child would.
 */
function dropForks(found: FoundProcess[]): FoundProcess[] {
  const programOf = new Map(found.map((entry) => [entry.proc.pid, entry.program]));
  return found.filter((entry) => programOf.get(entry.proc.ppid) !== entry.program);
}

/**
 * Of a recognised parent and its recognised child (each running a program of its own), one is
 * the session: the one a sessions file names, else the child (a launcher script runs the real
 * client as its child).
 */
function dropLaunchers(found: FoundProcess[], known: ReadonlySet<number> | undefined): FoundProcess[] {
  const pids = new Set(found.map(({ proc }) => proc.pid));
  const parents = new Set(found.map(({ proc }) => proc.ppid));
  return found.filter(({ proc }) => {
    if (known?.has(proc.pid)) return true;
    if (pids.has(proc.ppid) && known?.has(proc.ppid)) return false;
    return !parents.has(proc.pid);
  });
}
