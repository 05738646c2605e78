import { parseProcStat, readCmdline, readComm, readProcFile, readProcLink, readProcUid, type ProcStat } from './proc-reader.js';

/**
 * What `/proc/<pid>` shows of one process, each file read at most once and only when asked for:
 * a scan reads the argv of the few processes whose name may be Claude Code's, not of all.
 */
export class ProcessFacts {
  private commValue: { value: string | undefined } | undefined;
  private exeValue: { value: string | undefined } | undefined;
  private argvValue: { value: string[] | undefined } | undefined;
  private uidValue: { value: number | undefined } | undefined;

  constructor(
    private readonly procRoot: string,
    readonly pid: number,
  ) {}

  comm(): string | undefined {
    this.commValue ??= { value: readComm(this.procRoot, this.pid) };
    return this.commValue.value;
  }

  exe(): string | undefined {
    this.exeValue ??= { value: readProcLink(this.procRoot, this.pid, 'exe') };
    return this.exeValue.value;
  }

  argv(): string[] | undefined {
    this.argvValue ??= { value: readCmdline(this.procRoot, this.pid) };
    return this.argvValue.value;
  }

  /** Whether argv has been read (it is read once, like the rest). */
  get argvRead(): boolean {
    return this.argvValue !== undefined;
  }

  /**
   * Reads argv, then the name and executable again, until they are what they were before argv
   * (two tries): name, executable and argv then show one program. An `exec` sets the new
   * executable, then the new name, then the new argv, so single reads of each taken across one
   * may mix two programs. False when the process kept changing: it is in the middle of an exec.
   */
  readArgvSettled(): boolean {
    for (let attempt = 0; attempt < 2; attempt++) {
      const [comm, exe] = [this.comm(), this.exe()];
      this.argvValue = { value: readCmdline(this.procRoot, this.pid) };
      this.commValue = { value: readComm(this.procRoot, this.pid) };
      this.exeValue = { value: readProcLink(this.procRoot, this.pid, 'exe') };
      if (this.commValue.value === comm && this.exeValue.value === exe) return true;
    }
    return false;
  }

  uid(): number | undefined {
    this.uidValue ??= { value: readProcUid(this.procRoot, this.pid) };
    return this.uidValue.value;
  }
}

/**
 * Every process's name is looked at again at least this many scans apart (a minute at vmuxd's
 * 5 s poll), whatever it was: the bound on how late a long-lived process that turns into
 * Claude Code (a wrapper that runs for a while, then `exec`s it) is seen, when no sessions file
 * announces it.
 */
export const RECHECK_EVERY_SCANS = 12;

interface Entry {
  facts: ProcessFacts;
  /** `<pid> (<comm>) … <start time>` from `/proc/<pid>/stat`, as the last scan that read it saw it. */
  identity: string | undefined;
  /** A process that may be Claude Code: its identity is read on every scan. */
  watched: boolean;
  sightings: number;
  /** The last scan that listed it. */
  round: number;
}

/**
 * What a daemon keeps of the processes it has seen, so that a poll reads little of `/proc`:
 * - a process that may be Claude Code (its name or executable says so, or a sessions file names
 *   it) has `/proc/<pid>/stat` read on every scan: while its start time and its name (which every
 *   `exec` and every change of the process title sets) stay, it is the same program, and its
 *   executable, argv and user are not read again; its state, parent and cwd are read every scan;
 * - any other process is read when it appears and on the next scan (a shell that forks, then
 *   `exec`s claude, has the shell's name for a moment), then only its name, every
 *   RECHECK_EVERY_SCANS scans, in turns, so that a poll reads a few of them.
 * Entries are updated in place: a poll that finds nothing changed leaves little garbage.
 */
export class ProcessMemory {
  private round = 0;
  private readonly entries = new Map<number, Entry>();
  private readonly stats = new Map<number, { readonly stat: ProcStat | undefined; readonly identity: string | undefined }>();

  /** This scan's view of `/proc/<pid>/stat`, read once per scan; undefined when gone or a zombie. */
  stat(procRoot: string, pid: number): ProcStat | undefined {
    let read = this.stats.get(pid);
    if (read === undefined) {
      const text = readProcFile(procRoot, pid, 'stat');
      const parsed = text === undefined ? undefined : parseProcStat(text);
      const stat = parsed === undefined || parsed.state === 'Z' || parsed.state === 'X' ? undefined : parsed;
      read = { stat, identity: stat === undefined || text === undefined ? undefined : `${text.slice(0, text.lastIndexOf(')'))} ${stat.startTicks}` };
      this.stats.set(pid, read);
    }
    return read.stat;
  }

  /** What is known of a listed process, read again where it may have changed (see the class). */
  factsOf(procRoot: string, pid: number): ProcessFacts | undefined {
    const entry = this.entries.get(pid);
    if (entry === undefined) {
      const facts = new ProcessFacts(procRoot, pid);
      this.entries.set(pid, { facts, identity: undefined, watched: false, sightings: 1, round: this.round });
      return facts;
    }
    if (entry.watched || this.stats.has(pid)) {
      if (this.stat(procRoot, pid) === undefined) return undefined;
      const identity = this.stats.get(pid)?.identity;
      if (entry.identity === undefined || entry.identity !== identity) entry.facts = new ProcessFacts(procRoot, pid);
    } else if (entry.sightings < 2 || (pid + this.round) % RECHECK_EVERY_SCANS === 0) {
      const comm = readComm(procRoot, pid);
      if (comm === undefined) return undefined;
      if (comm !== entry.facts.comm()) entry.facts = new ProcessFacts(procRoot, pid);
    }
    entry.sightings++;
    entry.watched = false;
    entry.round = this.round;
    return entry.facts;
  }

  /** Marks a process that may be Claude Code: it is checked on every scan. */
  watch(pid: number): void {
    const entry = this.entries.get(pid);
    if (entry !== undefined) entry.watched = true;
  }

  /** Ends a scan: processes it did not list are forgotten. */
  endRound(): void {
    for (const [pid, read] of this.stats) {
      const entry = this.entries.get(pid);
      if (entry !== undefined) entry.identity = read.identity;
    }
    for (const [pid, entry] of this.entries) if (entry.round !== this.round) this.entries.delete(pid);
    this.stats.clear();
    this.round++;
  }
}
