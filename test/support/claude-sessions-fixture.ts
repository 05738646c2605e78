import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import type { DiscoveryContext } from '../../src/sessions/discovery-context.js';
import { encodePath } from '../../src/sessions/encode-path.js';
import { startFakeClaude, type FakeClaude, type FakeClaudeShape } from './fake-claude.js';
import { tempDir } from './temp-dir.js';
import { TranscriptBuilder } from './transcript-builder.js';

/**
 * A Claude folder of a test file's own, the fixture clients running beside it, and their
 * transcripts where Claude Code puts them: what a discovery test scans. Every client is killed
 * when the test file ends.
 */
export interface ClaudeSessionsFixture {
  readonly root: string;
  /** `<root>/claude`, the `CLAUDE_CONFIG_DIR` of the scan. */
  readonly claudeDir: string;
  /** A scan of the real /proc and this Claude folder, now, idle after ten minutes. */
  context(): DiscoveryContext;
  /** A fixture client started in `<root>/<name>`; its executable is written there too unless `binDir` says where. */
  session(name: string, options?: { readonly args?: readonly string[]; readonly binDir?: string; readonly shape?: FakeClaudeShape }): Promise<FakeClaude>;
  /** The transcript of `sessionId` in the client's project folder (the file's branch: the fixture's, unless given). */
  transcript(proc: FakeClaude, sessionId: string, gitBranch?: string): TranscriptBuilder;
}

export function claudeSessionsFixture(options: { readonly prefix?: string; readonly gitBranch?: string } = {}): ClaudeSessionsFixture {
  const root = tempDir(options.prefix);
  const claudeDir = join(root, 'claude');
  const started: FakeClaude[] = [];
  after(async () => Promise.all(started.map((p) => p.stop('SIGKILL'))));
  return {
    root,
    claudeDir,
    context: () => ({ procRoot: '/proc', claudeDir, idleThresholdMs: 10 * 60_000, now: () => new Date() }),
    async session(name, { args = [], binDir, shape } = {}) {
      const cwd = join(root, name);
      mkdirSync(cwd, { recursive: true });
      if (binDir !== undefined) mkdirSync(binDir, { recursive: true });
      const proc = await startFakeClaude({ cwd, binDir: binDir ?? cwd, args, ...(shape ? { shape } : {}) });
      started.push(proc);
      return proc;
    },
    transcript: (proc, sessionId, gitBranch = options.gitBranch) =>
      new TranscriptBuilder(join(claudeDir, 'projects', encodePath(proc.cwd), `${sessionId}.jsonl`), sessionId, proc.cwd, gitBranch),
  };
}
