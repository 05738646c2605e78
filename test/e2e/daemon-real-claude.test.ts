import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SessionsEvent } from '../../src/protocol/messages.js';
import type { SessionInfo } from '../../src/protocol/session-info.js';
import { CLIENTS, clientInTmuxOrSkip, clientOrSkip, ensureClient, REFERENCE_VERSION } from '../support/claude-clients.js';
import { claudeVersion, pollUntil, startClaudeInTmux, type ClaudeInTmux } from '../support/claude-in-tmux.js';
import { startFakeAnthropicApi, type FakeAnthropicApi } from '../support/fake-anthropic-api.js';
import { runVmux, VMUX } from '../support/run-vmux.js';

/**
 * End-to-end: the real Claude Code client (offline in tmux against a fake API) and a real vmuxd
 * child process (`node dist/vmuxd.cjs --poll-seconds 1`) in a private VMUX_HOME, reading the
 * client's HOME. The reference client (2.1.332) runs every scenario; the older ones (2.1.197, the
 * 2.1.100 Node build) the subscriber's view of a prompt. Each scenario has its own client, home
 * and daemon, looks only at the PID it started, and waits on events with deadlines.
 */

// The bundled executables that package.json's `bin` installs.
const VMUXD = fileURLToPath(new URL('../../vmuxd.cjs', import.meta.url));
const POLL_MS = 1000;
/** What "within one poll interval" allows on top of the interval: the scan itself and the event's trip. */
const POLL_MARGIN_MS = 750;
const WAIT_MS = 20_000;
const SCENARIO_TIMEOUT_MS = 60_000;
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const LABEL = 'review MR';
/**
 * How long the API holds the answer to the second prompt: long enough for a poll on a busy
 * machine. The Node build writes nothing but its transcript, and writes the prompt there only a
 * moment after sending it: it gets longer.
 */
const slowMsFor = (build: string): number => (build === 'node' ? 5000 : 3000);

let api: FakeAnthropicApi;

before(async () => {
  api = await startFakeAnthropicApi();
});
after(async () => {
  await api?.close();
});

