import { statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { RACY_MS } from '../files/file-memo.js';
import { fnv1a, ownFolder, readCacheFile, writeCacheFile } from '../files/private-cache.js';
import type { TranscriptTail } from './tail-read.js';
import type { ConversationEntry } from './transcript-record.js';

/** Tails of a few hundred sessions; a larger file is not one vmux wrote. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;

/** Changed whenever what a tail holds changes: a file of another format is not read. */
const FORMAT = 1;

const ENTRY_KINDS: ReadonlySet<string> = new Set<ConversationEntry['kind']>([
  'prompt', 'tool-result', 'interrupt', 'assistant', 'turn-end', 'api-request', 'compacted', 'api-retry',
]);

interface SavedTail {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  /** Read long enough after the file last changed that its time and size tell any later change (see RACY_MS). */
  readonly settled: boolean;
  readonly tail: TranscriptTail;
}

/**
 * The tails of transcripts that `vmux list` (or `switch`) without vmuxd read last time, kept in
 * vmux's cache folder: a transcript with the same inode, size and modification time (a
 * transcript only grows) is not read and parsed again, which is most of what a listing costs.
 * The file holds only the transcripts of the last run, is replaced whole, and one that cannot be
 * read, or was written by another version of vmux, is ignored.
 */
export class SavedTails {
  private readonly asked = new Map<string, SavedTail>();
  private changed = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly saved: ReadonlyMap<string, SavedTail>,
  ) {}

  /** The tails saved for `claudeDir` in `cacheDir` (none without a cache folder of this user's). */
  static open(cacheDir: string | undefined, claudeDir: string, version: string): SavedTails {
    if (cacheDir === undefined || !ownFolder(cacheDir)) return new SavedTails(undefined, new Map());
    const file = join(cacheDir, `tails-${fnv1a(claudeDir)}.json`);
    return new SavedTails(file, parseSaved(readCacheFile(file, MAX_FILE_BYTES), version));
  }

  /** The tail `read` makes of `path`, the saved one when the file is unchanged; throws as `stat` does. */
  get(path: string, read: () => TranscriptTail, known?: Stats): TranscriptTail {
    const stat = known ?? statSync(path);
    const saved = this.saved.get(path);
    const fresh =
      saved !== undefined && saved.settled && saved.ino === stat.ino && saved.size === stat.size && saved.mtimeMs === stat.mtimeMs
        ? saved
        : { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, settled: Date.now() - stat.mtimeMs >= RACY_MS, tail: read() };
    if (fresh !== saved) this.changed = true;
    this.asked.set(path, fresh);
    return fresh.tail;
  }

  /** Keeps the tails asked for in this run, when any was read afresh or one is no longer asked for. */
  save(version: string): void {
    if (this.file === undefined || (!this.changed && this.asked.size === this.saved.size)) return;
    const text = JSON.stringify({ format: FORMAT, version, tails: Object.fromEntries(this.asked) });
    if (text.length <= MAX_FILE_BYTES) writeCacheFile(this.file, text);
  }
}

function parseSaved(content: Buffer | undefined, version: string): Map<string, SavedTail> {
  const saved = new Map<string, SavedTail>();
  if (content === undefined) return saved;
  let file: unknown;
  try {
    file = JSON.parse(content.toString('utf8'));
  } catch {
    return saved;
  }
  if (!isObject(file) || file['format'] !== FORMAT || file['version'] !== version || !isObject(file['tails'])) return saved;
  for (const [path, value] of Object.entries(file['tails'])) {
    const tail = savedTail(value);
    if (tail !== undefined) saved.set(path, tail);
  }
  return saved;
}

/** A saved tail as JSON made it (dates as strings), checked and with its dates back; undefined when it is not one. */
function savedTail(value: unknown): SavedTail | undefined {
  if (!isObject(value) || !isObject(value['tail'])) return undefined;
  const { ino, size, mtimeMs, settled } = value;
  const tail = value['tail'];
  const entries = tail['entries'];
  if (typeof ino !== 'number' || typeof size !== 'number' || typeof mtimeMs !== 'number' || settled !== true || typeof tail['truncated'] !== 'boolean') return undefined;
  if (!Array.isArray(entries) || !entries.every((entry) => isObject(entry) && typeof entry['kind'] === 'string' && ENTRY_KINDS.has(entry['kind']))) return undefined;
  const revived = entries.map((entry: Record<string, unknown>) => (typeof entry['at'] === 'string' ? { ...entry, at: new Date(entry['at']) } : entry));
  const lastActivity = typeof tail['lastActivity'] === 'string' ? new Date(tail['lastActivity']) : undefined;
  return {
    ino,
    size,
    mtimeMs,
    settled,
    tail: {
      entries: revived as unknown as ConversationEntry[],
      ...(typeof tail['gitBranch'] === 'string' ? { gitBranch: tail['gitBranch'] } : {}),
      ...(lastActivity !== undefined ? { lastActivity } : {}),
      truncated: tail['truncated'],
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
