import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** Where a folder sits in git: its branch (or `HEAD` when detached) and, for a linked worktree, its root. */
export interface GitInfo {
  readonly branch: string;
  readonly worktree?: string;
}

/**
 * Reads `.git/HEAD` of the repository holding `cwd`, walking up as git does. No git process
 * is started: a listing must stay fast.
 */
export function readGitInfo(cwd: string): GitInfo | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    const kind = entryKind(dotGit);
    if (kind === 'dir') return headOf(dotGit, undefined);
    if (kind === 'file') {
      const gitDir = linkedGitDir(dotGit, dir);
      // A linked worktree's git dir lives under the main repository's `.git/worktrees/`.
      const worktree = gitDir !== undefined && /\/worktrees\/[^/]+\/?$/.test(gitDir) ? dir : undefined;
      return gitDir === undefined ? undefined : headOf(gitDir, worktree);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function entryKind(path: string): 'dir' | 'file' | undefined {
  try {
    const stat = statSync(path);
    return stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/** A `.git` file says `gitdir: <path>`, relative to the folder holding it. */
function linkedGitDir(dotGitFile: string, dir: string): string | undefined {
  const text = readText(dotGitFile);
  const match = text === undefined ? null : /^gitdir: (.+)$/m.exec(text);
  if (!match?.[1]) return undefined;
  const target = match[1].trim();
  return isAbsolute(target) ? target : resolve(dir, target);
}

function headOf(gitDir: string, worktree: string | undefined): GitInfo | undefined {
  const head = readText(join(gitDir, 'HEAD'));
  if (head === undefined) return undefined;
  const ref = /^ref: refs\/heads\/(.+)$/m.exec(head);
  const branch = ref?.[1]?.trim() ?? 'HEAD';
  return worktree === undefined ? { branch } : { branch, worktree };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
