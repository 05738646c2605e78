import { closeSync, openSync, readSync } from 'node:fs';
import { readProcStat } from './proc-reader.js';

/** A process as a scan saw it (a session): its PID and its start time (field 22 of `/proc/<pid>/stat`). */
export interface SeenProcess {
  readonly pid: number;
  readonly procStart: string;
}

/** Files kept open at most; a daemon following more sessions reads the others afresh. */
const MAX_OPEN = 256;

/** `/proc/<pid>/statm` starts with the process's size in pages, which these bytes hold. */
const HEAD_BYTES = 32;
const DIGIT_ZERO = 0x30;
const SPACE = 0x20;

interface OpenStat {
  readonly fd: number;
  readonly procStart: string;
  /** The last call that asked about it. */
  asked: number;
}

/**
 * Whether processes still run, asked again and again (vmuxd's quiet polls): each one's start
 * time is checked once, and its `/proc/<pid>/statm` opened and then read again in place, one
 * system call a poll. A file opened on a process stays bound to it: once the process is reaped,
 * reading fails, even when its PID has been given to another. A zombie (killed, not yet reaped)
 * no longer runs: it has no memory left, and its size reads 0. (`statm` rather than `stat`: the
 * kernel makes it in half the time, without summing the times of every thread.)
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
      fd = openSync(`${procRoot}/${process.pid}/statm`, 'r');
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
    // A size of 0 pages: a zombie's, or no process at all.
    return length >= 2 && !(this.head[0] === DIGIT_ZERO && this.head[1] === SPACE);
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
