import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errnoCode, messageOf } from '../errors.js';

/**
 * The user's names for conversations, by session id, in `labels.json` (`{"<session id>": "label"}`).
 * Every change is written atomically before it is acknowledged: a crash at any moment leaves the
 * old file or the new one, never a mix. A label of a session that ended is kept, so a resumed
 * conversation gets its name back.
 */
export class LabelStore {
  private constructor(
    private readonly path: string,
    private readonly labels: Map<string, string>,
  ) {}

  /**
   * Loads the store; a missing file is an empty store. A file that is not a JSON object of labels
   * is moved aside to `labels.json.corrupt-<time>` (never deleted) and `onCorrupt` is told where.
   */
  static open(path: string, onCorrupt: (movedTo: string, why: string) => void = () => {}): LabelStore {
    removeLeftoverTempFiles(path);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return new LabelStore(path, new Map());
      throw error;
    }
    const labels = parseLabels(text);
    if (typeof labels === 'string') {
      const movedTo = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(path, movedTo);
      onCorrupt(movedTo, labels);
      return new LabelStore(path, new Map());
    }
    return new LabelStore(path, labels);
  }

  /** The labels as they are on disk, for a reader that must not change anything; empty when unreadable. */
  static peek(path: string): ReadonlyMap<string, string> {
    try {
      const labels = parseLabels(readFileSync(path, 'utf8'));
      return typeof labels === 'string' ? new Map() : labels;
    } catch {
      return new Map();
    }
  }

  get(sessionId: string): string | undefined {
    return this.labels.get(sessionId);
  }

  /** Names a session; an empty label removes the name. Saved to disk before it returns. */
  set(sessionId: string, label: string): void {
    const next = new Map(this.labels);
    if (label === '') next.delete(sessionId);
    else next.set(sessionId, label);
    writeAtomically(this.path, `${JSON.stringify(Object.fromEntries(next), null, 2)}\n`);
    this.labels.clear();
    for (const [id, text] of next) this.labels.set(id, text);
  }

  get size(): number {
    return this.labels.size;
  }
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

/** Temp file in the same folder, fsync, rename over the old file, fsync the folder; mode 0600. */
function writeAtomically(path: string, text: string): void {
  const temp = `${path}.tmp-${process.pid}`;
  // A temp file left by a daemon killed mid-write (its PID since reused) would keep its own mode
  // under 'w': remove it and create the file afresh, so the mode is always 0600.
  rmSync(temp, { force: true });
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, text);
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
