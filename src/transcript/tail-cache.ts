import { statSync } from 'node:fs';
import type { TranscriptTail } from './tail-read.js';

interface CachedTail {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly tail: TranscriptTail;
}

/**
 * Tails of transcripts that have not changed since they were read, for a process that scans again
 * and again (the daemon): an unchanged file (same inode, size and modification time) is not read
 * twice. Each round keeps only the files it asked for, so the cache never outgrows the sessions.
 */
export class TailCache {
  private entries = new Map<string, CachedTail>();
  private seen = new Map<string, CachedTail>();

  /** The tail of `path`, from the cache when the file is unchanged, else from `read`. */
  get(path: string, read: () => TranscriptTail): TranscriptTail {
    const stat = statSync(path);
    const cached = this.entries.get(path) ?? this.seen.get(path);
    const fresh =
      cached !== undefined && cached.ino === stat.ino && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs
        ? cached
        : { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, tail: read() };
    this.seen.set(path, fresh);
    return fresh.tail;
  }

  /** Ends a round of scanning: files not asked for since the last round are forgotten. */
  endRound(): void {
    this.entries = this.seen;
    this.seen = new Map();
  }

  get size(): number {
    return this.entries.size;
  }
}
