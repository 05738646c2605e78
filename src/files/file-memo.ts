import { statSync, type Stats } from 'node:fs';

/**
 * A file's modification time is as fine as the file system's clock tick: a file rewritten within
 * the tick it was read in can keep its time and, rewritten to the same length, look unchanged.
 * What was read this soon after the file changed is read again next time.
 */
const RACY_MS = 1000;

/** What was made of one file, and the file as it was then. */
export interface Remembered<T> {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  /** Read long enough after the file last changed that its time and size tell any later change. */
  readonly settled: boolean;
  readonly value: T;
}

/**
 * What was made of files that have not changed since, for a process that reads them again and
 * again (the daemon): a file with the same inode, size and modification time is not read twice.
 * Each round keeps only the files it asked for, so the memo never outgrows what is in use.
 */
export class FileMemo<T> {
  private entries: ReadonlyMap<string, Remembered<T>>;
  private seen = new Map<string, Remembered<T>>();
  private readThisRound = false;

  /**
   * `now` (epoch ms) tells a value read right after its file changed, which is read again next
   * time; without it every value is kept (for files that only grow, like transcripts). `kept`:
   * what an earlier process remembered (see SavedTails).
   */
  constructor(
    private readonly now?: () => number,
    kept: ReadonlyMap<string, Remembered<T>> = new Map(),
  ) {
    this.entries = kept;
  }

  /**
   * What `read` makes of `path`, from memory when the file is unchanged; throws as `stat` does.
   * `known`: the file's `stat`, when the caller took it a moment ago.
   */
  get(path: string, read: () => T, known?: Stats): T {
    const stat = known ?? statSync(path);
    const kept = this.seen.get(path) ?? this.entries.get(path);
    const fresh =
      kept !== undefined && kept.settled && kept.ino === stat.ino && kept.size === stat.size && kept.mtimeMs === stat.mtimeMs
        ? kept
        : {
            ino: stat.ino,
            size: stat.size,
            mtimeMs: stat.mtimeMs,
            settled: this.now === undefined || this.now() - stat.mtimeMs >= RACY_MS,
            value: read(),
          };
    if (fresh !== kept) this.readThisRound = true;
    this.seen.set(path, fresh);
    return fresh.value;
  }

  /** The files asked for in this round, as remembered now. */
  get asked(): ReadonlyMap<string, Remembered<T>> {
    return this.seen;
  }

  /** Whether this round read a file afresh, or no longer asked for one kept from the last. */
  get changed(): boolean {
    return this.readThisRound || this.seen.size !== this.entries.size;
  }

  /** Ends a round: files not asked for since the last round are forgotten. */
  endRound(): void {
    this.entries = this.seen;
    this.seen = new Map();
    this.readThisRound = false;
  }

  get size(): number {
    return this.entries.size;
  }
}
