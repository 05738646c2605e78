import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { capturedIo, type CapturedIo } from '../../test/support/captured-io.js';
import { writeSessionFile } from '../../test/support/fake-claude.js';
import { fixtureClaude, type WmHarness, type WmTerminal } from '../../test/support/i3-xvfb.js';
import { outsideTheDesktop, withRealWm } from '../../test/support/require-wm.js';
import { runVmux } from '../../test/support/run-vmux.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { TranscriptBuilder } from '../../test/support/transcript-builder.js';
import { Daemon } from '../daemon/daemon.js';
import { silentLogger } from '../daemon/logger.js';
import { vmuxHomeFrom } from '../home/vmux-home.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { encodePath } from '../sessions/encode-path.js';
import { runCli } from './run-cli.js';

/**
 * `vmux switch` when one terminal process shows many windows (foot --server with footclient; kitty
 * and gnome-terminal do the same): every window of the server carries the server's PID, so the
 * PID cannot tell them apart. Claude Code writes the session's title into its terminal's title
 * (with a spinner or ✳ in front), so vmux takes the window whose title contains the session's
 * title: the newest `custom-title` (/rename) of its transcript, else the newest `ai-title`. When no
 * window, or more than one, shows it, vmux still does not guess. Real headless sway, real foot.
 */

const root = tempDir('vmux-switch-server-');

