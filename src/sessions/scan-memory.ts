import { TailCache } from '../transcript/tail-cache.js';
import { ProjectFoldersMemory } from './project-folders.js';

/**
 * What a process that scans again and again (vmuxd) keeps from one scan to the next, so that a
 * scan finding nothing changed costs little. Everything in it is checked against the file or
 * process it came from before it is used, and forgotten once no live session needs it.
 */
export class ScanMemory {
  /** Transcript tails, read again only when their file changed. */
  readonly tails = new TailCache();
  /** The listing of `projects/` and the searches through all its folders. */
  readonly projectFolders: ProjectFoldersMemory;

  /** `now` reads the clock in epoch ms. */
  constructor(now: () => number) {
    this.projectFolders = new ProjectFoldersMemory(now);
  }
}
