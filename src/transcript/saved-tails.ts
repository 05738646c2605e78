import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { FileMemo, type Remembered } from '../files/file-memo.js';
import { fnv1a, ownFolder, readCacheFile, writeCacheFile } from '../files/private-cache.js';
import type { TranscriptTail } from './tail-read.js';
import { knownReadingOf, rememberReading, type TailReading } from './tail-reading.js';
import { isObject, type ConversationEntry } from './transcript-record.js';
import { asciiJson } from '../text/printable-json.js';

/** Tails of a few hundred sessions; a larger file is not one vmux wrote. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;

/** Changed whenever what a tail holds changes: a file of another format is not read. */
const FORMAT = 3;

const ENTRY_KINDS: ReadonlySet<string> = new Set<ConversationEntry['kind']>([
  'prompt', 'tool-result', 'interrupt', 'assistant', 'turn-end', 'api-request', 'compacted', 'api-retry',
]);

/**
 * The tails of transcripts that `vmux list` (or `switch`) without vmuxd read last time, kept in
 * vmux's cache folder: a transcript with the same inode, size and modification time (a
 * transcript only grows) is not read and parsed again, which took a good part of a listing.
 * It is the daemon's FileMemo, its last round kept on disk: the file holds only the transcripts
 * of the last run, is replaced whole, and one that cannot be read, or was written by another
 * version of vmux, is ignored. Each tail is kept with its reading (preview, pending tool,
 * background work), which then is not worked out again either.
 */
export class SavedTails {
  private constructor(
    private readonly file: string | undefined,
    private readonly memo: FileMemo<TranscriptTail>,
  ) {}

  /** The tails saved for `claudeDir` in `cacheDir` (none without a cache folder of this user's). */
  static open(cacheDir: string | undefined, claudeDir: string, version: string): SavedTails {
    if (cacheDir === undefined || !ownFolder(cacheDir)) return new SavedTails(undefined, new FileMemo(Date.now));
    const file = join(cacheDir, `tails-${fnv1a(claudeDir)}.json`);
    return new SavedTails(file, new FileMemo(Date.now, parseSaved(readCacheFile(file, MAX_FILE_BYTES), version)));
  }

  /** The tail `read` makes of `path`, the saved one when the file is unchanged; throws as `stat` does. */
  get(path: string, read: () => TranscriptTail, known?: Stats): TranscriptTail {
    return this.memo.get(path, read, known);
  }

  /** Keeps the tails asked for in this run, when any was read afresh or one is no longer asked for. */
  save(version: string): void {
    if (this.file === undefined || !this.memo.changed) return;
    const tails = [...this.memo.asked].map(([path, remembered]) => [path, { ...remembered, reading: knownReadingOf(remembered.value) }]);
    const text = asciiJson({ format: FORMAT, version, tails: Object.fromEntries(tails) });
    if (text.length <= MAX_FILE_BYTES) writeCacheFile(this.file, text);
  }
}

function parseSaved(content: Buffer | undefined, version: string): Map<string, Remembered<TranscriptTail>> {
  const saved = new Map<string, Remembered<TranscriptTail>>();
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
function savedTail(value: unknown): Remembered<TranscriptTail> | undefined {
  if (!isObject(value) || !isObject(value['value'])) return undefined;
  const { ino, size, mtimeMs, settled } = value;
  const tail = value['value'];
  const entries = tail['entries'];
  if (typeof ino !== 'number' || typeof size !== 'number' || typeof mtimeMs !== 'number' || settled !== true || typeof tail['truncated'] !== 'boolean') return undefined;
  if (!Array.isArray(entries) || !entries.every((entry) => isObject(entry) && typeof entry['kind'] === 'string' && ENTRY_KINDS.has(entry['kind']))) return undefined;
  const revivedEntries = entries.map((entry: Record<string, unknown>) => (typeof entry['at'] === 'string' ? { ...entry, at: new Date(entry['at']) } : entry));
  const lastActivity = typeof tail['lastActivity'] === 'string' ? new Date(tail['lastActivity']) : undefined;
  const revived: TranscriptTail = {
    entries: revivedEntries as unknown as ConversationEntry[],
    ...(typeof tail['gitBranch'] === 'string' ? { gitBranch: tail['gitBranch'] } : {}),
    ...(lastActivity !== undefined ? { lastActivity } : {}),
    truncated: tail['truncated'],
  };
  const reading = savedReading(value['reading']);
  if (reading !== undefined) rememberReading(revived, reading);
  return { ino, size, mtimeMs, settled, value: revived };
}

function savedReading(value: unknown): TailReading | undefined {
  if (!isObject(value) || typeof value['preview'] !== 'string' || !isObject(value['background'])) return undefined;
  const { preview, pendingTool } = value;
  const { shells, agents } = value['background'];
  if ((pendingTool !== undefined && typeof pendingTool !== 'string') || typeof shells !== 'number' || typeof agents !== 'number') return undefined;
  return { preview, pendingTool, background: { shells, agents } };
}
