import { closeSync, openSync, readSync } from 'node:fs';
import { readProcStat } from './proc-reader.js';

/** A process as a scan saw it (a session): its PID and its start time (field 22 of `/proc/<pid>/stat`). */
export interface SeenProcess {
  readonly pid: number;
  readonly procStart: string;
}

/** Files kept open at most; a daemon following more sessions reads the others afresh. */
const MAX_OPEN = 256;

/**
 * `<pid> (<comm>) <state>`: the state letter follows the name, which the kernel cuts to 15
 * bytes, so it lies within these first bytes, and no `)` follows the name's.
 */
const HEAD_BYTES = 64;
const CLOSING_PARENTHESIS = 0x29;
const ZOMBIE = 'Z'.charCodeAt(0);
const DEAD = 'X'.charCodeAt(0);

interface OpenStat {
  readonly fd: number;
  readonly procStart: string;
  /** The last call that asked about it. */
  asked: number;
}

/**
 * Whether processes still run, asked again and again (vmuxd's quiet polls): each one's
 * `/proc/<pid>/stat` is opened once, its start time checked, and then read again in place, one
 * system call a poll. A file opened on a process stays bound to it: once the process is reaped,
 * reading fails, even when its PID has been given to another. A zombie (killed, not yet reaped)
 * no longer runs.
 */
export class RunningProcesses {
  private readonly files = new Map<number, OpenStat>();
  private readonly head = Buffer.alloc(HEAD_BYTES);
  private calls = 0;

  /** True when every one of `processes` still runs; files of processes no longer asked about are closed. */
  allRun(procRoot: string, processes: readonly SeenProcess[]): boolean {
    const call = ++this.calls;
    let all = true;
    for (const process of processes) {
      if (!this.runs(procRoot, process, call)) all = false;
    }
    for (const [pid, file] of this.files) {
      if (file.asked !== call) this.forget(pid, file);
    }
    return all;
  }

  close(): void {
    for (const [pid, file] of this.files) this.forget(pid, file);
  }

  private runs(procRoot: string, process: SeenProcess, call: number): boolean {
    let file = this.files.get(process.pid);
    if (file !== undefined && file.procStart !== process.procStart) {
      this.forget(process.pid, file);
      file = undefined;
    }
    if (file === undefined) {
      if (this.files.size >= MAX_OPEN) return readProcStat(procRoot, process.pid)?.startTicks === process.procStart;
      file = this.open(procRoot, process);
      if (file === undefined) return false;
    }
    file.asked = call;
    if (this.stillRuns(file.fd)) return true;
    this.forget(process.pid, file);
    return false;
  }

  /** Opened, and its start time checked once: the file is bound to this very process from then on. */
  private open(procRoot: string, process: SeenProcess): OpenStat | undefined {
    let fd: number;
    try {
      fd = openSync(`${procRoot}/${process.pid}/stat`, 'r');
    } catch {
      return undefined;
    }
    const file = { fd, procStart: process.procStart, asked: 0 };
    const stat = readProcStat(procRoot, process.pid);
    if (stat?.startTicks !== process.procStart) {
      closeSync(fd);
      return undefined;
    }
    this.files.set(process.pid, file);
    return file;
  }

  private stillRuns(fd: number): boolean {
    let length: number;
    try {
      length = readSync(fd, this.head, 0, HEAD_BYTES, 0);
    } catch {
      return false;
    }
    const close = this.head.subarray(0, length).lastIndexOf(CLOSING_PARENTHESIS);
    const state = close < 0 || close + 2 >= length ? undefined : this.head[close + 2];
    return state !== undefined && state !== ZOMBIE && state !== DEAD;
  }

  private forget(pid: number, file: OpenStat): void {
    this.files.delete(pid);
    try {
      closeSync(file.fd);
    } catch {
      // Closed already: nothing held.
    }
  }
}
