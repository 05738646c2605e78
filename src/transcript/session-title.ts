import { debuglog } from 'node:util';
import { messageOf } from '../errors.js';
import { forEachLineBackwards } from './tail-read.js';

const debug = debuglog('vmux:discovery');

/** Both kinds of title record carry this in their type; no other line is parsed. */
const TITLE_MARK = '-title"';

/**
 * The title Claude Code shows for a session (and writes into its terminal's title): the newest
 * `custom-title` (set with /rename) if any, else the newest `ai-title` (the topic it generated).
 * Read backwards, within the last 32 MiB; undefined when the transcript names none or cannot be read
 * (a FIFO or device in its place is refused at once, never waited on).
 */
export function readSessionTitle(path: string): string | undefined {
  let aiTitle: string | undefined;
  let customTitle: string | undefined;
  try {
    forEachLineBackwards(path, (line) => {
      if (!line.includes(TITLE_MARK)) return false;
      const record = parseObject(line);
      if (record?.['type'] === 'custom-title' && nonEmpty(record['customTitle'])) {
        customTitle = record['customTitle'];
        return true;
      }
      if (record?.['type'] === 'ai-title' && nonEmpty(record['aiTitle'])) aiTitle ??= record['aiTitle'];
      return false;
    });
  } catch (error) {
    debug('transcript %s unreadable for its title: %s', path, messageOf(error));
    return undefined;
  }
  return customTitle ?? aiTitle;
}

function parseObject(line: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** A session's title changes seldom; vmuxd reads it again at most this often. */
const TITLE_TTL_MS = 30_000;

/**
 * Titles for vmuxd's listings, which ask on every poll and window change: each transcript is
 * read again only once its title is this old, so a transcript growing by megabytes is not
 * searched every few seconds.
 */
export class SessionTitleCache {
  private readonly titles = new Map<string, { readonly title: string | undefined; readonly at: number }>();

  titleOf(path: string, now = Date.now()): string | undefined {
    const cached = this.titles.get(path);
    if (cached !== undefined && now - cached.at < TITLE_TTL_MS) return cached.title;
    const title = readSessionTitle(path);
    this.titles.set(path, { title, at: now });
    return title;
  }

  /** Forgets the transcripts not in `paths` (sessions gone). */
  keepOnly(paths: ReadonlySet<string>): void {
    for (const path of this.titles.keys()) if (!paths.has(path)) this.titles.delete(path);
  }
}