describe('vmuxd with the real Claude Code', { concurrency: 3 }, () => {
  before(() => ensureClient(REFERENCE_VERSION).then(() => undefined, () => undefined), { timeout: INSTALL_TIMEOUT_MS });

  it('has the bundled executables and the reference client (missing executables are a failure)', { timeout: INSTALL_TIMEOUT_MS }, async (t) => {
    assert.ok(existsSync(VMUX), `${VMUX} is missing: run npm run build`);
    assert.ok(existsSync(VMUXD), `${VMUXD} is missing: run npm run build`);
    const client = await clientOrSkip(t, REFERENCE_VERSION);
    if (client) assert.equal(claudeVersion(client), REFERENCE_VERSION);
  });

  it('(1) a label follows the process through /clear; labels.json keeps both ids', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
    await withClaudeAndDaemon(t, REFERENCE_VERSION, async (c, d) => {
      await c.send('the conversation to name');
      await c.waitForScreen('Answer: the conversation to name');
      const oldId = c.sessionFile()?.sessionId;
      assert.ok(oldId, 'the client wrote its session id');
      await waitForSession(d, c.pid, (s) => s.session_id === oldId && s.state === 'needs_input', `session ${oldId} needs input`);

      const labelled = await vmux(d, ['label', oldId.slice(0, 8), LABEL]);
      assert.match(labelled, new RegExp(`^Labelled ${oldId.slice(0, 8)} \\(pid ${c.pid}\\): ${LABEL}$`, 'm'));
      assert.deepEqual(readLabels(d), { [oldId]: LABEL });
      await waitForSession(d, c.pid, (s) => s.session_id === oldId && s.label === LABEL, 'the label on the first session');

      await c.send('/clear');
      const newId = (await c.waitForSessionFile((f) => f.sessionId !== undefined && f.sessionId !== oldId, 'a new sessionId after /clear'))
        .sessionId;
      assert.ok(newId);
      const clearedAt = Date.now();

      const info = await waitForSession(d, c.pid, (s) => s.session_id === newId && s.label === LABEL, `the label on the new session ${newId}`);
      t.diagnostic(`vmux list showed the label on the new id ${Date.now() - clearedAt} ms after the sessions file did`);
      assert.equal(info.cwd, c.cwd);
      assert.ok(isAlive(d.child), 'vmux list was answered by the running daemon');
      // The same through the socket itself: no direct scan can stand in for the daemon here.
      const response = await requestRaw(d.socketPath, { action: 'list' });
      assert.equal(response['ok'], true);
      const viaSocket = sessionsOf(response['sessions']).filter((s) => s.pid === c.pid);
      assert.deepEqual(
        viaSocket.map((s) => [s.session_id, s.label]),
        [[newId, LABEL]],
      );
      assert.deepEqual(readLabels(d), { [oldId]: LABEL, [newId]: LABEL }, 'labels.json keeps the old id and names the new one');
    });
  });

  for (const { version, build } of CLIENTS) {
    // The Node build takes longer to start.
    const timeout = build === 'node' ? 2 * SCENARIO_TIMEOUT_MS : SCENARIO_TIMEOUT_MS;
    it(`(2) a subscriber sees needs_input → working → needs_input across a prompt (${version})`, { timeout }, async (t) => {
      const SLOW_MS = slowMsFor(build);
      // One prompt per version: the clients of this loop share the fake API and run at once.
      const SLOW_PROMPT = `SLOW ${SLOW_MS} second prompt of ${version}`;
      await withClaudeAndDaemon(t, version, async (c, d) => {
        const sub = await Subscriber.open(d.socketPath);
        try {
          // The first event is the current picture: the fresh client, before any prompt.
          const first = await sub.waitFor((s) => s.length >= 1, 'the first event');
          assert.deepEqual(first[0]?.filter((s) => s.pid === c.pid).map((s) => s.state), ['idle'], 'the fresh session is idle');

          await c.send('first prompt');
          await c.waitForScreen('Answer: first prompt');
          await sub.waitForState(c.pid, 'needs_input');
          const mark = sub.count;

          const sent = Date.now();
          await c.send(SLOW_PROMPT);
          await sub.waitForState(c.pid, 'working');
          await c.waitForScreen(`Answer: ${SLOW_PROMPT}`);
          const answeredAt = Date.now();
          const waiting = await sub.waitForState(c.pid, 'needs_input');

          const states = sub.statesSince(mark, c.pid);
          const workingAt = sub.firstAt((s) => s.some((x) => x.pid === c.pid && x.state === 'working'), sent);
          const slowRequest = api.conversationRequests().find((r) => JSON.stringify(r.body).includes(SLOW_PROMPT));
          assert.ok(slowRequest, 'the fake API received the slow turn');
          const releasedAt = slowRequest.at.getTime() + SLOW_MS;
          t.diagnostic(
            `after the slow prompt: working seen at ${workingAt - sent} ms, stream released at ${releasedAt - sent} ms, answer on screen at ${answeredAt - sent} ms`,
          );
          const all = collapse(sub.statesSince(0, c.pid).map((s) => `${s.state} (${s.reason})`));
          t.diagnostic(`whole stream for pid ${c.pid}, runs collapsed: ${all.join(' → ')}`);
          t.diagnostic(`events for pid ${c.pid} across the slow prompt: ${states.map((s) => `${s.ms} ms ${s.state} (${s.reason})`).join(', ')}`);
          assert.ok(workingAt < releasedAt, 'working was published while the API still held the answer');
          assert.deepEqual(
            collapse(states.map((s) => s.state)),
            ['needs_input', 'working', 'needs_input'],
            `states of pid ${c.pid} across the prompt: ${JSON.stringify(states)}`,
          );
          const id = c.sessionFile()?.sessionId;
          assert.ok(states.every((s) => s.session_id === id), `one conversation throughout: ${id}`);
          assert.ok(waiting.waiting_since, 'waiting_since is set again');
          assert.ok(Date.parse(waiting.waiting_since) >= sent, `waiting_since ${waiting.waiting_since} is after the prompt`);
          assert.match(waiting.preview, new RegExp(`Answer: ${SLOW_PROMPT}`));
          sub.assertClean();
        } finally {
          sub.close();
        }
      });
    });
  }

  it('(3) kill -9 of the client removes it within one poll interval; its sessions file stays', { timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
    await withClaudeAndDaemon(t, REFERENCE_VERSION, async (c, d) => {
      await c.send('about to be killed');
      await c.waitForScreen('Answer: about to be killed');
      const id = c.sessionFile()?.sessionId;
      assert.ok(id);
      await waitForSession(d, c.pid, (s) => s.session_id === id && s.state === 'needs_input', 'the session before the kill');
      await vmux(d, ['label', String(c.pid), 'doomed']);

      const sub = await Subscriber.open(d.socketPath);
      try {
        await sub.waitFor((s) => s.some((x) => x.pid === c.pid), `pid ${c.pid} in the first event`);
        const sessionFile = join(c.claudeDir, 'sessions', `${c.pid}.json`);
        const killedAt = Date.now();
        c.signal('SIGKILL');
        await sub.waitFor((s) => !s.some((x) => x.pid === c.pid), `pid ${c.pid} gone from the stream`, POLL_MS + 5_000);
        const goneAt = sub.firstAt((s) => !s.some((x) => x.pid === c.pid), killedAt);
        const latency = goneAt - killedAt;
        t.diagnostic(`removed from the stream ${latency} ms after kill -9 (poll ${POLL_MS} ms)`);
        assert.ok(latency <= POLL_MS + POLL_MARGIN_MS, `removed ${latency} ms after kill -9 (poll ${POLL_MS} ms + ${POLL_MARGIN_MS} ms)`);
        await c.waitForExit();
        assert.ok(existsSync(sessionFile), 'kill -9 leaves sessions/<pid>.json behind');
        assert.equal(readSessionFileId(sessionFile), id);
        assert.deepEqual(await listPid(d, c.pid), [], 'vmux list no longer shows the pid');
        assert.deepEqual(readLabels(d), { [id]: 'doomed' }, 'the label of the ended session is kept');
        sub.assertClean();
      } finally {
        sub.close();
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The daemon as a child process

interface DaemonProcess {
  readonly child: ChildProcess;
  /** VMUX_HOME plus the client's HOME / CLAUDE_CONFIG_DIR: for the daemon and every vmux run. */
  readonly env: Record<string, string>;
  readonly home: string;
  readonly socketPath: string;
  readonly labelsPath: string;
  /** What the daemon wrote to stderr so far. */
  stderr(): string;
}

const liveDaemons = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveDaemons) child.kill('SIGKILL');
});

async function startDaemon(claude: ClaudeInTmux): Promise<DaemonProcess> {
  const home = join(claude.home, '.vmux-e2e');
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    NO_COLOR: '1',
    ...claude.env,
    VMUX_HOME: home,
  };
  const child = spawn(process.execPath, [VMUXD, '--poll-seconds', String(POLL_MS / 1000)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  liveDaemons.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const daemon: DaemonProcess = {
    child,
    env,
    home,
    socketPath: join(home, 'vmuxd.sock'),
    labelsPath: join(home, 'labels.json'),
    stderr: () => stderr,
  };
  // Ready once it has written its PID file (after it listens) and answers `status` with that PID.
  await pollUntil(
    async () => {
      if (!isAlive(child)) throw new Error(`vmuxd exited (${child.exitCode ?? child.signalCode}): ${stderr}`);
      if (readFileOr(join(home, 'vmuxd.pid')).trim() !== String(child.pid)) return false;
      const status = await requestRaw(daemon.socketPath, { action: 'status' }).catch(() => undefined);
      const reported = status?.['status'];
      return typeof reported === 'object' && reported !== null && (reported as Record<string, unknown>)['pid'] === child.pid;
    },
    'vmuxd to listen',
    WAIT_MS,
    () => `vmuxd stderr: ${stderr}`,
  );
  return daemon;
}

/** SIGTERM, then the daemon must exit 0 and remove its socket; SIGKILL if it does not go. */
async function stopDaemon(daemon: DaemonProcess): Promise<void> {
  const { child } = daemon;
  if (!isAlive(child)) {
    liveDaemons.delete(child);
    return;
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 5000)))]);
  clearTimeout(timer);
  liveDaemons.delete(child);
  if (code === 'timeout') {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`vmuxd did not exit within 5 s of SIGTERM; stderr: ${daemon.stderr()}`);
  }
  assert.equal(code, 0, `vmuxd exits 0 on SIGTERM; stderr: ${daemon.stderr()}`);
  assert.ok(!existsSync(daemon.socketPath), 'vmuxd removed its socket');
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function withClaudeAndDaemon(
  t: TestContext,
  version: string,
  body: (claude: ClaudeInTmux, daemon: DaemonProcess) => Promise<void>,
): Promise<void> {
  const client = await clientInTmuxOrSkip(t, version);
  if (!client) return;
  const claude = await startClaudeInTmux({ api, client, startTimeoutMs: client.build === 'node' ? 60_000 : 30_000 });
  let daemon: DaemonProcess | undefined;
  try {
    daemon = await startDaemon(claude);
    await body(claude, daemon);
    await stopDaemon(daemon);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await diagnose(claude, daemon)}`, { cause: error });
  } finally {
    if (daemon && isAlive(daemon.child)) {
      const gone = new Promise((resolve) => daemon?.child.once('exit', resolve));
      daemon.child.kill('SIGKILL');
      await gone;
    }
    if (daemon) liveDaemons.delete(daemon.child);
    await claude.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Talking to the daemon

/** `vmux <args>` with the daemon's environment; its stdout. */
async function vmux(daemon: DaemonProcess, args: readonly string[]): Promise<string> {
  const run = await runVmux(args, daemon.env);
  if (run.code !== 0) throw new Error(`vmux ${args.join(' ')} failed (exit ${run.code}):\n${run.stderr}`);
  return run.stdout;
}

const lastList = new Map<number, string>();

/** `vmux list --json` (through the daemon), the entries of one PID. */
async function listPid(daemon: DaemonProcess, pid: number): Promise<SessionInfo[]> {
  const all = JSON.parse(await vmux(daemon, ['list', '--json'])) as unknown;
  assert.ok(Array.isArray(all), 'vmux list --json prints an array');
  const mine = sessionsOf(all).filter((s) => s.pid === pid);
  lastList.set(pid, JSON.stringify(mine));
  return mine;
}

async function waitForSession(daemon: DaemonProcess, pid: number, condition: (s: SessionInfo) => boolean, what: string): Promise<SessionInfo> {
  let list: SessionInfo[] = [];
  await pollUntil(
    async () => {
      list = await listPid(daemon, pid);
      return list.length === 1 && list[0] !== undefined && condition(list[0]);
    },
    `vmux list, pid ${pid}: ${what}`,
    WAIT_MS,
    () => `last vmux list for pid ${pid}: ${JSON.stringify(list)}`,
    200,
  );
  const info = list[0];
  assert.ok(info);
  return info;
}

/** One request on a fresh connection, its one response line parsed. */
function requestRaw(socketPath: string, request: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(request)} within 5 s`));
    }, 5000);
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      buffer += text;
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.destroy();
      try {
        const value = JSON.parse(buffer.slice(0, end)) as unknown;
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
        resolve(value as Record<string, unknown>);
      } catch (error) {
        reject(new Error(`not a response: ${buffer.slice(0, end)} (${(error as Error).message})`));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.write(`${JSON.stringify(request)}\n`);
  });
}

