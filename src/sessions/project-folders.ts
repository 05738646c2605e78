import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename } from 'node:path';
import { debuglog } from 'node:util';
import { isGoneOrForbidden } from '../errors.js';
import { FileMemo } from '../files/file-memo.js';
import { encodePath, MAX_ENCODED_PATH_LENGTH } from './encode-path.js';

const debug = debuglog('vmux:discovery');

/**
 * What vmux accepts as a session id before it becomes a file name under `projects/`. Claude Code
 * makes UUIDs (and checks ids against that form itself); letters, digits, `-` and `_` cover them
 * and can never spell `/` or `..`, so no id from a sessions file or argv names a file elsewhere.
 */
const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function isSessionId(id: string): boolean {
  return SESSION_ID.test(id);
}

export interface TranscriptFile {
  readonly sessionId: string;
  readonly path: string;
  readonly modifiedMs: number;
  /** 0 when the file system does not record it. */
  readonly bornMs: number;
}

/** Where a session's transcript may be. */
export interface TranscriptQuery {
  readonly sessionId: string;
  /** The folders whose project folders are looked in first: the cwd the client recorded, the process's cwd. */
  readonly cwds: ReadonlyArray<string | undefined>;
  /**
   * Asked only when the transcript is in none of those folders: whether it may sit in any other
   * project folder, so that every one is searched. A daemon repeats such a search only when
   * `stamp` (what justified it) or `projects/` itself has changed since.
   */
  readonly elsewhere?: () => { readonly stamp: string } | undefined;
}

/**
 * A transcript is looked for in the project folders of its session's cwds and of their real
 * paths (a cwd recorded through a symbolic link): a few `stat` calls, however many folders
 * `projects/` holds. Only a query that says the transcript may be elsewhere costs one `stat` per
 * folder, and a daemon's memory keeps that from being repeated while nothing changed.
 */
export class ProjectFolders {
  private names: string[] | undefined;

  /**
   * `memory`: a daemon's, kept between scans. `stats`: filled with what this scan learnt of each
   * transcript it looked at, so that a tail read right after need not `stat` the file again.
   */
  constructor(
    /** `<Claude config dir>/projects`; normalised, so paths under it are joined as plain strings. */
    private readonly root: string,
    private readonly memory?: ProjectFoldersMemory,
    private readonly stats?: Map<string, Stats>,
  ) {}

  /** The path of the query's transcript, if it exists; never outside `projects/`. */
  findTranscript(query: TranscriptQuery): string | undefined {
    const { sessionId } = query;
    if (!isSessionId(sessionId)) {
      debug('session id %j refused: not a Claude Code session id', sessionId.slice(0, 80));
      return undefined;
    }
    const file = `${sessionId}.jsonl`;
    const tried = new Set<string>();
    const lookIn = (cwd: string): string | undefined => {
      for (const folder of this.foldersNamedFor(cwd)) {
        if (tried.has(folder)) continue;
        tried.add(folder);
        const path = `${this.root}/${folder}/${file}`;
        if (this.isFile(path)) return path;
      }
      return undefined;
    };
    const cwds = [...new Set(query.cwds.filter((cwd): cwd is string => cwd !== undefined && cwd !== ''))];
    for (const cwd of cwds) {
      const path = lookIn(cwd);
      if (path !== undefined) return path;
    }
    for (const cwd of cwds) {
      const real = realPathOf(cwd);
      const path = real === undefined || real === cwd ? undefined : lookIn(real);
      if (path !== undefined) return path;
    }
    const elsewhere = query.elsewhere?.();
    if (elsewhere === undefined) return undefined;
    const stamp = `${elsewhere.stamp} ${this.memory?.projectsStamp(this.root) ?? ''}`;
    const remembered = this.memory?.search(sessionId, stamp);
    if (remembered !== undefined && (remembered.path === undefined || this.isFile(remembered.path))) return remembered.path;
    const path = this.searchEverywhere(file, tried);
    this.memory?.remember(sessionId, stamp, path);
    return path;
  }

  /** The transcripts in the project folders of `cwd`, with their times. */
  transcriptsOf(cwd: string): TranscriptFile[] {
    const found: TranscriptFile[] = [];
    for (const folder of this.foldersNamedFor(cwd)) {
      const dir = `${this.root}/${folder}`;
      for (const name of this.memory?.folderNames(dir) ?? listDir(dir)) {
        // Subagent transcripts of 2.0.x sit beside the session files as `agent-<hex>.jsonl`.
        if (!name.endsWith('.jsonl') || name.startsWith('agent-')) continue;
        const path = `${dir}/${name}`;
        const stat = statOf(path);
        if (stat !== undefined) this.stats?.set(path, stat);
        if (stat !== undefined) found.push({ sessionId: basename(name, '.jsonl'), path, modifiedMs: stat.mtimeMs, bornMs: stat.birthtimeMs });
      }
    }
    return found;
  }

