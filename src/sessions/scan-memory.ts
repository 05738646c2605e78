import { FileMemo } from '../files/file-memo.js';
import { TailCache } from '../transcript/tail-cache.js';
import { GitMemo } from './git-info.js';
import { readBootTimeMs } from './proc-reader.js';
import { ProcessMemory } from './process-memory.js';
import { ProjectFoldersMemory } from './project-folders.js';
import type { SessionFile } from './session-file.js';

/**
 * What a process that scans again and again (vmuxd) keeps from one scan to the next, so that a
 * scan finding nothing changed costs little: one read of `/proc/<pid>/stat` per process and a
 * `stat` per file. Everything in it is checked against the file or process it came from before
 * it is used, and forgotten once a scan no longer asks for it.
 */
export class ScanMemory {
  /** Transcript tails, read again only when their file changed. */
  readonly tails = new TailCache();
  /** Sessions files, read again only when they changed. */
  readonly sessionFiles: FileMemo<SessionFile | undefined>;
  /** Name, executable, argv and user of each process, while it is the same program. */
  readonly processes = new ProcessMemory();
  /** The listing of `projects/` and the searches through all its folders. */
  readonly projectFolders: ProjectFoldersMemory;
  /** What each `HEAD` file said, while it is unchanged. */
  readonly git = new GitMemo();
  private bootTimes = new Map<string, number | undefined>();

  /** `now` reads the clock in epoch ms. */
  constructor(now: () => number) {
    this.sessionFiles = new FileMemo(now);
    this.projectFolders = new ProjectFoldersMemory(now);
  }

  /** When the machine booted: fixed until it boots again, and the daemon with it. */
  bootTimeMs(procRoot: string): number | undefined {
    if (!this.bootTimes.has(procRoot)) this.bootTimes.set(procRoot, readBootTimeMs(procRoot));
    return this.bootTimes.get(procRoot);
  }

  /** Ends a scan: what it did not ask for is forgotten. */
  endRound(): void {
    this.tails.endRound();
    this.sessionFiles.endRound();
    this.processes.endRound();
    this.git.endRound();
  }
}