function sessionsOf(value: unknown): SessionInfo[] {
  assert.ok(Array.isArray(value), `a list of sessions: ${JSON.stringify(value)}`);
  return value as SessionInfo[];
}

/**
 * A `subscribe` connection read as raw lines: every `{"event":"sessions",…}` with the time it
 * arrived. Waits are event-driven with a deadline.
 */
class Subscriber {
  private readonly events: Array<{ readonly at: number; readonly sessions: readonly SessionInfo[] }> = [];
  private readonly problems: string[] = [];
  private readonly waiters = new Set<() => void>();
  private buffer = '';

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => this.take(text));
    socket.on('close', () => this.wake());
    socket.on('error', (error) => this.problems.push(`socket error: ${error.message}`));
  }

  static open(socketPath: string): Promise<Subscriber> {
    return new Promise((resolve, reject) => {
      const socket = connect(socketPath);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        const subscriber = new Subscriber(socket);
        socket.write(`${JSON.stringify({ action: 'subscribe' })}\n`);
        resolve(subscriber);
      });
    });
  }

  get count(): number {
    return this.events.length;
  }

  /** When the first event at or after `since` that satisfies `condition` arrived. */
  firstAt(condition: (sessions: readonly SessionInfo[]) => boolean, since: number): number {
    return this.events.find((e) => e.at >= since && condition(e.sessions))?.at ?? Number.NaN;
  }

  /** Resolves with every event's sessions once `condition` holds for the latest one. */
  async waitFor(condition: (latest: readonly SessionInfo[]) => boolean, what: string, timeoutMs = WAIT_MS): Promise<Array<readonly SessionInfo[]>> {
    const holds = (): boolean => {
      const latest = this.events.at(-1);
      return latest !== undefined && condition(latest.sessions);
    };
    if (!holds()) {
      await new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (holds()) done(resolve);
          else if (this.socket.destroyed) done(() => reject(new Error(`the subscription ended before ${what}\n${this.describe()}`)));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.describe()}`))),
          timeoutMs,
        );
        const done = (then: () => void): void => {
          clearTimeout(timer);
          this.waiters.delete(check);
          then();
        };
        this.waiters.add(check);
        check();
      });
    }
    return this.events.map((e) => e.sessions);
  }

  /** Waits until the latest event shows `pid` in `state`; that entry. */
  async waitForState(pid: number, state: string): Promise<SessionInfo> {
    await this.waitFor((s) => s.some((x) => x.pid === pid && x.state === state), `pid ${pid} ${state} in the stream`);
    const entry = this.events.at(-1)?.sessions.find((x) => x.pid === pid);
    assert.ok(entry);
    return entry;
  }

  /** The entry of `pid` in every event from index `from` (the one before it included, as the starting point). */
  statesSince(from: number, pid: number): Array<{ state: string; reason: string; session_id: string; ms: number }> {
    const start = Math.max(0, from - 1);
    const t0 = this.events[start]?.at ?? 0;
    return this.events.slice(start).map((e) => {
      const entry = e.sessions.find((x) => x.pid === pid);
      return { state: entry?.state ?? 'absent', reason: entry?.reason ?? '', session_id: entry?.session_id ?? '', ms: e.at - t0 };
    });
  }

  assertClean(): void {
    assert.deepEqual(this.problems, [], 'every line of the stream is a sessions event');
  }

  describe(): string {
    const lines = this.events.map((e) => `  ${new Date(e.at).toISOString()} ${JSON.stringify(e.sessions.map((s) => [s.pid, s.state, s.session_id.slice(0, 8)]))}`);
    return `subscriber saw ${this.events.length} events:\n${lines.join('\n')}${this.problems.length ? `\nproblems: ${this.problems.join('; ')}` : ''}`;
  }

  close(): void {
    this.socket.destroy();
  }

  private take(text: string): void {
    this.buffer += text;
    for (let end = this.buffer.indexOf('\n'); end >= 0; end = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        this.problems.push(`not JSON: ${line.slice(0, 200)}`);
        continue;
      }
      const event = value as Partial<SessionsEvent>;
      if (typeof value !== 'object' || value === null || event.event !== 'sessions' || !Array.isArray(event.sessions)) {
        this.problems.push(`not a sessions event: ${line.slice(0, 200)}`);
        continue;
      }
      this.events.push({ at: Date.now(), sessions: event.sessions });
    }
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

// ---------------------------------------------------------------------------------------------
// Files

function readLabels(daemon: DaemonProcess): Record<string, string> {
  return JSON.parse(readFileSync(daemon.labelsPath, 'utf8')) as Record<string, string>;
}

function readSessionFileId(path: string): string | undefined {
  const value = JSON.parse(readFileSync(path, 'utf8')) as { sessionId?: string };
  return value.sessionId;
}

function readFileOr(path: string, fallback = ''): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** Collapses runs of one state: the daemon publishes on any change, not only of the state. */
function collapse(states: readonly string[]): string[] {
  return states.filter((s, i) => i === 0 || states[i - 1] !== s);
}

/** What the files, /proc and the daemon showed when a scenario failed. */
async function diagnose(claude: ClaudeInTmux, daemon: DaemonProcess | undefined): Promise<string> {
  const lines = [`--- pid ${claude.pid} (alive ${claude.alive()}), claudeDir ${claude.claudeDir}`];
  lines.push(`sessions/${claude.pid}.json: ${JSON.stringify(claude.sessionFile())}`);
  for (const transcript of claude.transcripts()) {
    const records = readFileOr(transcript).trim().split('\n');
    lines.push(`${transcript} (${records.length} records), last:`);
    for (const record of records.slice(-4)) lines.push(`  ${record.slice(0, 300)}`);
  }
  lines.push(`last vmux list for pid ${claude.pid}: ${lastList.get(claude.pid) ?? '(none)'}`);
  if (daemon) {
    lines.push(`vmuxd pid ${daemon.child.pid} alive ${isAlive(daemon.child)}; labels.json: ${readFileOr(daemon.labelsPath, '(none)').trim()}`);
    lines.push(`vmuxd stderr: ${daemon.stderr() || '(empty)'}`);
  }
  const screen = await claude.screen().catch(() => '(no screen)');
  lines.push(`screen:\n${screen.split('\n').filter((l) => l.trim() !== '').join('\n')}`);
  return lines.join('\n');
}
