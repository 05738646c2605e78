import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodePath } from '../../src/sessions/encode-path.js';
import { startFakeClaude, writeSessionFile, type FakeClaude } from '../support/fake-claude.js';
import { runVmux } from '../support/run-vmux.js';
import { tempDir } from '../support/temp-dir.js';
import { TranscriptBuilder } from '../support/transcript-builder.js';
import { startVmuxd, type VmuxdProcess } from '../support/vmuxd-process.js';

/**
 * Files planted where vmux looks — by another local user in a shared folder such as /tmp, or left
 * by accident in Claude's own folders — against a real scan of real processes named `claude`:
 * FIFOs that would block a read forever, links to /dev/zero that never end, a 1 GB sparse file,
 * another user's repository with the branch it chooses, escape bytes in a branch name. `vmux list
 * --json` and vmuxd must answer promptly with every session listed and nothing the attacker chose.
 */

/** A listing of a dozen sessions takes a fraction of this; a read that blocks takes forever. */
const PROMPT_MS = 5_000;
/** `nobody`: the hostile user, when the tests run as root and can give files away. */
const NOBODY = 65534;
const asRoot = process.geteuid?.() === 0;

interface Planted {
  readonly name: string;
  readonly fake: FakeClaude;
  /** The branch vmux must show: '' wherever the repository is planted or broken. */
  readonly branch: string;
}

const root = tempDir('vmux-planted-');
const claudeDir = join(root, 'claude');
const sessionsDir = join(claudeDir, 'sessions');
const planted: Planted[] = [];

function mkfifo(path: string): void {
  assert.equal(spawnSync('mkfifo', [path]).status, 0, `mkfifo ${path}`);
}

/** A folder `work/<name>/<sub>` for a session, after `prepare(work/<name>)` planted what it needs. */
async function plantSession(name: string, branch: string, prepare: (dir: string) => string, sessionsFile: 'real' | 'none' = 'real'): Promise<Planted> {
  const dir = join(root, 'work', name);
  mkdirSync(dir, { recursive: true });
  const cwd = prepare(dir);
  mkdirSync(cwd, { recursive: true });
  const binDir = join(root, 'bin', name);
  mkdirSync(binDir, { recursive: true });
  const fake = await startFakeClaude({ cwd, binDir });
  if (sessionsFile === 'real') writeSessionFile(claudeDir, fake.pid, { sessionId: randomUUID(), cwd, status: 'idle' });
  const session = { name, fake, branch };
  planted.push(session);
  return session;
}

function gitDirWithHead(dir: string, head: (path: string) => void): void {
  mkdirSync(join(dir, '.git'), { recursive: true });
  head(join(dir, '.git', 'HEAD'));
}

before(async () => {
  mkdirSync(sessionsDir, { recursive: true });
  // A plain repository: its branch is shown, whatever else is planted around it.
  await plantSession('normal', 'main', (dir) => {
    gitDirWithHead(dir, (head) => writeFileSync(head, 'ref: refs/heads/main\n'));
    return join(dir, 'src');
  });
  await plantSession('fifo-head', '', (dir) => {
    gitDirWithHead(dir, mkfifo);
    return dir;
  });
  await plantSession('zero-head', '', (dir) => {
    gitDirWithHead(dir, (head) => symlinkSync('/dev/zero', head));
    return dir;
  });
  await plantSession('sparse-dot-git', '', (dir) => {
    writeFileSync(join(dir, '.git'), 'gitdir: /nowhere\n');
    truncateSync(join(dir, '.git'), 1024 ** 3);
    return dir;
  });
  await plantSession('escape-branch', '', (dir) => {
    gitDirWithHead(dir, (head) => writeFileSync(head, 'ref: refs/heads/main\x1b]0;owned\x07\x1b[2J\n'));
    return dir;
  });
  if (asRoot) {
    // Another user's `.git` in a shared folder above non-repository sessions (as /tmp/.git), with a
    // FIFO for HEAD; and above it a repository of the session owner, which the walk must not reach.
    await plantSession('shared-tmp', '', (dir) => {
      gitDirWithHead(dir, (head) => writeFileSync(head, 'ref: refs/heads/owner\n'));
      const shared = join(dir, 'tmp');
      gitDirWithHead(shared, mkfifo);
      chownSync(join(shared, '.git', 'HEAD'), NOBODY, NOBODY);
      chownSync(join(shared, '.git'), NOBODY, NOBODY);
      return join(shared, 'scratch');
    });
    // A faked linked worktree: the session owner's `.git` file names another user's git dir.
    await plantSession('foreign-worktree', '', (dir) => {
      const gitDir = join(dir, 'theirs', '.git', 'worktrees', 'wt');
      mkdirSync(gitDir, { recursive: true });
      writeFileSync(join(gitDir, 'HEAD'), 'ref: refs/heads/attacker-chosen\n');
      chownSync(join(gitDir, 'HEAD'), NOBODY, NOBODY);
      chownSync(gitDir, NOBODY, NOBODY);
      const worktree = join(dir, 'wt');
      mkdirSync(worktree);
      writeFileSync(join(worktree, '.git'), `gitdir: ${gitDir}\n`);
      return worktree;
    });
  }
  // Junk in Claude's own folders. A FIFO in place of a session's `<pid>.json`; its project folder
  // holds only a FIFO `*.jsonl`, which the scan then takes for the session's transcript.
  const fifoFile = await plantSession('fifo-sessions-file', '', (dir) => dir, 'none');
  mkfifo(join(sessionsDir, `${fifoFile.fake.pid}.json`));
  const fifoProject = join(claudeDir, 'projects', encodePath(fifoFile.fake.cwd));
  mkdirSync(fifoProject, { recursive: true });
  mkfifo(join(fifoProject, `${randomUUID()}.jsonl`));
  // `<pid>.json` linked to /dev/zero; the session's real transcript is still read.
  const zeroFile = await plantSession('zero-sessions-file', '', (dir) => dir, 'none');
  symlinkSync('/dev/zero', join(sessionsDir, `${zeroFile.fake.pid}.json`));
  const transcriptId = randomUUID();
  const answered = new Date(Date.now() - 60_000);
  new TranscriptBuilder(join(claudeDir, 'projects', encodePath(zeroFile.fake.cwd), `${transcriptId}.jsonl`), transcriptId, zeroFile.fake.cwd, '')
    .prompt('tidy the README', new Date(answered.getTime() - 1000))
    .assistantText('Tidied.', answered)
    .turnDuration(answered);
  // A FIFO named as a live session's transcript, and a FIFO sessions file of no running process.
  const withFifoTranscript = await plantSession('fifo-transcript', '', (dir) => dir, 'none');
  const fifoTranscriptId = randomUUID();
  writeSessionFile(claudeDir, withFifoTranscript.fake.pid, { sessionId: fifoTranscriptId, cwd: withFifoTranscript.fake.cwd, status: 'idle' });
  const ownProject = join(claudeDir, 'projects', encodePath(withFifoTranscript.fake.cwd));
  mkdirSync(ownProject, { recursive: true });
  mkfifo(join(ownProject, `${fifoTranscriptId}.jsonl`));
  mkfifo(join(sessionsDir, '4194000.json'));
});

