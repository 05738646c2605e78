import { recognizeProcess } from './find-claude-processes.js';
import { listPids } from './proc-reader.js';
import { ProcessFacts } from './process-memory.js';

/**
 * Tells, between full scans, whether a process has appeared that may be a Claude Code session:
 * `/proc` is listed, and only the processes that were not there the time before are looked at
 * (their name and executable, and the command line of a `claude` or a `node`). So a daemon's
 * quiet poll sees a new session at once, even one that has written no file yet (the Node
 * build), for the price of one directory listing; the tools sessions run, and other Node
 * programs, start no scan.
 */
export class ProcessArrivals {
  private known: ReadonlySet<number> | undefined;

  /** The processes listed now are the ones to compare with next time (after a full scan, which saw them all). */
  learn(procRoot: string): void {
    this.known = new Set(listPids(procRoot));
  }

  /** Whether a process listed now, and not the time before, may be Claude Code. The first call only learns. */
  mayHaveNewSession(procRoot: string): boolean {
    const known = this.known;
    const pids = listPids(procRoot);
    this.known = new Set(pids);
    if (known === undefined) return false;
    return pids.some((pid) => !known.has(pid) && maybeSession(procRoot, pid));
  }
}

function maybeSession(procRoot: string, pid: number): boolean {
  const { kind } = recognizeProcess(new ProcessFacts(procRoot, pid), false);
  // Caught in the middle of its exec (no argv yet, or changing as it is read): the scan looks at it.
  return kind === 'session' || kind === 'no-argv' || kind === 'changing';
}
