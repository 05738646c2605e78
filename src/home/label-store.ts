import { closeSync, fsyncSync, lstatSync, openSync, readdirSync, renameSync, rmSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errnoCode, messageOf, VmuxError } from '../errors.js';
import { readRegularTextFile } from '../files/read-regular-file.js';

/** Far above any real labels file (81 labels are 13 KB), far below what would strain memory. */
export const MAX_LABELS_FILE_BYTES = 8 * 1024 * 1024;

/**
 * The user's names for conversations, by session id, in `labels.json` (`{"<session id>": "label"}`).
 * Every change is written atomically before it is acknowledged: a crash at any moment leaves the
 * old file or the new one, never a mix. A label of a session that ended is kept, so a resumed
 * conversation gets its name back.
 */
export class LabelStore {
  /** What the file was when this store last read or wrote it: a difference is an edit from outside. */
  private known: FileIdentity | undefined;

  private constructor(
    private readonly path: string,
    private readonly labels: Map<string, string>,
    private readonly onCorrupt: (movedTo: string, why: string) => void,
  ) {
    this.known = identityOf(path);
  }

  /**
   * Loads the store; a missing file is an empty store. A file that is not a JSON object of labels
   * (or not a regular file, or over MAX_LABELS_FILE_BYTES) is moved aside to
   * `labels.json.corrupt-<time>` (never deleted) and `onCorrupt` is told where.
   */
  static open(path: string, onCorrupt: (movedTo: string, why: string) => void = () => {}): LabelStore {
    removeLeftoverTempFiles(path);
    return new LabelStore(path, loadOrSetAside(path, onCorrupt), onCorrupt);
  }

  /** The labels as they are on disk, for a reader that must not change anything; empty when unreadable. */
  static peek(path: string): ReadonlyMap<string, string> {
    const loaded = readLabels(path);
    return typeof loaded === 'string' ? new Map() : loaded;
  }

  get(sessionId: string): string | undefined {
    return this.labels.get(sessionId);
  }

  /**
   * Names a session; an empty label removes the name. Saved whole and durably before it returns;
   * when it cannot be (a full disk), throws `LABELS_NOT_SAVED` and the file and the store keep
   * the labels they had. An edit made to the file from outside since the last read is kept.
   */
  set(sessionId: string, label: string): void {
    this.reloadIfChanged();
    const next = new Map(this.labels);
    if (label === '') next.delete(sessionId);
    else next.set(sessionId, label);
    try {
      writeWholeAndDurably(this.path, `${JSON.stringify(Object.fromEntries(next), null, 2)}\n`);
    } catch (error) {
      throw new VmuxError('LABELS_NOT_SAVED', `could not save ${this.path}: ${messageOf(error)}; the labels on disk are unchanged${errnoCode(error) === 'ENOSPC' ? ' (free some disk space and try again)' : ''}`, { cause: error });
    }
    this.known = identityOf(this.path);
    this.replaceWith(next);
  }

  /**
   * Takes in an edit made to `labels.json` while this store was open (by hand, or by another
   * writer), so the next save does not erase it. True when the labels changed.
   */
  reloadIfChanged(): boolean {
    const now = identityOf(this.path);
    if (sameIdentity(now, this.known)) return false;
    const loaded = readLabels(this.path);
    if (typeof loaded === 'string') {
      // An edit that broke the file: its text is kept aside, the labels known before stay in use.
      setAside(this.path, loaded, this.onCorrupt);
      this.known = undefined;
      return false;
    }
    this.known = now;
    const changed = !sameLabels(loaded, this.labels);
    this.replaceWith(loaded);
    return changed;
  }

  get size(): number {
    return this.labels.size;
  }

  private replaceWith(labels: ReadonlyMap<string, string>): void {
    this.labels.clear();
    for (const [id, text] of labels) this.labels.set(id, text);
  }
}

/** Enough to tell that a file was replaced or rewritten: a save renames a new inode into place. */
interface FileIdentity {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

function identityOf(path: string): FileIdentity | undefined {
  let stat: Stats;
  try {
    stat = lstatSync(path);
  } catch {
    return undefined;
  }
  return { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs };
}

function sameIdentity(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs);
}

function sameLabels(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([id, label]) => b.get(id) === label);
}

/** The labels on disk; a file that cannot be a labels file is moved aside, never deleted. */
function loadOrSetAside(path: string, onCorrupt: (movedTo: string, why: string) => void): Map<string, string> {
  const loaded = readLabels(path);
  if (typeof loaded !== 'string') return loaded;
  setAside(path, loaded, onCorrupt);
  return new Map();
}

function setAside(path: string, why: string, onCorrupt: (movedTo: string, why: string) => void): void {
  const movedTo = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, movedTo);
  onCorrupt(movedTo, why);
}

/** The labels in the file, an empty map when there is none, or why it is not a labels file. */
function readLabels(path: string): Map<string, string> | string {
  let text: string;
  try {
    // Never through a link, and never a FIFO or device: labels.json is a file vmux writes itself.
    text = readRegularTextFile(path, { maxBytes: MAX_LABELS_FILE_BYTES, noFollow: true });
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return new Map();
    if (code === 'ELOOP') return 'a symbolic link, which vmux does not follow';
    if (code === 'NOT_REGULAR_FILE' || code === 'FILE_TOO_LARGE') return messageOf(error);
    throw error;
  }
  return parseLabels(text);
}

/** The labels, or why the text is not a labels file. */
function parseLabels(text: string): Map<string, string> | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return `not JSON (${messageOf(error)})`;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not a JSON object';
  const labels = new Map<string, string>();
  for (const [id, label] of Object.entries(raw)) {
    if (typeof label !== 'string') return `the label of ${JSON.stringify(id)} is not a string`;
    labels.set(id, label);
  }
  return labels;
}

/**
 * Temp file in the same folder, every byte written (a write may be short on a nearly full disk),
 * fsync, rename over the old file, fsync the folder; mode 0600. Any failure removes the temp file
 * and leaves the old file as it was.
 */
function writeWholeAndDurably(path: string, text: string): void {
  const temp = `${path}.tmp-${process.pid}`;
  // A temp file left by a daemon killed mid-write (its PID since reused) would keep its own mode
  // under 'w': remove it and create the file afresh, so the mode is always 0600.
  rmSync(temp, { force: true });
  const bytes = Buffer.from(text, 'utf8');
  const fd = openSync(temp, 'wx', 0o600);
  try {
    for (let written = 0; written < bytes.length; ) {
      written += writeSync(fd, bytes, written, bytes.length - written);
    }
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    // The save failed: leave no half-named copy behind to confuse the next reader.
    rmSync(temp, { force: true });
    throw error;
  }
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** A writer killed between creating its temp file and renaming it leaves the file behind. */
function removeLeftoverTempFiles(path: string): void {
  const prefix = `${basename(path)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const writer = Number(name.slice(prefix.length));
    // A live writer (a `vmux label` saving right now) keeps its file.
    if (Number.isInteger(writer) && writer !== process.pid && isAlive(writer)) continue;
    rmSync(join(dirname(path), name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}