after(async () => {
  await Promise.all(planted.map((s) => s.fake.stop('SIGKILL')));
});

interface Listed {
  readonly pid: number;
  readonly git_branch: string;
  readonly state: string;
  readonly preview: string;
  readonly worktree?: string;
}

/** Our sessions' rows (the machine may run other sessions meanwhile), checked field by field and as raw JSON. */
function checkListing(listed: readonly Listed[]): void {
  const ours = listed.filter((r) => planted.some((s) => s.fake.pid === r.pid));
  for (const session of planted) {
    const row = listed.find((r) => r.pid === session.fake.pid);
    assert.ok(row, `${session.name} (pid ${session.fake.pid}) is listed`);
    assert.equal(row.git_branch, session.branch, `${session.name} shows branch ${JSON.stringify(session.branch)}`);
    assert.equal(row.worktree, undefined, `${session.name} is in no linked worktree`);
  }
  const zero = listed.find((r) => r.pid === planted.find((s) => s.name === 'zero-sessions-file')?.fake.pid);
  assert.equal(zero?.state, 'needs_input', 'a real transcript beside the junk is still read');
  assert.equal(zero?.preview, 'Tidied.');
  assert.doesNotMatch(JSON.stringify(ours), /\\u001b|\x1b|owner|attacker-chosen/, 'nothing the attacker chose reaches the listing');
}

describe('files planted where vmux reads', { timeout: 120_000 }, () => {
  it('vmux list --json, scanning by itself, answers promptly with every session and no planted branch', async (t) => {
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: root, CLAUDE_CONFIG_DIR: claudeDir, VMUX_HOME: join(root, 'no-daemon') };
    const started = Date.now();
    // In a child with a deadline: a read that blocks fails here instead of freezing the suite.
    const run = await runVmux(['list', '--json'], env, 20_000);
    const ms = Date.now() - started;
    assert.equal(run.code, 0, `vmux list exits 0 (after ${ms} ms): ${run.stderr.slice(0, 2000)}`);
    assert.ok(ms < PROMPT_MS, `vmux list took ${ms} ms`);
    checkListing(JSON.parse(run.stdout) as Listed[]);
    t.diagnostic(`${planted.length} sessions listed in ${ms} ms${asRoot ? '' : '; not root: no files of another user planted'}`);
  });

  it('vmuxd scans through the same files, serves the list promptly and keeps serving it', async (t) => {
    let daemon: VmuxdProcess | undefined;
    try {
      const started = Date.now();
      // The first scan runs before vmuxd listens: a blocked read would leave it never ready.
      daemon = await startVmuxd({ home: join(root, 'home'), claudeDir, userHome: root, pollSeconds: 0.5, readyTimeoutMs: 20_000 });
      const first = await daemon.request({ action: 'list' }, PROMPT_MS);
      const ms = Date.now() - started;
      assert.equal(first['ok'], true);
      checkListing(first['sessions'] as Listed[]);
      // A few polls later (each rescans everything planted), it still answers at once.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const asked = Date.now();
      const later = await daemon.request({ action: 'list' }, PROMPT_MS);
      assert.equal(later['ok'], true);
      checkListing(later['sessions'] as Listed[]);
      assert.ok(daemon.isAlive(), 'vmuxd is still running');
      t.diagnostic(`vmuxd ready and listing in ${ms} ms; a list after several rescans took ${Date.now() - asked} ms`);
    } finally {
      await daemon?.kill('SIGKILL');
    }
  });
});
