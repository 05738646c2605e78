import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, lchownSync, mkdirSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { callInChild } from '../../test/support/call-in-child.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { branchOfHead, GitMemo, isPlausibleBranch, readGitInfo, WALK_AGAIN_EVERY_SCANS } from './git-info.js';

const me = process.geteuid?.() ?? 0;
/** `nobody`: another user, to own the files a hostile user would plant. */
const NOBODY = 65534;
const notRoot = me === 0 ? false : 'needs root, to give files to another user (uid 65534)';
const GIT_INFO = new URL('./git-info.js', import.meta.url).href;

/** A repository folder `dir` whose `.git/HEAD` says `head`. */
function repo(dir: string, head: string): string {
  mkdirSync(join(dir, '.git'), { recursive: true });
  writeFileSync(join(dir, '.git', 'HEAD'), head);
  return dir;
}

/** readGitInfo in a child process: a read that blocks or never ends fails the test, it cannot freeze it. */
function gitInfoInChild(cwd: string): { value: unknown; ms: number } {
  return callInChild(GIT_INFO, 'readGitInfo', [cwd, me]);
}

test('branch from .git/HEAD, found from a subfolder', () => {
  const root = repo(tempDir(), 'ref: refs/heads/feature/x\n');
  mkdirSync(join(root, 'src', 'deep'), { recursive: true });
  assert.deepEqual(readGitInfo(join(root, 'src', 'deep'), me), { branch: 'feature/x' });
});

test('a detached HEAD reads as HEAD', () => {
  assert.deepEqual(readGitInfo(repo(tempDir(), '0123456789abcdef0123456789abcdef01234567\n'), me), { branch: 'HEAD' });
});

/** A linked worktree `root/wt` of the repository `root/main`, its `HEAD` saying `head`. */
function linkedWorktree(root: string, head: string): string {
  const gitDir = join(root, 'main', '.git', 'worktrees', 'wt');
  mkdirSync(gitDir, { recursive: true });
  writeFileSync(join(gitDir, 'HEAD'), head);
  const worktree = join(root, 'wt');
  mkdirSync(worktree);
  writeFileSync(join(worktree, '.git'), `gitdir: ${gitDir}\n`);
  return worktree;
}

test('a linked worktree gives its branch and its root', () => {
  const worktree = linkedWorktree(tempDir(), 'ref: refs/heads/wt-branch\n');
  assert.deepEqual(readGitInfo(worktree, me), { branch: 'wt-branch', worktree });
});

test('when the transcript names the branch, only the worktree is looked up: HEAD is not read', () => {
  const root = tempDir();
  // A HEAD that would give no branch at all: not read, it changes nothing.
  const worktree = linkedWorktree(root, 'not a ref\n');
  assert.deepEqual(readGitInfo(worktree, me, undefined, false), { worktree });
  assert.deepEqual(readGitInfo(repo(join(root, 'plain'), 'not a ref\n'), me, undefined, false), {});
  assert.equal(readGitInfo(tempDir(), me, undefined, false), undefined);
});

test('outside git there is no git info', () => {
  assert.equal(readGitInfo(tempDir(), me), undefined);
});

test('a FIFO as HEAD gives no branch at once, instead of waiting forever for a writer', () => {
  const root = tempDir();
  mkdirSync(join(root, '.git'));
  assert.equal(spawnSync('mkfifo', [join(root, '.git', 'HEAD')]).status, 0);
  assert.deepEqual(gitInfoInChild(root).value, undefined);
});

test('HEAD linked to /dev/zero gives no branch, instead of reading until memory runs out', () => {
  const root = tempDir();
  mkdirSync(join(root, '.git'));
  symlinkSync('/dev/zero', join(root, '.git', 'HEAD'));
  assert.deepEqual(gitInfoInChild(root).value, undefined);
});

test('a 1 GB sparse .git file is refused unread: no branch, at once', () => {
  const root = tempDir();
  writeFileSync(join(root, '.git'), 'gitdir: /nowhere\n');
  truncateSync(join(root, '.git'), 1024 ** 3);
  const { value, ms } = gitInfoInChild(join(root));
  assert.equal(value, undefined);
  assert.ok(ms < 2_000, `took ${ms} ms`);
});

test('a .git of another user stops the walk with no branch, as git does: the repository above is not reached either', { skip: notRoot }, () => {
  const outer = repo(tempDir(), 'ref: refs/heads/outer\n');
  const planted = repo(join(outer, 'shared'), 'ref: refs/heads/attacker\n');
  chownSync(join(planted, '.git'), NOBODY, NOBODY);
  chownSync(join(planted, '.git', 'HEAD'), NOBODY, NOBODY);
  const session = join(planted, 'project');
  mkdirSync(session);
  assert.equal(readGitInfo(session, me), undefined);
  // The same folders for a session run by the planting user: its own repository.
  assert.deepEqual(readGitInfo(session, NOBODY), { branch: 'attacker' });
});