function captured(env: Record<string, string>): CapturedIo {
  // A home of its own: no daemon, no labels of the machine's user.
  return capturedIo({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', VMUX_HOME: join(root, 'vmux-home'), ...env });
}

/** A title record as Claude Code appends it to a transcript (no uuid, not part of the chain). */
type TitleRecord = { readonly type: 'ai-title'; readonly aiTitle: string } | { readonly type: 'custom-title'; readonly customTitle: string };

interface SessionWindow {
  /** Folder name of the session's cwd (each its own, so their transcript folders differ). */
  readonly project: string;
  readonly workspace: string;
  /** What the terminal's title bar shows, as Claude Code sets it. */
  readonly windowTitle: string;
  /** Title records of the transcript, oldest first, among ordinary records. */
  readonly titles: readonly TitleRecord[];
}

interface OpenSession extends WmTerminal {
  readonly transcript: string;
  readonly sessionId: string;
}

/**
 * A fixture `claude` in a window of the harness's one foot server, waiting on a permission prompt,
 * with its sessions file and a transcript at `<claudeDir>/projects/<encodePath(cwd)>/<id>.jsonl`.
 */
async function openSessionWindow(fixture: Fixture, index: number, spec: SessionWindow): Promise<OpenSession> {
  const { harness, claudeDir } = fixture;
  const cwd = join(harness.dir, 'projects', spec.project);
  mkdirSync(cwd, { recursive: true, mode: 0o755 });
  const terminal = await harness.openTerminal({
    workspace: spec.workspace,
    command: [fixture.claude, String(600 + index)],
    title: spec.windowTitle,
    cwd,
    server: 'foot',
  });
  const sessionId = `5e55${String(index).padStart(4, '0')}-0000-4000-8000-000000000000`;
  writeSessionFile(claudeDir, terminal.commandPid, { sessionId, cwd, status: 'waiting', waitingFor: 'permission prompt' });
  const transcript = join(claudeDir, 'projects', encodePath(cwd), `${sessionId}.jsonl`);
  const at = (minutesAgo: number): Date => new Date(Date.now() - minutesAgo * 60_000);
  const [firstTitle, ...laterTitles] = spec.titles;
  const builder = new TranscriptBuilder(transcript, sessionId, cwd).prompt(`Please look at ${spec.project}`, at(20));
  if (firstTitle !== undefined) appendTitle(transcript, sessionId, firstTitle);
  builder.assistantText('Here is what I found.', at(19)).turnDuration(at(19)).prompt('Now run the tests', at(5));
  for (const title of laterTitles) appendTitle(transcript, sessionId, title);
  // The permission prompt: a tool call with no result yet.
  builder.toolUse('Bash', { command: 'npm test' }, at(1));
  return { ...terminal, transcript, sessionId };
}

function appendTitle(transcript: string, sessionId: string, record: TitleRecord): void {
  appendFileSync(transcript, `${JSON.stringify({ ...record, sessionId })}\n`);
}

/**
 * Sessions A (workspace 1) and B (workspace 2) with titles their windows show. A was renamed
 * (/rename) to what its window shows; its `ai-title` records, before and after the rename, name
 * topics no window shows. B's older `ai-title` no window shows; its newest one is.
 */
async function twoTitledSessions(fixture: Fixture): Promise<{ login: OpenSession; notes: OpenSession }> {
  const login = await openSessionWindow(fixture, 1, {
    project: 'login-page',
    workspace: '1',
    windowTitle: '✳ Fix the login page',
    titles: [
      { type: 'ai-title', aiTitle: 'Investigate failing auth tests' },
      { type: 'custom-title', customTitle: 'Fix the login page' },
      { type: 'ai-title', aiTitle: 'Update the auth middleware' },
    ],
  });
  const notes = await openSessionWindow(fixture, 2, {
    project: 'release-notes',
    workspace: '2',
    windowTitle: '✳ Write the release notes',
    titles: [
      { type: 'ai-title', aiTitle: 'Draft a changelog' },
      { type: 'ai-title', aiTitle: 'Write the release notes' },
    ],
  });
  // The premise: sway shows one PID, the foot server's, on both windows.
  assert.equal(login.pid, notes.pid, 'both windows belong to one foot server');
  assert.notEqual(login.conId, notes.conId);
  return { login, notes };
}

interface Fixture {
  readonly harness: WmHarness;
  /** The Claude config folder vmux reads (`CLAUDE_CONFIG_DIR`). */
  readonly claudeDir: string;
  /** The fixture `claude` every window runs. */
  readonly claude: string;
  /** What vmux runs with: the WM's variables and the Claude folder. */
  readonly env: Record<string, string>;
}

async function withSway(t: TestContext, test: (fixture: Fixture) => Promise<void>): Promise<void> {
  await withRealWm(t, 'sway', async (harness) => {
    const claudeDir = join(harness.dir, 'claude');
    await test({ harness, claudeDir, claude: fixtureClaude(harness), env: { ...harness.env, CLAUDE_CONFIG_DIR: claudeDir } });
  });
}

describe('vmux switch to a window of a terminal server (headless sway, foot --server)', () => {
  it('focuses the window whose title shows the session title: the newest /rename, else the newest ai-title', async (t) => {
    await withSway(t, async (fixture) => {
      const { harness, env } = fixture;
      const { login, notes } = await twoTitledSessions(fixture);
      // Focus starts elsewhere each time: on the window opened last, then on the one just switched to.
      assert.deepEqual(await harness.command(`[con_id=${login.conId}] focus`), [{ success: true }]);
      for (const target of [notes, login]) {
        assert.notEqual(await harness.focusedConId(), target.conId);
        const io = captured(env);
        assert.equal(await runCli(['switch', String(target.commandPid)], io), 0, io.err());
        assert.match(io.out(), new RegExp(`workspace ${target.workspace}`));
        assert.equal(await harness.focusedConId(), target.conId, `the window titled "${target.title}" has the focus`);
      }
    });
  });

  it('a session whose title no window shows, or more than one: exit 2, its windows listed, nothing focused', async (t) => {
    await withSway(t, async (fixture) => {
      const { harness, env } = fixture;
      const { login, notes } = await twoTitledSessions(fixture);
      // A third window of the same server, whose session has no title yet.
      const untitled = await openSessionWindow(fixture, 3, {
        project: 'notes-review',
        workspace: '3',
        windowTitle: '✳ Check the release notes',
        titles: [],
      });
      assert.equal(untitled.pid, login.pid, 'a third window of the same foot server');
      const refuses = async (why: string): Promise<void> => {
        const before = await harness.focusedConId();
        const io = captured(env);
        assert.equal(await runCli(['switch', String(untitled.commandPid)], io), 2, `${why}: exit 2 (stderr: ${io.err()})`);
        assert.match(io.err(), /the session's terminal has 3 windows/, why);
        for (const shown of [login, notes, untitled]) assert.ok(io.err().includes(shown.title), `${why}: "${shown.title}" is listed`);
        assert.equal(io.out(), '');
        assert.equal(await harness.focusedConId(), before, `${why}: focus unchanged`);
      };
      assert.deepEqual(await harness.command(`[con_id=${login.conId}] focus`), [{ success: true }]);
      await refuses('no title record');
      // Renamed to words that its own window and the release notes window both show: still no guess.
      appendTitle(untitled.transcript, untitled.sessionId, { type: 'custom-title', customTitle: 'release notes' });
      await refuses('a title two windows contain');
      appendTitle(untitled.transcript, untitled.sessionId, { type: 'custom-title', customTitle: 'Refactor the parser' });
      await refuses('a title no window shows');

      // The titled sessions are still told apart.
      const io = captured(env);
      assert.equal(await runCli(['switch', String(notes.commandPid)], io), 0, io.err());
      assert.equal(await harness.focusedConId(), notes.conId);
    });
  });

  it('vmux list --json lists every session, with the workspace of each window its title picks', async (t) => {
    await withSway(t, async (fixture) => {
      const { login, notes } = await twoTitledSessions(fixture);
      const untitled = await openSessionWindow(fixture, 3, { project: 'notes-app', workspace: '3', windowTitle: '✳ Claude Code', titles: [] });
      const io = captured(fixture.env);
      assert.equal(await runCli(['list', '--json'], io), 0, io.err());
      const sessions = JSON.parse(io.out()) as SessionInfo[];
      const listed = (terminal: OpenSession): SessionInfo | undefined => sessions.find((s) => s.pid === terminal.commandPid);
      for (const terminal of [login, notes, untitled]) assert.equal(listed(terminal)?.session_id, terminal.sessionId, `pid ${terminal.commandPid} listed`);
      assert.equal(listed(login)?.workspace, '1');
      assert.equal(listed(notes)?.workspace, '2');
      // The untitled session's window cannot be told: its workspace may be empty; nothing asserted.
    });
  });

  it('through vmuxd started outside the desktop: the bundled vmux switches by title, and lists where each titled window is', async (t) => {
    await withSway(t, async (fixture) => {
      const { harness, env, claudeDir } = fixture;
      const { login, notes } = await twoTitledSessions(fixture);
      const home = vmuxHomeFrom({ VMUX_HOME: join(harness.dir, 'vmux-home') });
      const daemon = await Daemon.start({ home, env: outsideTheDesktop(harness, { CLAUDE_CONFIG_DIR: claudeDir }), pollMs: 60_000, logger: silentLogger, version: 'test' });
      try {
        const withDaemon = { ...env, PATH: process.env['PATH'] ?? '/usr/bin:/bin', VMUX_HOME: home.dir };
        const workspaces = async (): Promise<Array<string | undefined>> => {
          const listed = await runVmux(['list', '--json'], withDaemon);
          assert.equal(listed.code, 0, listed.stderr);
          const sessions = JSON.parse(listed.stdout) as SessionInfo[];
          return [login, notes].map((w) => sessions.find((s) => s.pid === w.commandPid)?.workspace);
        };
        // The first listing from the desktop waits for sway at most 500 ms (daemon-window-events.test.ts
        // proves that bound); on a loaded machine sway answers later, and a listing after that has them.
        let shown = await workspaces();
        const deadline = Date.now() + 5_000;
        while (shown.join() !== '1,2' && Date.now() < deadline) shown = await workspaces();
        assert.deepEqual(shown, ['1', '2']);
        for (const target of [notes, login]) {
          const run = await runVmux(['switch', String(target.commandPid)], withDaemon);
          assert.equal(run.code, 0, run.stderr);
          assert.equal(await harness.focusedConId(), target.conId);
        }
      } finally {
        await daemon.stop('test over');
      }
    });
  });
});
