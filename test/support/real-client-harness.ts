import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { SessionInfo } from '../../src/protocol/session-info.js';
import { ensureClient, type ClientBuild, type InstalledClient } from './claude-clients.js';
import { pollUntil, startClaudeInTmux, type ClaudeInTmux, type ClaudeInTmuxOptions } from './claude-in-tmux.js';
import { startFakeAnthropicApi, type FakeAnthropicApi } from './fake-anthropic-api.js';
import { runVmux } from './run-vmux.js';

/**
 * What the end-to-end tests with the real Claude Code clients share: the fake API the clients of a
 * test file talk to, their start, `vmux list --json` polled until it says what a scenario expects
 * of a client's PID (other sessions may run on the machine), and, when a scenario fails, what the
 * client's files, the last list and the screen showed.
 */

/** Installing a client from npm (once per machine: it is cached) on top of a scenario. */
export const INSTALL_TIMEOUT_MS = 10 * 60_000;

/** How long a client may take to show its input box: the Node build starts slower on a busy machine. */
const START_TIMEOUT_MS: Readonly<Record<ClientBuild, number>> = { native: 30_000, node: 60_000 };

/**
 * For the `describe` of one version: installs it before the scenarios, so that none spends its own
 * timeout on it; a failure here is reported by each scenario (skipped, or failed under
 * VMUX_REQUIRE_CLIENTS=1, by `clientOrSkip`).
 */
export function installBeforeScenarios(version: string): void {
  before(() => ensureClient(version).then(() => undefined, () => undefined), { timeout: INSTALL_TIMEOUT_MS });
}

/** A scratch folder for clients that share it (a real path, as /proc shows them); removed by the caller. */
export function scratchFolder(prefix: string): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

/** The environment of `vmux list` beside a client: its HOME and CLAUDE_CONFIG_DIR, and a vmux home with no daemon. */
export function listEnvOf(clientEnv: Readonly<Record<string, string>>): Record<string, string> {
  const home = clientEnv['HOME'] ?? tmpdir();
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', NO_COLOR: '1', VMUX_HOME: join(home, '.vmux'), ...clientEnv };
}

export interface RealClientHarnessOptions {
  /** How long a wait on `vmux list` may take. */
  readonly listTimeoutMs: number;
  /** How often `vmux list` runs meanwhile (each run is a Node process on a machine the clients keep busy). */
  readonly listIntervalMs: number;
}

export interface RealClientHarness {
  /** The fake API of this test file, started before its first test and closed after its last. */
  api(): FakeAnthropicApi;
  /** `client` started in tmux against the fake API. */
  startClient(client: InstalledClient, options: Partial<Omit<ClaudeInTmuxOptions, 'api' | 'client'>>): Promise<ClaudeInTmux>;
  /** Polls `vmux list --json` (with `listEnv`, by default a direct scan) until its entries for `pids` satisfy `condition`. */
  waitForList(
    clientEnv: Readonly<Record<string, string>>,
    pids: readonly number[],
    condition: (list: SessionInfo[]) => boolean,
    what: string,
    listEnv?: Readonly<Record<string, string>>,
  ): Promise<SessionInfo[]>;
  /** Waits until vmux lists exactly one entry for the client's PID that satisfies `condition`. */
  waitForSession(claude: ClaudeInTmux, condition: (info: SessionInfo) => boolean, what: string, listEnv?: Readonly<Record<string, string>>): Promise<SessionInfo>;
  /** The error of a failed scenario, told again with what the real files, vmux list and the screen showed (and `more`). */
  diagnosed(error: unknown, claude: ClaudeInTmux, more?: readonly string[]): Promise<Error>;
}

/** Registers the fake API's start and stop with the test file: call it once, at the top. */
export function realClientHarness(options: RealClientHarnessOptions): RealClientHarness {
  let api: FakeAnthropicApi | undefined;
  before(async () => {
    api = await startFakeAnthropicApi();
  });
  after(async () => {
    await api?.close();
  });
  const started = (): FakeAnthropicApi => {
    assert.ok(api, 'the fake API starts before the first test');
    return api;
  };

  /** The last list seen per PID, for the failure report. */
  const lastListOutput = new Map<number, string>();

  const waitForList: RealClientHarness['waitForList'] = async (clientEnv, pids, condition, what, listEnv = listEnvOf(clientEnv)) => {
    let list: SessionInfo[] = [];
    await pollUntil(
      async () => {
        list = await listSessions(listEnv, pids);
        for (const pid of pids) lastListOutput.set(pid, JSON.stringify(list.filter((s) => s.pid === pid)));
        return condition(list);
      },
      `vmux list: ${what}`,
      options.listTimeoutMs,
      () => `last vmux list (pids ${pids.join(', ')}): ${JSON.stringify(list, null, 1)}`,
      options.listIntervalMs,
    );
    return list;
  };

  return {
    api: started,
    startClient: (client, clientOptions) => startClaudeInTmux({ startTimeoutMs: START_TIMEOUT_MS[client.build], ...clientOptions, api: started(), client }),
    waitForList,
    async waitForSession(claude, condition, what, listEnv) {
      const list = await waitForList(claude.env, [claude.pid], (l) => l.length === 1 && l[0] !== undefined && condition(l[0]), `pid ${claude.pid}: ${what}`, listEnv);
      const info = list[0];
      assert.ok(info);
      return info;
    },
    async diagnosed(error, claude, more = []) {
      const report = await describeClient(claude, lastListOutput.get(claude.pid), more);
      return new Error(`${error instanceof Error ? error.message : String(error)}\n${report}`, { cause: error });
    },
  };
}

/** `vmux list --json` run with `env`, the entries of the given PIDs. */
async function listSessions(env: Readonly<Record<string, string>>, pids: readonly number[]): Promise<SessionInfo[]> {
  const run = await runVmux(['list', '--json'], env);
  if (run.code !== 0) throw new Error(`vmux list --json failed (exit ${run.code}):\n${run.stderr}`);
  const all = JSON.parse(run.stdout) as SessionInfo[];
  assert.ok(Array.isArray(all), 'vmux list --json prints an array');
  return all.filter((s) => pids.includes(s.pid));
}

/** What the real files and /proc showed when a scenario failed. */
async function describeClient(claude: ClaudeInTmux, lastList: string | undefined, more: readonly string[]): Promise<string> {
  const lines = [`--- pid ${claude.pid} (alive ${claude.alive()}), claudeDir ${claude.claudeDir}`];
  lines.push(`sessions/${claude.pid}.json: ${JSON.stringify(claude.sessionFile())}`);
  for (const transcript of claude.transcripts()) {
    const records = readFileSync(transcript, 'utf8').trim().split('\n');
    lines.push(`${transcript} (${records.length} records), last:`);
    for (const record of records.slice(-6)) lines.push(`  ${record.slice(0, 300)}`);
    // Who allowed a tool call, and in which mode: what a prompt that never showed comes down to.
    const decisions = records.flatMap((r) => r.match(/"permissionMode":"[^"]*"|"permissionDecision":\{[^}]*\}/g) ?? []);
    if (decisions.length > 0) lines.push(`  permission facts: ${[...new Set(decisions)].join(', ')}`);
  }
  lines.push(`last vmux list for pid ${claude.pid}: ${lastList ?? '(none)'}`, ...more);
  const screen = await claude.screen().catch(() => '(no screen)');
  lines.push(`screen:\n${screen.split('\n').filter((l) => l.trim() !== '').join('\n')}`);
  return lines.join('\n');
}