  /** Ends a scan: a daemon's memory forgets the sessions this scan did not ask about. */
  finish(): void {
    this.memory?.endRound();
  }

  private searchEverywhere(file: string, tried: ReadonlySet<string>): string | undefined {
    const names = this.list();
    debug('looking for %s in all %d project folders', file, names.length);
    for (const folder of names) {
      if (tried.has(folder)) continue;
      const path = `${this.root}/${folder}/${file}`;
      if (this.isFile(path)) return path;
    }
    return undefined;
  }

  private isFile(path: string): boolean {
    const stat = fileStat(path);
    if (stat !== undefined) this.stats?.set(path, stat);
    return stat !== undefined;
  }

  /**
   * The folder Claude Code names after `cwd`, and for a long path (cut and suffixed with a hash)
   * any folder with the same cut, since versions before 2.1 used another hash. Only long paths
   * need the listing of `projects/`.
   */
  private foldersNamedFor(cwd: string): string[] {
    const encoded = encodePath(cwd);
    if (encoded.length <= MAX_ENCODED_PATH_LENGTH) return [encoded];
    const prefix = encoded.slice(0, MAX_ENCODED_PATH_LENGTH + 1);
    return [encoded, ...this.list().filter((folder) => folder !== encoded && folder.startsWith(prefix))];
  }

  private list(): string[] {
    this.names ??= this.memory?.listing(this.root) ?? listDir(this.root);
    return this.names;
  }
}

/** A listing younger than this may miss a folder made in the same tick of the file system's clock. */
const RACY_LISTING_MS = 1000;

interface RememberedSearch {
  readonly stamp: string;
  readonly path: string | undefined;
}

/**
 * What a process that scans again and again (the daemon) keeps of `projects/` between scans:
 * its listing, while its modification time stays, and the result of each search through every
 * folder, while what justified it stays. Each round keeps only the sessions it asked about.
 */
export class ProjectFoldersMemory {
  /** `now` reads the clock in epoch ms; only to tell a listing safe to keep. */
  constructor(private readonly now: () => number) {
    this.folders = new FileMemo(now);
  }

  private cachedListing: { readonly stamp: string; readonly names: string[] } | undefined;
  private searches = new Map<string, RememberedSearch>();
  private asked = new Map<string, RememberedSearch>();
  /** The file names of each project folder a scan looked in, while the folder is unchanged. */
  private readonly folders: FileMemo<string[]>;

  /** What changes when a folder is made or removed in `projects/` (its inode and modification time). */
  projectsStamp(root: string): string {
    const stat = statOf(root);
    return stat === undefined ? 'none' : `${stat.ino}:${stat.mtimeMs}`;
  }

  listing(root: string): string[] {
    const stat = statOf(root);
    if (stat === undefined) return [];
    const stamp = `${stat.ino}:${stat.mtimeMs}`;
    if (this.cachedListing?.stamp === stamp) return this.cachedListing.names;
    const names = listDir(root);
    // Trusted again only once the folder's time is safely in the past (see RACY_LISTING_MS).
    this.cachedListing = this.now() - stat.mtimeMs > RACY_LISTING_MS ? { stamp, names } : undefined;
    return names;
  }

  search(sessionId: string, stamp: string): RememberedSearch | undefined {
    const remembered = this.searches.get(sessionId);
    if (remembered === undefined || remembered.stamp !== stamp) return undefined;
    this.asked.set(sessionId, remembered);
    return remembered;
  }

  remember(sessionId: string, stamp: string, path: string | undefined): void {
    this.asked.set(sessionId, { stamp, path });
  }

  /** The names in a project folder (none when it is missing), read again only when it changed. */
  folderNames(dir: string): string[] {
    try {
      return this.folders.get(dir, () => listDir(dir));
    } catch (error) {
      if (isGoneOrForbidden(error)) return [];
      throw error;
    }
  }

  endRound(): void {
    this.searches = this.asked;
    this.asked = new Map();
    this.folders.endRound();
  }
}

function realPathOf(path: string): string | undefined {
  try {
    return realpathSync.native(path);
  } catch {
    return undefined;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if (isGoneOrForbidden(error)) return [];
    throw error;
  }
}

/** A regular file's `stat`; undefined for anything else, or nothing, or what cannot be reached. */
function fileStat(path: string): Stats | undefined {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat?.isFile() ? stat : undefined;
  } catch {
    return undefined;
  }
}

/** Undefined when nothing is there or it cannot be reached; without the cost of a thrown error for a missing file. */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if (isGoneOrForbidden(error)) return undefined;
    throw error;
  }
}
