import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { readGitInfo } from './git-info.js';

test('branch from .git/HEAD, found from a subfolder', () => {
  const repo = tempDir();
  mkdirSync(join(repo, '.git'));
  writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/feature/x\n');
  mkdirSync(join(repo, 'src', 'deep'), { recursive: true });
  assert.deepEqual(readGitInfo(join(repo, 'src', 'deep')), { branch: 'feature/x' });
});

test('a detached HEAD reads as HEAD', () => {
  const repo = tempDir();
  mkdirSync(join(repo, '.git'));
  writeFileSync(join(repo, '.git', 'HEAD'), '0123456789abcdef0123456789abcdef01234567\n');
  assert.deepEqual(readGitInfo(repo), { branch: 'HEAD' });
});

test('a linked worktree gives its branch and its root', () => {
  const root = tempDir();
  const main = join(root, 'main');
  const gitDir = join(main, '.git', 'worktrees', 'wt');
  mkdirSync(gitDir, { recursive: true });
  writeFileSync(join(gitDir, 'HEAD'), 'ref: refs/heads/wt-branch\n');
  const worktree = join(root, 'wt');
  mkdirSync(worktree);
  writeFileSync(join(worktree, '.git'), `gitdir: ${gitDir}\n`);
  assert.deepEqual(readGitInfo(worktree), { branch: 'wt-branch', worktree });
});

test('outside git there is no git info', () => {
  assert.equal(readGitInfo(tempDir()), undefined);
});
