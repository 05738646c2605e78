import { closeSync, openSync, readFileSync, readSync, readlinkSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isGoneOrForbidden } from '../errors.js';

/** What `/proc/<pid>/stat` tells about a process that discovery needs. */
export interface ProcStat {
  /** One letter: `R`, `S`, `Z` (zombie: exited, not yet reaped), … */
  readonly state: string;
  readonly ppid: number;
  /** Field 22: start time in clock ticks since boot. Claude Code records it as `procStart`. */
  readonly startTicks: string;
}

/** PIDs listed in a proc root, in ascending order. */
export function listPids(procRoot: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync(procRoot)) {
    if (/^[0-9]+$/.test(name)) pids.push(Number(name));
  }
  return pids.sort((a, b) => a - b);
}

/**
 * Reads one `/proc/<pid>` file; `undefined` when the process vanished or is not ours to read,
 * which is normal mid-scan and never an error.
 */
export function readProcFile(procRoot: string, pid: number, file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(`${procRoot}/${pid}/${file}`, 'r');
  } catch (error) {
    if (isGoneOrForbidden(error)) return undefined;
    throw error;
  }
  try {
    return readWhole(fd);
  } catch (error) {
    if (isGoneOrForbidden(error)) return undefined;
    throw error;
  } finally {
    closeSync(fd);
  }
}

/** The buffer every `/proc` read goes through; a file larger than it (a long argv) grows it. */
let procBuffer = Buffer.allocUnsafe(4096);

/**
 * A `/proc` file has no size to ask for, and the kernel writes as much of it as fits at each
 * read: a read that fills less than the room given was the last. Three system calls for a small
 * file (open, read, close), where `readFileSync` makes five, across every process of a scan.
 */
function readWhole(fd: number): string {
  let length = 0;
  for (;;) {
    const room = procBuffer.length - length;
    const n = readSync(fd, procBuffer, length, room, length);
    length += n;
    if (n < room) return procBuffer.toString('utf8', 0, length);
    const grown = Buffer.allocUnsafe(procBuffer.length * 2);
    procBuffer.copy(grown, 0, 0, length);
    procBuffer = grown;
  }
}

/**
 * The PIDs of a process's children, from `task/<tid>/children` of each of its threads (a child
 * belongs to the thread that forked it). Undefined when the process is gone or the kernel keeps
 * no such file (built without CONFIG_PROC_CHILDREN).
 */
export function readChildPids(procRoot: string, pid: number): number[] | undefined {
  let threads: string[];
  try {
    threads = readdirSync(`${procRoot}/${pid}/task`);
  } catch (error) {
    if (isGoneOrForbidden(error)) return undefined;
    throw error;
  }
  const children: number[] = [];
  let readable = false;
  for (const thread of threads) {
    // A thread may end between the listing and the read: the others still tell.
    const text = readProcFile(procRoot, pid, `task/${thread}/children`);
    if (text === undefined) continue;
    readable = true;
    for (const word of text.split(' ')) if (/^[0-9]+$/.test(word)) children.push(Number(word));
  }
  return readable ? children : undefined;
}

export function readProcLink(procRoot: string, pid: number, link: string): string | undefined {
  try {
    return readlinkSync(`${procRoot}/${pid}/${link}`);
  } catch (error) {
    if (isGoneOrForbidden(error)) return undefined;
    throw error;
  }
}

/** `comm` without its trailing newline. */
export function readComm(procRoot: string, pid: number): string | undefined {
  return readProcFile(procRoot, pid, 'comm')?.replace(/\n$/, '');
}

/**
 * argv as the process shows it. A process that set its title (the Node build of Claude Code)
 * leaves its argv area padded with spaces and NULs; the padding is dropped.
 */
export function readCmdline(procRoot: string, pid: number): string[] | undefined {
  const raw = readProcFile(procRoot, pid, 'cmdline');
  if (raw === undefined) return undefined;
  const trimmed = raw.replace(/[\0 ]+$/, '');
  return trimmed === '' ? [] : trimmed.split('\0');
}

/**
 * Parses `/proc/<pid>/stat`. The command name in field 2 may hold spaces and parentheses,
 * so the fields are counted from the last `)`.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ") " comes field 3 (state); fields are counted by the spaces between them, without
  // splitting all 52 of them into an array (a daemon parses this for every session at each poll).
  let state: string | undefined;
  let ppidText: string | undefined;
  let startTicks: string | undefined;
  for (let field = 3, start = close + 2; field <= 22; field++) {
    const end = text.indexOf(' ', start);
    const value = end < 0 ? text.slice(start) : text.slice(start, end);
    if (field === 3) state = value;
    else if (field === 4) ppidText = value;
    else if (field === 22) startTicks = value;
    if (end < 0) break;
    start = end + 1;
  }
  const ppid = Number(ppidText);
  if (state === undefined || !Number.isInteger(ppid) || startTicks === undefined || !/^[0-9]+$/.test(startTicks)) {
    return undefined;
  }
  return { state, ppid, startTicks };
}

/** The stat of a running process; undefined when it is gone or a zombie (it has exited). */
export function readProcStat(procRoot: string, pid: number): ProcStat | undefined {
  const text = readProcFile(procRoot, pid, 'stat');
  const stat = text === undefined ? undefined : parseProcStat(text);
  return stat?.state === 'Z' || stat?.state === 'X' ? undefined : stat;
}

/**
 * The effective user id of a process, from the `Uid:` line of `/proc/<pid>/status` (real,
 * effective, saved, filesystem): the user whose files the process acts on, as git's ownership
 * check uses it. Undefined when the process is gone.
 */
export function readProcUid(procRoot: string, pid: number): number | undefined {
  const text = readProcFile(procRoot, pid, 'status');
  const match = text === undefined ? null : /^Uid:\s+[0-9]+\s+([0-9]+)/m.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Environment of a process (readable for the user's own processes only). */
export function readEnviron(procRoot: string, pid: number): Map<string, string> | undefined {
  const raw = readProcFile(procRoot, pid, 'environ');
  if (raw === undefined) return undefined;
  const env = new Map<string, string>();
  for (const entry of raw.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

/** Seconds since the epoch at which the machine booted (`btime`), to turn start ticks into a time. */
export function readBootTimeMs(procRoot: string): number | undefined {
  try {
    const match = /^btime ([0-9]+)$/m.exec(readFileSync(join(procRoot, 'stat'), 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1000;
  } catch {
    return undefined;
  }
}

/** Linux reports process start times in USER_HZ ticks, which is 100 on every supported architecture. */
export const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Clock skew allowed between a process's start time (from `/proc`) and the times it writes:
 * start ticks are rounded to 10 ms, boot time to the second, and file systems round times too.
 */
export const START_SLACK_MS = 2000;

/** Epoch milliseconds at which a process started, from its start ticks and the boot time. */
export function processStartMs(bootTimeMs: number, startTicks: string): number {
  return bootTimeMs + (Number(startTicks) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Whether a child of `pid` runs with `text` in its command line: the shell of a tool call, which
 * a client runs as `bash -c … eval '<command>'`. Undefined when /proc cannot tell.
 */
export function childRuns(procRoot: string, pid: number, text: string): boolean | undefined {
  const children = readChildPids(procRoot, pid);
  if (children === undefined) return undefined;
  return children.some((child) => readCmdline(procRoot, child)?.some((arg) => arg.includes(text)) === true);
}
