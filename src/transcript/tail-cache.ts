import { FileMemo } from '../files/file-memo.js';
import type { TranscriptTail } from './tail-read.js';

/**
 * Tails of transcripts that have not changed since they were read, for a process that scans again
 * and again (the daemon): an unchanged file (same inode, size and modification time) is not read
 * twice. A transcript only grows, so any write changes its size. Each round keeps only the files
 * it asked for, so the cache never outgrows the sessions.
 */
export class TailCache extends FileMemo<TranscriptTail> {}
