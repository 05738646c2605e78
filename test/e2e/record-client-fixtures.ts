import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CLIENTS, ensureClient, type InstalledClient } from '../support/claude-clients.js';
import { pollUntil, startClaudeInTmux, type ClaudeInTmux, type ClaudeInTmuxOptions } from '../support/claude-in-tmux.js';
import {
  ASK_QUESTION,
  ASK_TEXT,
  OVERLOADED,
  PLAN_APPROVAL,
  RUN_AGENT,
  RUN_BASH,
  RUN_BASH_BG,
  SLOW,
  STREAM,
  TASK_NOTIFICATION_ANSWER,
  TEXT_QUESTION,
  THINK,
  startFakeAnthropicApi,
  type FakeAnthropicApi,
} from '../support/fake-anthropic-api.js';
import { findDescendant } from '../support/process-tree.js';
import { runVmux } from '../support/run-vmux.js';

/**
 * Records what each real Claude Code client writes in each situation vmux must tell apart, as
 * fixtures for the state classifier's unit tests: for every moment,
 * `test/fixtures/clients/<version>/<moment>/` holds
 * - `session.json`: `sessions/<pid>.json` as it was (absent when the client had none),
 * - `transcript.jsonl`: the last records of the session's transcript (long strings trimmed),
 * - `screen.txt`: the tmux pane,
 * - `meta.json`: the moment, when it was taken, every change of the sessions file's status
 *   during the situation, and what `vmux list` said then.
 * Paths are rewritten to `/home/user/…`, so fixtures hold nothing of the machine they came from.
 *
 *   npm run build && node dist/test/e2e/record-client-fixtures.js [version…] [--only situation…]
 *
 * Slow (minutes per version) and not part of `npm test`.
 */

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/clients/', import.meta.url));
const KEEP_RECORDS = 40;
const MAX_STRING = 300;
const MAX_ITEMS = 6;
const MAX_DEPTH = 5;
const SETTLE_MS = 1500;

interface Situation {
  readonly name: string;
  readonly versions?: (client: InstalledClient) => boolean;
  readonly options?: (client: InstalledClient) => Partial<ClaudeInTmuxOptions>;
  run(r: Recording): Promise<void>;
}

const native = (c: InstalledClient): boolean => c.build === 'native';
const reference = (c: InstalledClient): boolean => c.version === CLIENTS[0]?.version;
/** 2.1.332 asks for permission only outside auto mode; older clients ask by default. */
const askPermissions = (c: InstalledClient): Partial<ClaudeInTmuxOptions> => (reference(c) ? { args: ['--permission-mode', 'default'] } : {});

