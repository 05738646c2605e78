import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { CLIENTS, clientInTmuxOrSkip, clientOrSkip, REFERENCE_VERSION } from '../support/claude-clients.js';
import { claudeVersion, pollUntil, removeScratch, type ClaudeInTmux, type ClaudeInTmuxOptions } from '../support/claude-in-tmux.js';
import { ASK_QUESTION, PLAN_APPROVAL } from '../support/fake-anthropic-api.js';
import { findDescendant } from '../support/process-tree.js';
import { INSTALL_TIMEOUT_MS, installBeforeScenarios, realClientHarness, scratchFolder } from '../support/real-client-harness.js';

/**
 * End-to-end: the real Claude Code client runs in tmux against a fake API, and `vmux list --json`
 * must report it. The reference client (the newest release, 2.1.332) runs every scenario; the
 * older native build 2.1.197 and the Node build 2.1.100 run the cheap ones as a compatibility
 * matrix, plus what only the Node build does. Clients are installed on demand (claude-clients.ts);
 * without npm the scenarios skip, unless VMUX_REQUIRE_CLIENTS=1. Each scenario only looks at the
 * PIDs it started (other sessions may run on the machine) and waits on the list with a deadline.
 */

const LIST_TIMEOUT_MS = 20_000;
const SCENARIO_TIMEOUT_MS = 120_000;

const { startClient, waitForList, waitForSession, diagnosed } = realClientHarness({ listTimeoutMs: LIST_TIMEOUT_MS, listIntervalMs: 250 });

