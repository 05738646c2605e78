import { lstatSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { debuglog } from 'node:util';
import { messageOf } from '../errors.js';
import { readRegularTextFile } from '../files/read-regular-file.js';

const debug = debuglog('vmux:discovery');

/** `HEAD` and a `.git` file hold one line (a ref, an object id, a `gitdir:` path): more is not git's. */
const MAX_POINTER_BYTES = 8 * 1024;

/** Longer than any branch a person types; git itself has no bound, a listing needs one. */
const MAX_BRANCH_LENGTH = 255;

/** Where a folder sits in git: its branch (or `HEAD` when detached) and, for a linked worktree, its root. */
export interface GitInfo {
  /** Undefined when it was not asked for (see `readGitInfo`). */
  readonly branch?: string;
  readonly worktree?: string;
}

/**
 * Reads `HEAD` of the repository holding `cwd`, walking up as git does. No git process is
 * started: a listing must stay fast. Like git since CVE-2022-24765, only a repository owned by
 * `ownerUid` (the user the session runs as) counts: the walk stops at the first `.git` and gives
 * no branch when that `.git`, the git dir it points to, or its `HEAD` belongs to anyone else, so
 * another user's `/tmp/.git` can neither name a branch nor reach the reader. Only small regular
 * files are read, so a FIFO, a device or a huge file planted there cannot block or exhaust vmux.
 * Without `branchNeeded` (the transcript names the branch), only where the worktree is: `HEAD`
 * is not read.
 */
export function readGitInfo(cwd: string, ownerUid: number, memo?: GitMemo, branchNeeded = true): GitInfo | undefined {
  const found = memo ? memo.dotGitOf(cwd, ownerUid) : findDotGit(cwd, ownerUid, undefined);
  if (found === undefined || found === 'foreign') return undefined;
  const { dir, dotGit, kind } = found;
  if (kind === 'dir') return branchNeeded ? headOf(dotGit, undefined, ownerUid, memo) : {};
  const gitDir = linkedGitDir(dotGit, dir);
  if (gitDir === undefined || ownedEntry(gitDir, ownerUid, memo) !== 'dir') return undefined;
  // A linked worktree's git dir lives under the main repository's `.git/worktrees/`.
  const worktree = /\/worktrees\/[^/]+\/?$/.test(gitDir) ? dir : undefined;
  if (!branchNeeded) return worktree === undefined ? {} : { worktree };
  return headOf(gitDir, worktree, ownerUid, memo);
}

/** The first `.git` up from a folder: a repository's folder or a linked worktree's file. */
interface FoundDotGit {
  readonly dir: string;
  readonly dotGit: string;
  readonly kind: 'dir' | 'file';
}

/**
 * Walks up from `cwd` to the first `.git` folder or file, as git does; `foreign` when a `.git` on
 * the way is another user's (the walk stops there), undefined when there is none up to `/`.
 */
function findDotGit(cwd: string, ownerUid: number, memo: GitMemo | undefined): FoundDotGit | 'foreign' | undefined {
  // Normalised once, so that each step up is a plain `dirname` and `/.git` (a daemon walks this at every poll).
  for (let dir = normalize(cwd); ; dir = dirname(dir)) {
    const dotGit = dir.endsWith('/') ? `${dir}.git` : `${dir}/.git`;
    const entry = ownedEntry(dotGit, ownerUid, memo);
    if (entry === 'foreign') return 'foreign';
    if (entry === 'dir' || entry === 'file') return { dir, dotGit, kind: entry };
    if (dirname(dir) === dir) return undefined;
  }
}

/** The entry at a path: the link itself, and what it leads to (the same for anything but a link). */
interface Entry {
  readonly link: Stats | undefined;
  readonly stat: Stats | undefined;
}

function entryAt(path: string): Entry {
  const link = statOf(path, lstatSync);
  return { link, stat: link?.isSymbolicLink() ? statOf(path, statSync) : link };
}

/**
 * A folder's walk up to its `.git` is taken again at least this many scans apart (a minute at
 * vmuxd's 5 s poll); in between, only the `.git` it found (and its `HEAD`) is looked at. So a
 * branch switch shows at the next poll, a repository created above a session's folder (or a
 * `.git` planted there) within a minute, and a poll does not `lstat` every folder up to `/` for
 * every session.
 */
export const WALK_AGAIN_EVERY_SCANS = 12;

/**
 * What a process that scans again and again (the daemon) keeps of git folders: within a scan,
 * the entry at each path, since sessions in one repository (or one folder tree) walk the same
 * paths; from one scan to the next, where each folder's walk ended (see WALK_AGAIN_EVERY_SCANS)
 * and what each `HEAD` file said, while it is the same file with the same size and times (git
 * replaces `HEAD` by renaming a new file over it: a new inode).
 */
export class GitMemo {
  private round = 0;
  private entries = new Map<string, Entry>();
  private heads = new Map<string, { readonly stamp: string; readonly text: string | undefined }>();
  private headsSeen = new Map<string, { readonly stamp: string; readonly text: string | undefined }>();
  private walks = new Map<string, { readonly found: FoundDotGit | 'foreign' | undefined; readonly round: number }>();
  private walksSeen = new Map<string, { readonly found: FoundDotGit | 'foreign' | undefined; readonly round: number }>();

  entryAt(path: string): Entry {
    let entry = this.entries.get(path);
    if (entry === undefined) {
      entry = entryAt(path);
      this.entries.set(path, entry);
    }
    return entry;
  }

  /** Where the walk up from `cwd` ends: walked again when due, or when the `.git` it found is no longer what it was. */
  dotGitOf(cwd: string, ownerUid: number): FoundDotGit | 'foreign' | undefined {
    const key = `${ownerUid} ${cwd}`;
    const kept = this.walksSeen.get(key) ?? this.walks.get(key);
    const stillThere = (found: FoundDotGit | 'foreign' | undefined) =>
      found === undefined || found === 'foreign' || ownedEntry(found.dotGit, ownerUid, this) === found.kind;
    const walk =
      kept !== undefined && this.round - kept.round < WALK_AGAIN_EVERY_SCANS && stillThere(kept.found)
        ? kept
        : { found: findDotGit(cwd, ownerUid, this), round: this.round };
    this.walksSeen.set(key, walk);
    return walk.found;
  }

  headText(path: string, read: () => string | undefined): string | undefined {
    const stat = this.entryAt(path).stat;
    const stamp = stat === undefined ? '' : `${stat.ino} ${stat.size} ${stat.mtimeMs} ${stat.ctimeMs}`;
    const kept = this.headsSeen.get(path) ?? this.heads.get(path);
    const head = kept !== undefined && kept.stamp === stamp ? kept : { stamp, text: read() };
    this.headsSeen.set(path, head);
    return head.text;
  }

  /** Ends a scan: entries are looked at again, and walks and `HEAD` files not asked for in it are forgotten. */
  endRound(): void {
    this.entries.clear();
    this.heads = this.headsSeen;
    this.headsSeen = new Map();
    this.walks = this.walksSeen;
    this.walksSeen = new Map();
    this.round++;
  }
}

/**
 * What is at `path`: missing (undefined), another user's (`foreign`: the link itself or what it
 * leads to), or the owner's directory, regular file or something else.
 */
function ownedEntry(path: string, ownerUid: number, memo: GitMemo | undefined): 'dir' | 'file' | 'other' | 'foreign' | undefined {
  const { link, stat } = memo ? memo.entryAt(path) : entryAt(path);
  if (link === undefined) return undefined;
  const foreignUid = link.uid !== ownerUid ? link.uid : stat !== undefined && stat.uid !== ownerUid ? stat.uid : undefined;
  if (foreignUid !== undefined) {
    debug('%s skipped: owned by uid %d, the session runs as uid %d', path, foreignUid, ownerUid);
    return 'foreign';
  }
  return stat === undefined ? undefined : stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : 'other';
}

/** Undefined when nothing is there (without the cost of a thrown error: most folders have no `.git`) or it cannot be reached. */
function statOf(path: string, stat: (path: string, options: { throwIfNoEntry: false }) => Stats | undefined): Stats | undefined {
  try {
    return stat(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** A `.git` file says `gitdir: <path>`, relative to the folder holding it. */
function linkedGitDir(dotGitFile: string, dir: string): string | undefined {
  const text = readPointer(dotGitFile);
  const match = text === undefined ? null : /^gitdir: (.+)$/m.exec(text);
  if (!match?.[1]) return undefined;
  const target = match[1].trim();
  return isAbsolute(target) ? target : resolve(dir, target);
}

function headOf(gitDir: string, worktree: string | undefined, ownerUid: number, memo: GitMemo | undefined): GitInfo | undefined {
  const path = join(gitDir, 'HEAD');
  if (ownedEntry(path, ownerUid, memo) !== 'file') return undefined;
  const branch = branchOfHead(memo ? memo.headText(path, () => readPointer(path)) : readPointer(path));
  if (branch === undefined) return undefined;
  return worktree === undefined ? { branch } : { branch, worktree };
}

/** `ref: refs/heads/<name>` gives the branch, an object id a detached `HEAD`; anything else is no branch. */
export function branchOfHead(head: string | undefined): string | undefined {
  if (head === undefined) return undefined;
  const line = head.replace(/\r?\n$/, '');
  if (/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(line)) return 'HEAD';
  const ref = /^ref: refs\/heads\/(.+)$/.exec(line);
  return ref?.[1] !== undefined && isPlausibleBranch(ref[1]) ? ref[1] : undefined;
}

/**
 * git's `check-ref-format` rules for a branch name, plus a length bound and no invisible or
 * control characters at all, so a name read from disk is safe to print as it is.
 */
export function isPlausibleBranch(name: string): boolean {
  if (name.length === 0 || name.length > MAX_BRANCH_LENGTH || name === '@') return false;
  // Control characters (C0, DEL, C1) and format characters (bidi overrides, zero-width); none in
  // printable ASCII, which most names are, and the pattern's first use costs milliseconds.
  if (!/^[\x20-\x7e]*$/.test(name) && /[\p{Cc}\p{Cf}]/u.test(name)) return false;
  if (/[ ~^:?*[\\]|\.\.|@\{|\/\/|^\/|\/$|\.$/.test(name)) return false;
  return name.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

function readPointer(path: string): string | undefined {
  try {
    return readRegularTextFile(path, { maxBytes: MAX_POINTER_BYTES });
  } catch (error) {
    debug('%s unreadable: %s', path, messageOf(error));
    return undefined;
  }
}