const SITUATIONS: readonly Situation[] = [
  {
    name: 'answered',
    async run(r) {
      await r.claude.send('hello there');
      await r.claude.waitForScreen('Answer: hello there');
      await r.settle();
      await r.capture('answered');
    },
  },
  {
    name: 'text-question',
    async run(r) {
      await r.claude.send(`${ASK_TEXT} about the change`);
      await r.claude.waitForScreen(TEXT_QUESTION);
      await r.settle();
      await r.capture('text-question');
    },
  },
  {
    name: 'permission',
    options: askPermissions,
    async run(r) {
      await r.claude.send(`${RUN_BASH} touch permission-file`);
      await r.claude.waitForScreen('Do you want to proceed?');
      await r.settle();
      await r.capture('permission-prompt');
      const screen = await r.claude.screen();
      const no = /(\d)\. No\b/.exec(screen)?.[1];
      if (no === undefined) throw new Error(`no "No" option on the permission prompt:\n${screen}`);
      await r.claude.keys(no);
      await r.waitForTranscript(/Request interrupted by user for tool use|doesn't want to proceed/, 'the denial in the transcript');
      await r.settle();
      await r.capture('permission-denied');
    },
  },
  {
    name: 'tool-running',
    options: () => ({ allow: ['Bash(sleep:*)'] }),
    async run(r) {
      await r.claude.send(`${RUN_BASH} sleep 20`);
      await pollUntil(() => findDescendant(r.claude.pid, 'sleep') !== undefined, 'the sleep to run', 20_000);
      await r.settle();
      await r.capture('tool-running');
      await r.claude.keys('Escape');
      await r.waitForTranscript(/Request interrupted by user/, 'the interrupt in the transcript');
      await r.settle();
      await r.capture('tool-interrupted');
    },
  },
  {
    name: 'bash-background',
    options: () => ({ allow: ['Bash(sleep:*)'] }),
    async run(r) {
      await r.claude.send(`${RUN_BASH_BG} sleep 12`);
      await r.waitForTranscript(/running in background|background with ID/i, 'the background shell id');
      await r.claude.waitForScreen('The command finished.');
      await r.settle();
      await r.capture('bash-background-running');
      await r.claude.waitForScreen(TASK_NOTIFICATION_ANSWER, 'the notification turn', 30_000);
      await r.settle();
      await r.capture('bash-background-notified');
    },
  },
  {
    name: 'agent',
    options: askPermissions,
    async run(r) {
      await r.claude.send(`${RUN_AGENT} ${SLOW} 12000 research the code`);
      await r.waitForTranscript(/"name":"(Agent|Task)"/, 'the agent call');
      await delay(3000);
      await r.capture('agent-running');
      const done = reference(r.client) ? TASK_NOTIFICATION_ANSWER : 'The command finished.';
      await r.claude.waitForScreen(done, 'the end of the agent', 40_000);
      await r.settle();
      await r.capture('agent-done');
    },
  },
  {
    name: 'agent-auto-mode',
    versions: reference,
    async run(r) {
      await r.claude.send(`${RUN_AGENT} research the code`);
      await r.claude.waitForScreen(/Auto mode can't check actions/, 'the auto mode dialog', 30_000);
      await r.settle();
      await r.capture('agent-auto-mode-dialog');
    },
  },
  {
    name: 'compact',
    async run(r) {
      // 2.1.197 answers "Not enough messages to compact." after a single exchange.
      for (const n of [1, 2, 3]) {
        await r.claude.send(`something to compact ${n}`);
        await r.claude.waitForScreen(`Answer: something to compact ${n}`);
      }
      await r.claude.send(`/compact ${SLOW} 8000`);
      await r.claude.waitForScreen(/Compacting/i, 'compaction to start');
      await delay(2000);
      await r.capture('compact-running');
      await r.waitForTranscript(/compact_boundary|isCompactSummary/, 'the compaction records', 30_000);
      await r.settle();
      await r.capture('compact-done');
    },
  },
  {
    name: 'api-retry',
    async run(r) {
      const prompt = `${OVERLOADED} 2 hello after overload`;
      await r.claude.send(prompt);
      await pollUntil(() => r.overloadedAnswers(prompt) >= 1, 'a 529 answer', 20_000);
      await delay(400);
      await r.capture('api-retry-waiting');
      await r.claude.waitForScreen(/Answer: .*hello after overload/, 'the answer after the retries', 60_000);
      await r.settle();
      await r.capture('api-retry-answered');
    },
  },
  {
    name: 'api-error',
    // The native builds give up after 3 answers 529 in a row; the Node build retries 10 times
    // with a growing backoff (still retrying after 150 s).
    versions: native,
    async run(r) {
      await r.claude.send(`${OVERLOADED} 1000 hello under overload`);
      await r.claude.waitForScreen(/API Error/, 'the client to give up', 150_000);
      await r.settle();
      await r.capture('api-error');
    },
  },
  {
    name: 'ask-question',
    async run(r) {
      await r.claude.send(`${ASK_QUESTION} please`);
      await r.claude.waitForScreen('Which colour should the button be?');
      await r.settle();
      await r.capture('ask-question');
    },
  },
  {
    name: 'plan-approval',
    options: () => ({ args: ['--permission-mode', 'plan'] }),
    async run(r) {
      await r.claude.send(`${PLAN_APPROVAL} please`);
      await r.waitForTranscript(/"name":"ExitPlanMode"/, 'the ExitPlanMode call');
      await r.settle();
      await r.settle();
      await r.capture('plan-approval');
    },
  },
  {
    name: 'thinking',
    async run(r) {
      await r.claude.send(`${THINK} 8000 about it`);
      await delay(3500);
      await r.capture('thinking');
      await r.claude.waitForScreen('after thinking it over', 'the answer after thinking', 30_000);
    },
  },
  {
    name: 'streaming',
    async run(r) {
      await r.claude.send(`${STREAM} 8000 a long answer`);
      await delay(3500);
      await r.capture('streaming');
      await r.claude.waitForScreen('the end.', 'the end of the stream', 30_000);
    },
  },
  {
    name: 'resume',
    async run(r) {
      await r.claude.send('before the exit');
      await r.claude.waitForScreen('Answer: before the exit');
      await r.settle();
      await r.claude.send('/exit');
      await r.claude.waitForExit(20_000);
      await r.capture('exited');
      await r.restart(['--continue']);
      await r.settle();
      await r.capture('continued');
      await r.claude.send('after the continue');
      await r.claude.waitForScreen('Answer: after the continue');
      await r.settle();
      await r.capture('continued-answered');
    },
  },
  {
    name: 'print-mode',
    options: () => ({ args: ['-p', `${SLOW} 8000 hello print`], waitReady: false }),
    async run(r) {
      // The client takes seconds to start in print mode: wait for its request to the API.
      await pollUntil(() => r.api.conversationRequests().some((q) => JSON.stringify(q.body).includes('hello print')), 'the print-mode request', 30_000);
      await r.settle();
      await r.capture('print-running');
      await r.claude.waitForExit(30_000);
      await r.capture('print-exited');
    },
  },
  {
    name: 'trust-dialog',
    options: () => ({ trusted: false, waitReady: false }),
    async run(r) {
      await r.claude.waitForScreen(/trust/i, 'the trust dialog', 30_000);
      await r.settle();
      await r.capture('trust-dialog');
    },
  },
  {
    name: 'fresh',
    versions: native,
    async run(r) {
      await r.settle();
      await r.capture('fresh');
    },
  },
];

// ---------------------------------------------------------------------------------------------

interface StatusChange {
  readonly at: string;
  readonly status?: unknown;
  readonly waitingFor?: unknown;
  readonly sessionId?: unknown;
}

class Recording {
  claude!: ClaudeInTmux;
  private history: StatusChange[] = [];
  private watcher: NodeJS.Timeout | undefined;
  private readonly root: string;

  constructor(
    readonly client: InstalledClient,
    readonly api: FakeAnthropicApi,
    private readonly options: Partial<ClaudeInTmuxOptions>,
  ) {
    this.root = realpathSync(mkdtempSync(join(tmpdir(), 'vmux-record-')));
  }

  async start(extraArgs?: readonly string[]): Promise<void> {
    const args = extraArgs ?? this.options.args ?? [];
    this.claude = await startClaudeInTmux({
      ...this.options,
      api: this.api,
      client: this.client,
      root: this.root,
      args,
      startTimeoutMs: 60_000,
    });
    this.watch();
  }

  /** Stops the client and starts it again in the same HOME and folder, with other arguments. */
  async restart(args: readonly string[]): Promise<void> {
    this.unwatch();
    await this.claude.stop();
    await this.start(args);
  }

  async stop(): Promise<void> {
    this.unwatch();
    await this.claude?.stop();
    rmSync(this.root, { recursive: true, force: true });
  }

  settle(): Promise<void> {
    return delay(SETTLE_MS);
  }

  /** How many 529 answers the API gave to a prompt so far. */
  overloadedAnswers(prompt: string): number {
    return this.api.requests.filter((r) => JSON.stringify(r.body ?? '').includes(prompt)).length - 1;
  }

  async waitForTranscript(pattern: RegExp, what: string, timeoutMs = 20_000): Promise<void> {
    await pollUntil(() => pattern.test(this.transcriptText()), what, timeoutMs, () => this.transcriptText().slice(-3000));
  }

  private transcriptText(): string {
    const path = this.transcriptPath();
    return path === undefined ? '' : readFileSync(path, 'utf8');
  }

  /** The session's transcript: named by the sessions file's id, else the newest. */
  private transcriptPath(): string | undefined {
    const all = allTranscripts(this.claude.claudeDir);
    const id = this.claude.sessionFile()?.sessionId;
    const named = all.find((p) => p.endsWith(`/${id}.jsonl`));
    return named ?? all.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  }

  async capture(moment: string): Promise<void> {
    const dir = join(FIXTURES, this.client.version, moment);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const sessionPath = join(this.claude.claudeDir, 'sessions', `${this.claude.pid}.json`);
    const sessionRaw = existsSync(sessionPath) ? readFileSync(sessionPath, 'utf8') : undefined;
    const transcriptPath = this.transcriptPath();
    const records = transcriptPath ? readFileSync(transcriptPath, 'utf8').split('\n').filter((l) => l.trim() !== '') : [];
    const screen = await this.claude.screen().catch(() => '');
    const vmux = await this.vmuxSays();
    const anonymise = anonymiser(this.root, this.api.baseUrl);
    if (sessionRaw !== undefined) writeFileSync(join(dir, 'session.json'), `${JSON.stringify(trimmed(JSON.parse(anonymise(sessionRaw))), null, 2)}\n`);
    if (records.length > 0) {
      const kept = records.slice(-KEEP_RECORDS).map((line) => JSON.stringify(trimmed(JSON.parse(anonymise(line)) as unknown)));
      writeFileSync(join(dir, 'transcript.jsonl'), `${kept.join('\n')}\n`);
    }
    writeFileSync(join(dir, 'screen.txt'), `${anonymise(screenText(screen))}\n`);
    const meta = {
      version: this.client.version,
      moment,
      capturedAt: new Date().toISOString(),
      processAlive: this.claude.alive(),
      sessionsDir: sessionsDirListing(this.claude.claudeDir, this.claude.pid),
      transcriptRecords: records.length,
      transcriptFile: transcriptPath ? anonymise(transcriptPath) : null,
      statusHistory: this.history,
      vmux,
    };
    writeFileSync(join(dir, 'meta.json'), `${anonymise(JSON.stringify(meta, null, 2))}\n`);
    console.log(`  ${this.client.version}/${moment}: status ${JSON.stringify(this.claude.sessionFile()?.status)} → vmux ${vmux ? `${vmux.state} (${vmux.reason})` : 'not listed'}`);
  }

  private async vmuxSays(): Promise<{ state: string; reason: string; preview: string } | undefined> {
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', NO_COLOR: '1', VMUX_HOME: join(this.root, 'vmux-home'), ...this.claude.env };
    try {
      const run = await runVmux(['list', '--json'], env);
      const list = JSON.parse(run.stdout) as Array<{ pid: number; state: string; reason: string; preview: string }>;
      const mine = list.find((s) => s.pid === this.claude.pid);
      return mine ? { state: mine.state, reason: mine.reason, preview: mine.preview } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Notes every change of the sessions file's status, as the client writes it. */
  private watch(): void {
    let last = '';
    const check = (): void => {
      const file = this.claude.sessionFile();
      const key = JSON.stringify([file?.status, file?.waitingFor, file?.sessionId, file === undefined]);
      if (key !== last) {
        last = key;
        this.history.push(
          file === undefined
            ? { at: new Date().toISOString(), status: '(no file)' }
            : { at: new Date().toISOString(), status: file.status, waitingFor: file.waitingFor, sessionId: file.sessionId },
        );
      }
    };
    check();
    this.watcher = setInterval(check, 50);
  }

  private unwatch(): void {
    if (this.watcher) clearInterval(this.watcher);
    this.watcher = undefined;
  }
}

function allTranscripts(claudeDir: string): string[] {
  const projects = join(claudeDir, 'projects');
  if (!existsSync(projects)) return [];
  return readdirSync(projects).flatMap((folder) => {
    try {
      return readdirSync(join(projects, folder))
        .filter((name) => name.endsWith('.jsonl'))
        .map((name) => join(projects, folder, name));
    } catch {
      return [];
    }
  });
}

function sessionsDirListing(claudeDir: string, pid: number): string[] {
  try {
    return readdirSync(join(claudeDir, 'sessions')).map((name) => name.replace(String(pid), '<pid>').replace(/\.[0-9a-f]{64}\./, '.<hash>.'));
  } catch {
    return [];
  }
}

/** Rewrites the scratch folders, port and machine id to stable names. */
function anonymiser(root: string, baseUrl: string): (text: string) => string {
  const encode = (path: string): string => path.replace(/[^A-Za-z0-9]/g, '-');
  const pairs: Array<[string, string]> = [
    [join(root, 'project'), '/home/user/project'],
    [join(root, 'home'), '/home/user'],
    [root, '/home/user/scratch'],
    [encode(join(root, 'project')), '-home-user-project'],
    [baseUrl.replace(/^http:\/\//, ''), '127.0.0.1:8080'],
  ];
  return (text) => {
    let out = text;
    for (const [from, to] of pairs) out = out.split(from).join(to);
    out = out.replace(/linux:[0-9a-f]{32}:/g, 'linux:00000000000000000000000000000000:');
    out = out.replace(/\/tmp\/claude-\d+\//g, '/tmp/claude-1000/');
    return out;
  };
}

/**
 * Long strings (system prompts, tool listings) cut to their start, long arrays to their first
 * items, deep objects (request shapes) to their keys: the shape of a record is what matters.
 */
function trimmed(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…[trimmed ${value.length - MAX_STRING} chars]` : value;
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_ITEMS).map((v) => trimmed(v, depth + 1));
    return value.length > MAX_ITEMS ? [...kept, `…[trimmed ${value.length - MAX_ITEMS} items]`] : kept;
  }
  if (typeof value === 'object' && value !== null) {
    if (depth >= MAX_DEPTH) return `…[trimmed object: ${Object.keys(value).slice(0, 8).join(', ')}]`;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trimmed(v, depth + 1)]));
  }
  return value;
}

function screenText(screen: string): string {
  const lines = screen.split('\n').map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

async function recordVersion(version: string, only: readonly string[]): Promise<string[]> {
  const client = await ensureClient(version);
  const api = await startFakeAnthropicApi();
  const failures: string[] = [];
  try {
    for (const situation of SITUATIONS) {
      if (only.length > 0 && !only.includes(situation.name)) continue;
      if (situation.versions && !situation.versions(client)) continue;
      console.log(`${version}: ${situation.name}`);
      const recording = new Recording(client, api, situation.options?.(client) ?? {});
      try {
        await recording.start();
        await situation.run(recording);
      } catch (error) {
        failures.push(`${version} ${situation.name}: ${(error as Error).message.split('\n').slice(0, 12).join('\n')}`);
        console.log(`  FAILED: ${(error as Error).message.split('\n')[0]}`);
      } finally {
        await recording.stop();
      }
    }
  } finally {
    await api.close();
  }
  return failures;
}

async function main(argv: readonly string[]): Promise<void> {
  const at = argv.indexOf('--only');
  const versions = (at < 0 ? argv : argv.slice(0, at)).filter((a) => !a.startsWith('-'));
  const only = at < 0 ? [] : argv.slice(at + 1);
  const failures: string[] = [];
  for (const version of versions.length > 0 ? versions : CLIENTS.map((c) => c.version)) {
    failures.push(...(await recordVersion(version, only)));
  }
  if (failures.length > 0) {
    console.error(`\n${failures.length} situation(s) failed:\n${failures.join('\n\n')}`);
    process.exitCode = 1;
  }
}

await main(process.argv.slice(2));