for (const { version, build } of CLIENTS) {
  const reference = version === REFERENCE_VERSION;
  /**
   * 2.1.332 runs in auto mode unless told otherwise: it asks for permission only in default mode.
   * The native 2.1.197 is told too: in one full-suite run it ran the command without asking.
   */
  const asking: Partial<ClaudeInTmuxOptions> = build === 'native' ? { args: ['--permission-mode', 'default'] } : {};

  // Two clients at a time per version: CI has two cores, and other test files run beside.
  describe(`vmux list with the real Claude Code ${version} (${build})`, { concurrency: 2 }, () => {
    installBeforeScenarios(version);

    it(`installs Claude Code ${version} on demand and runs it`, { timeout: INSTALL_TIMEOUT_MS }, async (t) => {
      const client = await clientOrSkip(t, version);
      if (!client) return;
      assert.equal(claudeVersion(client), version);
    });

    it('(a) a fresh session with no prompt is idle', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
      await withClaude(t, version, {}, async (c) => {
        const file = await c.waitForSessionFile((f) => f.sessionId !== undefined, 'the client to write sessions/<pid>.json');
        assert.ok(file.sessionId);
        assert.deepEqual(c.transcripts(), [], 'no transcript before the first prompt');
        const info = await waitForSession(c, (s) => s.state === 'idle', 'state idle');
        assert.equal(info.session_id, file.sessionId);
        assert.equal(info.cwd, c.cwd);
        assert.equal(info.waiting_since, undefined);
        // Outside git the client records branch "HEAD"; vmux shows no branch.
        assert.equal(info.git_branch, '');
      });
    });

    it('(b) an answered prompt needs input, with waiting_since', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
      await withClaude(t, version, {}, async (c) => {
        const sent = Date.now();
        await c.send('hello from scenario b');
        await c.waitForScreen('Answer: hello from scenario b');
        const info = await waitForSession(c, (s) => s.state === 'needs_input', 'state needs_input');
        assert.equal(info.session_id, c.sessionFile()?.sessionId);
        assert.equal(info.cwd, c.cwd);
        assert.ok(info.waiting_since, 'waiting_since is set');
        const since = Date.parse(info.waiting_since);
        assert.ok(Number.isFinite(since), `waiting_since parses: ${info.waiting_since}`);
        assert.ok(since >= sent - 5_000 && since <= Date.now() + 5_000, `waiting_since ${info.waiting_since} is about now`);
        assert.match(info.preview, /Answer: hello from scenario b/);
      });
    });

    // The Node build writes no status: its prompt is told from a running command by the command's
    // shell, which it starts only once the call is allowed.
    it('(c) a Bash permission prompt needs input, reason says permission', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
      await withClaude(t, version, asking, async (c) => {
        // Not `touch`: 2.1.197 now and then ran `touch <new file>` in the project without asking.
        await c.send('please RUN_BASH git init -q scenario-c-repo');
        await c.waitForScreen('Do you want to proceed?');
        const info = await waitForSession(
          c,
          // The client may show the prompt before it writes the tool call to the transcript: the
          // tool's name and command follow within a moment.
          (s) => s.state === 'needs_input' && /permission/i.test(s.reason) && /Bash/.test(s.reason) && /Bash: git init/.test(s.preview),
          'needs_input, reason "waiting for permission: Bash", preview of the command',
        );
        assert.equal(info.session_id, c.sessionFile()?.sessionId);
        assert.match(info.preview, /Bash: git init -q scenario-c-repo/);
        assert.ok(!existsSync(join(c.cwd, 'scenario-c-repo')), 'the command did not run');
      });
    });

    // 2.1.332 refuses a Bash command that starts with `sleep 25` or longer unless it runs in the background.
    it('(d) a running pre-allowed `sleep 20` is working', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
      await withClaude(t, version, { allow: ['Bash(sleep:*)'] }, async (c) => {
        await c.send('RUN_BASH sleep 20');
        await pollUntil(() => hasDescendant(c.pid, 'sleep'), 'the sleep to run under the client', LIST_TIMEOUT_MS);
        // The client reports itself busy at once; the tool call reaches the transcript a moment later.
        const info = await waitForSession(c, (s) => s.state === 'working' && /Bash: sleep 20/.test(s.preview), 'working, preview of the sleep');
        assert.equal(info.session_id, c.sessionFile()?.sessionId);
        assert.ok(hasDescendant(c.pid, 'sleep'), 'still sleeping when vmux said working');
      });
    });

    it('(n) /exit, then --continue in the same folder: the continued conversation is listed', { timeout: 2 * SCENARIO_TIMEOUT_MS }, async (t) => {
      const root = scratch();
      try {
        await withClaude(t, version, { root }, async (c) => {
          await c.send('before the exit');
          await c.waitForScreen('Answer: before the exit');
          await c.send('/exit');
          await c.waitForExit(20_000);
          await waitForList(c.env, [c.pid], (list) => list.length === 0, `pid ${c.pid} gone after /exit`);
        });
        await withClaude(t, version, { root, args: ['--continue'] }, async (c) => {
          assert.equal(c.transcripts().length, 1, 'one transcript, continued');
          const id = basename(c.transcripts()[0] ?? '', '.jsonl');
          await c.send('after the continue');
          await c.waitForScreen('Answer: after the continue');
          const info = await waitForSession(c, (s) => s.state === 'needs_input' && /after the continue/.test(s.preview), 'needs_input, the new answer');
          assert.equal(info.session_id, id, 'the continued session id');
        });
      } finally {
        removeScratch(root);
      }
    });

    if (build === 'node') {
      it('(j) the Node build: comm `claude`, a sessions file without status, an answered prompt needs input', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
        await withClaude(t, version, {}, async (c) => {
          assert.equal(readFileSync(`/proc/${c.pid}/comm`, 'utf8').trim(), 'claude');
          // Its sessions file has the id but no procStart and no status.
          const file = await c.waitForSessionFile((f) => f.sessionId !== undefined, 'the sessions file');
          const fresh = await waitForSession(c, (s) => s.state === 'idle', 'the fresh session');
          assert.equal(fresh.session_id, file.sessionId);
          await c.send('hello old node build');
          await c.waitForScreen('Answer: hello old node build');
          await pollUntil(() => c.transcripts().length === 1, 'the transcript', LIST_TIMEOUT_MS);
          const transcriptId = basename(c.transcripts()[0] ?? '', '.jsonl');
          const info = await waitForSession(c, (s) => s.state === 'needs_input', 'state needs_input');
          assert.equal(info.session_id, transcriptId);
          assert.equal(info.cwd, c.cwd);
          assert.ok(info.waiting_since, 'waiting_since is set');
        });
      });

      it('(m) the Node build after /clear: its stale sessions file does not win', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
        await withClaude(t, version, {}, async (c) => {
          await c.send('old build before the clear');
          await c.waitForScreen('Answer: old build before the clear');
          const staleId = (await c.waitForSessionFile((f) => f.sessionId !== undefined, 'the sessions file')).sessionId;
          await waitForSession(c, (s) => s.session_id === staleId && s.state === 'needs_input', 'the first conversation');
          await c.send('/clear');
          // The screen is wiped once the command has run; only then is the next line a new prompt.
          await pollUntil(async () => !(await c.screen()).includes('old build before the clear'), 'the screen to clear', LIST_TIMEOUT_MS);
          await c.send('old build after the clear');
          await c.waitForScreen('Answer: old build after the clear');
          await pollUntil(() => c.transcripts().length >= 2, 'a second transcript', LIST_TIMEOUT_MS);
          const info = await waitForSession(c, (s) => s.session_id !== staleId && s.state === 'needs_input', 'the new conversation');
          assert.equal(c.sessionFile()?.sessionId, staleId, 'this version does not rewrite its sessions file on /clear');
          assert.ok(c.transcripts().some((t) => basename(t) === `${info.session_id}.jsonl`));
          assert.match(info.preview, /Answer: old build after the clear/);
        });
      });
    }

    // The rest of the scenarios run on the reference client only.
    if (!reference) return;

    it('(e) two sessions in one folder get their own session ids', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
      const root = scratch();
      try {
        const shared = { root, home: join(root, 'home'), cwd: join(root, 'project') };
        await withClaude(t, version, shared, async (first) => {
          await first.send('first of two sessions');
          await first.waitForScreen('Answer: first of two sessions');
          await withClaude(t, version, shared, async (second) => {
            await second.send('second of two sessions');
            await second.waitForScreen('Answer: second of two sessions');
            const idFirst = first.sessionFile()?.sessionId;
            const idSecond = second.sessionFile()?.sessionId;
            assert.ok(idFirst && idSecond && idFirst !== idSecond);
            await pollUntil(() => first.transcripts().length >= 2, 'both transcripts', LIST_TIMEOUT_MS);
            const both = await waitForList(
              first.env,
              [first.pid, second.pid],
              (list) =>
                list.length === 2 &&
                list.find((s) => s.pid === first.pid)?.session_id === idFirst &&
                list.find((s) => s.pid === second.pid)?.session_id === idSecond &&
                list.every((s) => s.state === 'needs_input'),
              `two entries: ${first.pid} → ${idFirst}, ${second.pid} → ${idSecond}, both needs_input`,
            );
            assert.notEqual(both[0]?.session_id, both[1]?.session_id);
          });
        });
      } finally {
        removeScratch(root);
      }
    });

    it('(f) /clear moves the process to a new session id, still one session', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
      await withClaude(t, version, {}, async (c) => {
        await c.send('before the clear');
        await c.waitForScreen('Answer: before the clear');
        const oldId = c.sessionFile()?.sessionId;
        assert.ok(oldId);
        await waitForSession(c, (s) => s.session_id === oldId && s.state === 'needs_input', 'the first session');
        await c.send('/clear');
        const cleared = await c.waitForSessionFile((f) => f.sessionId !== oldId, 'a new sessionId after /clear');
        const newId = cleared.sessionId;
        assert.ok(newId);
        await waitForSession(c, (s) => s.session_id === newId, `session id ${newId} after /clear`);
        await c.send('after the clear');
        await c.waitForScreen('Answer: after the clear');
        const info = await waitForSession(
          c,
          (s) => s.session_id === newId && s.state === 'needs_input',
          'needs_input in the new session',
        );
        assert.match(info.preview, /Answer: after the clear/);
      });
    });

    it('(g) a client killed with SIGKILL leaves the list, its sessions file stays', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
      await withClaude(t, version, {}, async (c) => {
        await c.send('about to be killed');
        await c.waitForScreen('Answer: about to be killed');
        await waitForSession(c, (s) => s.state === 'needs_input', 'the session before the kill');
        const sessionFile = join(c.claudeDir, 'sessions', `${c.pid}.json`);
        c.signal('SIGKILL');
        await c.waitForExit();
        assert.ok(existsSync(sessionFile), 'kill -9 leaves sessions/<pid>.json behind');
        await waitForList(c.env, [c.pid], (list) => list.length === 0, `pid ${c.pid} gone from the list`);
      });
    });

    it('(h) a client started from a versions folder (comm is the version)', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
      await withClaude(t, version, { launch: 'versions' }, async (c) => {
        assert.equal(readFileSync(`/proc/${c.pid}/comm`, 'utf8').trim(), version);
        assert.equal(readlinkSync(`/proc/${c.pid}/exe`), c.executable);
        const fresh = await waitForSession(c, (s) => s.state === 'idle', 'the fresh session');
        assert.equal(fresh.session_id, c.sessionFile()?.sessionId);
        await c.send('from the versions folder');
        await c.waitForScreen('Answer: from the versions folder');
        const info = await waitForSession(c, (s) => s.state === 'needs_input', 'state needs_input');
        assert.equal(info.session_id, c.sessionFile()?.sessionId);
      });
    });

    it('(i) CLAUDE_CONFIG_DIR moves every file, vmux follows it', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
      const root = scratch();
      try {
        const configDir = join(root, 'config');
        mkdirSync(configDir);
        await withClaude(t, version, { root, configDir }, async (c) => {
          assert.equal(c.claudeDir, configDir);
          assert.ok(existsSync(join(configDir, 'sessions', `${c.pid}.json`)));
          await c.send('with a config dir');
          await c.waitForScreen('Answer: with a config dir');
          const info = await waitForSession(c, (s) => s.state === 'needs_input', 'state needs_input');
          assert.equal(info.session_id, c.sessionFile()?.sessionId);
          assert.ok(
            c.transcripts().some((t) => basename(t) === `${info.session_id}.jsonl`),
            'the transcript is under CLAUDE_CONFIG_DIR/projects',
          );
          assert.ok(!existsSync(join(c.home, '.claude', 'projects')), 'nothing under ~/.claude/projects');
        });
      } finally {
        removeScratch(root);
      }
    });

    it('(k) a cwd longer than 200 characters (hashed project folder)', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
      const root = scratch();
      try {
        const cwd = join(root, 'a-rather-long-folder-name-0123456789'.repeat(4), 'and more.segments_here'.repeat(3));
        await withClaude(t, version, { root, cwd }, async (c) => {
          await c.send('hello long folder');
          await c.waitForScreen('Answer: hello long folder');
          await pollUntil(() => c.transcripts().length === 1, 'the transcript', LIST_TIMEOUT_MS);
          const folder = basename(join(c.transcripts()[0] ?? '', '..'));
          assert.ok(folder.length > 200, `hashed folder name ${folder}`);
          const info = await waitForSession(c, (s) => s.state === 'needs_input', 'state needs_input');
          assert.equal(info.session_id, c.sessionFile()?.sessionId);
          assert.equal(info.cwd, cwd);
        });
      } finally {
        removeScratch(root);
      }
    });

    it('(l) a session in a git repository reports its branch', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
      const root = scratch();
      try {
        const cwd = join(root, 'repo');
        mkdirSync(cwd);
        await run('git', ['init', '-q', '-b', 'feature-x', cwd]);
        await withClaude(t, version, { root, cwd }, async (c) => {
          await c.send('hello git repo');
          await c.waitForScreen('Answer: hello git repo');
          const info = await waitForSession(c, (s) => s.state === 'needs_input', 'state needs_input');
          assert.equal(info.git_branch, 'feature-x');
        });
      } finally {
        removeScratch(root);
      }
    });

    // Dialogs of 2.1.332 (docs/claude-code-clients.md): the reason says what the screen asks.
    it('(o) AskUserQuestion needs input, the reason says it is a question', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
      await withClaude(t, version, {}, async (c) => {
        await c.send(`${ASK_QUESTION} please`);
        await c.waitForScreen('Which colour should the button be?');
        await c.waitForSessionFile((f) => f.status === 'waiting' && f.waitingFor === 'input needed', 'status waiting, input needed');
        await waitForSession(c, (s) => s.state === 'needs_input' && /question/i.test(s.reason), 'needs_input, reason: a question');
      });
    });

    it('(p) a plan waiting for approval needs input, the reason says plan', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
      await withClaude(t, version, { args: ['--permission-mode', 'plan'] }, async (c) => {
        await c.send(`${PLAN_APPROVAL} please`);
        await c.waitForScreen('Exit plan mode?');
        await waitForSession(c, (s) => s.state === 'needs_input' && /plan/i.test(s.reason) && !/permission/i.test(s.reason), 'needs_input, reason: the plan');
      });
    });

    it('(q) the trust dialog of a new folder needs input', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
      await withClaude(t, version, { trusted: false, waitReady: false }, async (c) => {
        await c.waitForScreen(/Yes, I trust this folder/, 'the trust dialog', 30_000);
        assert.equal(c.sessionFile(), undefined, 'no sessions/<pid>.json while the trust dialog waits');
        await waitForSession(c, (s) => s.state === 'needs_input' && s.reason === 'asks whether to trust this folder', 'needs_input, asks whether to trust this folder');
      });
    });
  });
}

/**
 * Runs `body` with a client of `version` started in tmux, stopped after; the test is skipped when
 * the client cannot be installed (see `clientOrSkip`).
 */
async function withClaude(
  t: TestContext,
  version: string,
  options: Partial<Omit<ClaudeInTmuxOptions, 'api' | 'client'>>,
  body: (claude: ClaudeInTmux) => Promise<void>,
): Promise<void> {
  const client = await clientInTmuxOrSkip(t, version);
  if (!client) return;
  const claude = await startClient(client, options);
  try {
    await body(claude);
  } catch (error) {
    throw await diagnosed(error, claude);
  } finally {
    await claude.stop();
  }
}

/** Whether a process named `comm` runs below `pid` (the tool's shell, then the command). */
function hasDescendant(pid: number, comm: string): boolean {
  return findDescendant(pid, comm) !== undefined;
}

function run(file: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: 15_000 }, (error) => (error ? reject(error) : resolve()));
  });
}

function scratch(): string {
  return scratchFolder('vmux-e2e-');
}
