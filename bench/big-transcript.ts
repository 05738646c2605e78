import { closeSync, openSync, statfsSync, writeSync } from 'node:fs';
import { Random, SyntheticTranscript } from './synthetic-transcript.js';

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;

/** Room left on the file system after the file, so the benchmark never fills a shared disk. */
const FREE_SPACE_MARGIN = 64 * MIB;

/** Bytes a new file in `dir` may take: free space to unprivileged users, less a margin. */
export function writableBytes(dir: string): number {
  const fs = statfsSync(dir);
  return Math.max(0, fs.bavail * fs.bsize - FREE_SPACE_MARGIN);
}

/**
 * The largest size up to `wanted` that fits in `dir`, in whole MiB; the caller says so when it
 * is less than wanted. Both the small and the big file must fit.
 */
export function sizeThatFits(dir: string, wanted: number, alsoNeeded: number): number {
  const room = writableBytes(dir) - alsoNeeded;
  return Math.max(0, Math.floor(Math.min(wanted, room) / MIB) * MIB);
}

/**
 * The parts a large transcript is made of: `filler` (complete turns, repeated as often as needed)
 * and `tail` (the last turns, several hundred records, ending with a pending tool call). Every
 * file built from them ends with the same `tail`, so a tail read of the 1 MB file and of the 1 GB
 * file parses the same records and differs only in the file's size.
 */
export interface TranscriptParts {
  readonly filler: Buffer;
  readonly tail: Buffer;
}

export function makeTranscriptParts(cwd: string, seed = 7): TranscriptParts {
  const random = new Random(seed);
  const sessionId = random.uuid();
  const identity = { sessionId, cwd, gitBranch: 'main' };
  const now = Date.now();
  const filler = new SyntheticTranscript(identity, random).fillTo(256 * 1024).render(now - 3_600_000);
  const tail = new SyntheticTranscript(identity, random);
  while (tail.records < 400) tail.completeTurn();
  tail.end('tool-pending');
  return { filler: Buffer.from(filler), tail: Buffer.from(tail.render(now - 5_000)) };
}

/**
 * Writes `filler` repeated to about `size` bytes, then `tail`. Real bytes in big sequential writes
 * (not a sparse file: a hole reads back as zeros without touching data, which would flatter a reader).
 */
export function writeTranscript(path: string, parts: TranscriptParts, size: number): number {
  const repeats = Math.max(0, Math.round((size - parts.tail.length) / parts.filler.length));
  // Batch the filler into ~8 MiB writes: fewer syscalls, and the file is written in seconds.
  const perChunk = Math.max(1, Math.floor((8 * MIB) / parts.filler.length));
  const chunk = Buffer.concat(Array.from({ length: perChunk }, () => parts.filler));
  const fd = openSync(path, 'w');
  let written = 0;
  try {
    for (let left = repeats; left > 0; left -= perChunk) {
      const buffer = left >= perChunk ? chunk : chunk.subarray(0, left * parts.filler.length);
      written += writeAll(fd, buffer);
    }
    written += writeAll(fd, parts.tail);
  } finally {
    closeSync(fd);
  }
  return written;
}

function writeAll(fd: number, buffer: Buffer): number {
  for (let offset = 0; offset < buffer.length; ) offset += writeSync(fd, buffer, offset);
  return buffer.length;
}