test('a .git file, a HEAD or a .git link of another user is not followed', { skip: notRoot }, () => {
  const root = tempDir();
  const ownRepo = repo(join(root, 'own'), 'ref: refs/heads/main\n');
  // Another user's HEAD in the session owner's .git.
  chownSync(join(ownRepo, '.git', 'HEAD'), NOBODY, NOBODY);
  assert.equal(readGitInfo(ownRepo, me), undefined);
  // Another user's `.git` file pointing at the owner's own repository.
  const good = repo(join(root, 'good'), 'ref: refs/heads/main\n');
  const viaFile = join(root, 'via-file');
  mkdirSync(viaFile);
  writeFileSync(join(viaFile, '.git'), `gitdir: ${join(good, '.git')}\n`);
  chownSync(join(viaFile, '.git'), NOBODY, NOBODY);
  assert.equal(readGitInfo(viaFile, me), undefined);
  // Another user's symbolic link named `.git`.
  const viaLink = join(root, 'via-link');
  mkdirSync(viaLink);
  symlinkSync(join(good, '.git'), join(viaLink, '.git'));
  lchownSync(join(viaLink, '.git'), NOBODY, NOBODY);
  assert.equal(readGitInfo(viaLink, me), undefined);
});

test('a linked worktree whose git dir is another user\'s gives no branch and no worktree', { skip: notRoot }, () => {
  const root = tempDir();
  const gitDir = join(root, 'theirs', '.git', 'worktrees', 'wt');
  mkdirSync(gitDir, { recursive: true });
  writeFileSync(join(gitDir, 'HEAD'), 'ref: refs/heads/fake-worktree\n');
  chownSync(gitDir, NOBODY, NOBODY);
  chownSync(join(gitDir, 'HEAD'), NOBODY, NOBODY);
  const worktree = join(root, 'wt');
  mkdirSync(worktree);
  writeFileSync(join(worktree, '.git'), `gitdir: ${gitDir}\n`);
  assert.equal(readGitInfo(worktree, me), undefined);
});

test('a branch name with escape bytes, spaces or other impossible characters is not shown', () => {
  assert.equal(readGitInfo(repo(tempDir(), 'ref: refs/heads/main\x1b]0;pwned\x07\x1b[2J\n'), me), undefined);
  assert.equal(readGitInfo(repo(tempDir(), `ref: refs/heads/${'a'.repeat(300)}\n`), me), undefined);
  assert.equal(readGitInfo(repo(tempDir(), 'not a ref at all\n'), me), undefined);
});

test('branch names follow git check-ref-format', () => {
  for (const good of ['main', 'feature/x', 'fix-auth', 'v1.2', 'user@host', 'café', 'a.b/c_d']) {
    assert.equal(isPlausibleBranch(good), true, good);
  }
  const bad = ['', '@', 'a b', 'a..b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[b', 'a\\b', 'a@{1}', '/a', 'a/', 'a//b', 'a.', '.a', 'a/.b', 'a.lock', 'a/b.lock/c',
    'a\tb', 'a\x7fb', 'a\u0085b', 'a\u202eb', 'a\u200bb', 'x'.repeat(256)];
  for (const name of bad) assert.equal(isPlausibleBranch(name), false, JSON.stringify(name));
  assert.equal(branchOfHead('ref: refs/heads/main\r\n'), 'main');
  assert.equal(branchOfHead(`${'ab'.repeat(32)}\n`), 'HEAD');
  assert.equal(branchOfHead('ref: refs/remotes/origin/main\n'), undefined);
});

/** One daemon scan's look at a folder's git, through the memo the daemon keeps between scans. */
function scanWith(memo: GitMemo, cwd: string): ReturnType<typeof readGitInfo> {
  const info = readGitInfo(cwd, me, memo);
  memo.endRound();
  return info;
}

test("a daemon's memo: a branch switch shows at the next scan, as does a repository removed", () => {
  const root = repo(tempDir(), 'ref: refs/heads/main\n');
  const memo = new GitMemo();
  assert.deepEqual(scanWith(memo, root), { branch: 'main' });
  // As git does: a new HEAD renamed over the old one.
  writeFileSync(join(root, '.git', 'HEAD.new'), 'ref: refs/heads/feature\n');
  renameSync(join(root, '.git', 'HEAD.new'), join(root, '.git', 'HEAD'));
  assert.deepEqual(scanWith(memo, root), { branch: 'feature' });
  rmSync(join(root, '.git'), { recursive: true });
  assert.equal(scanWith(memo, root), undefined);
});

test(`a daemon's memo: a repository created above a folder shows within ${WALK_AGAIN_EVERY_SCANS} scans, not by walking up to / at every one`, () => {
  const root = tempDir();
  const cwd = join(root, 'project', 'src');
  mkdirSync(cwd, { recursive: true });
  const memo = new GitMemo();
  assert.equal(scanWith(memo, cwd), undefined);
  repo(join(root, 'project'), 'ref: refs/heads/new-repo\n');
  const scans: Array<ReturnType<typeof readGitInfo>> = [];
  for (let scan = 0; scan < WALK_AGAIN_EVERY_SCANS; scan++) scans.push(scanWith(memo, cwd));
  assert.equal(scans[0], undefined, 'not seen at once: the walk is not taken again at every scan');
  assert.deepEqual(scans.at(-1), { branch: 'new-repo' });
  // Without the memo (vmux list scanning once), it is seen at once.
  assert.deepEqual(readGitInfo(cwd, me), { branch: 'new-repo' });
});

test("a daemon's memo: a .git that becomes another user's stops the branch at the next scan", { skip: notRoot }, () => {
  const root = repo(tempDir(), 'ref: refs/heads/main\n');
  const memo = new GitMemo();
  assert.deepEqual(scanWith(memo, root), { branch: 'main' });
  chownSync(join(root, '.git'), NOBODY, NOBODY);
  assert.equal(scanWith(memo, root), undefined);
});
