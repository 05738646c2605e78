import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startFakeClaude, writeSessionFile, type FakeClaude } from '../../test/support/fake-claude.js';
import { fillDisk, smallTmpfs } from '../../test/support/small-tmpfs.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { TranscriptBuilder } from '../../test/support/transcript-builder.js';
import { VmuxError } from '../errors.js';
import { LineDecoder } from '../protocol/line-decoder.js';
import { MAX_REQUEST_BYTES, type Response, type SessionsEvent } from '../protocol/messages.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { encodePath } from '../sessions/encode-path.js';
import { Daemon } from './daemon.js';
import { silentLogger } from './logger.js';
import { vmuxHomeFrom, type VmuxHome } from '../home/vmux-home.js';
import { runVmux, VMUX } from '../../test/support/run-vmux.js';

/**
 * vmuxd over a real Unix socket in a temp VMUX_HOME, with real processes named `claude` and
 * their files in a temp CLAUDE_CONFIG_DIR. The daemon scans the whole machine: every assertion
 * looks at the PIDs this file started. Nothing sleeps: each wait is for an event, with a deadline.
 */

// The bundled executables that package.json's `bin` installs.
const VMUXD = fileURLToPath(new URL('../../vmuxd.cjs', import.meta.url));

const root = tempDir('vmux-daemon-');
const claudeDir = join(root, 'claude');
const env = { CLAUDE_CONFIG_DIR: claudeDir, HOME: root };

const started: FakeClaude[] = [];
const daemons: Daemon[] = [];
const children: ChildProcess[] = [];
const clients: LineClient[] = [];
after(async () => {
  for (const client of clients) client.close();
  await Promise.all(daemons.map((d) => d.stop('test over')));
  await Promise.all(children.map((child) => reap(child, 'SIGKILL')));
  await Promise.all(started.map((p) => p.stop('SIGKILL')));
});

const minutesAgo = (n: number): Date => new Date(Date.now() - n * 60_000);
let homes = 0;

/** Every test has a deadline: a daemon that hangs fails its test instead of stalling the run. */
const LIMIT = { timeout: 30_000 };

/** A VMUX_HOME of its own for each test: a daemon of one test never answers another. */
function freshHome(): VmuxHome {
  return vmuxHomeFrom({ VMUX_HOME: join(root, `vmux-home-${++homes}`) });
}

interface Fixture {
  readonly proc: FakeClaude;
  readonly sessionId: string;
  readonly transcript: TranscriptBuilder;
}

let fixtures = 0;

/**
 * A live `claude` process with its `sessions/<pid>.json` (no `status` unless given: an older
 * client, read from its transcript) and a transcript in its project folder.
 */
async function fixture(fields: { status?: string; waitingFor?: string } = {}): Promise<Fixture> {
  const n = ++fixtures;
  const cwd = join(root, `project-${n}`);
  mkdirSync(cwd, { recursive: true });
  const proc = await startFakeClaude({ cwd, binDir: cwd });
  started.push(proc);
  const sessionId = `da000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const transcript = new TranscriptBuilder(join(claudeDir, 'projects', encodePath(cwd), `${sessionId}.jsonl`), sessionId, cwd);
  writeSessionFile(claudeDir, proc.pid, { sessionId, cwd, ...fields });
  return { proc, sessionId, transcript };
}

/** A session that works, as the 2.1.x client reports it: a prompt and a tool call not yet answered. */
async function workingFixture(): Promise<Fixture> {
  const f = await fixture({ status: 'busy' });
  f.transcript.prompt('run the tests', minutesAgo(1)).toolUse('Bash', { command: 'npm test' }, minutesAgo(1));
  return f;
}

/** A client that writes no status (the Node build) reading a file: the transcript alone says it works. */
async function statuslessWorkingFixture(): Promise<Fixture> {
  const f = await fixture();
  f.transcript.prompt('what does the build do?', minutesAgo(1)).toolUse('Read', { file_path: 'package.json' }, minutesAgo(1));
  return f;
}

/** A session stopped at a permission prompt, as the 2.1.x client reports it. */
async function waitingFixture(): Promise<Fixture> {
  const f = await fixture({ status: 'waiting', waitingFor: 'permission prompt' });
  f.transcript.prompt('migrate', minutesAgo(2)).toolUse('Bash', { command: 'npm run migrate' }, minutesAgo(2));
  return f;
}

async function startDaemon(home: VmuxHome, pollMs = 60_000): Promise<Daemon> {
  const daemon = await Daemon.start({ home, env, pollMs, logger: silentLogger, version: 'test' });
  daemons.push(daemon);
  return daemon;
}

/** Rejects when `promise` has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A client of the socket as `nc -U` is: writes lines, reads lines. `next` waits for the next
 * line that matches, with a deadline.
 */
class LineClient {
  private readonly decoder = new LineDecoder(64 * 1024 * 1024);
  private readonly queue: unknown[] = [];
  private wake: () => void = () => {};
  private isEnded = false;
  /** Settles when the daemon ends the conversation. */
  readonly ended: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const item of this.decoder.push(chunk)) {
        this.queue.push(item.kind === 'line' ? JSON.parse(item.text) : { tooLong: item.bytes });
      }
      this.wake();
    });
    this.ended = new Promise((resolve) =>
      socket.once('close', () => {
        this.isEnded = true;
        this.wake();
        resolve();
      }),
    );
    socket.on('error', () => socket.destroy());
  }

  static connect(path: string, options: { allowHalfOpen?: boolean } = {}): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ path, allowHalfOpen: options.allowHalfOpen ?? false });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        const client = new LineClient(socket);
        clients.push(client);
        resolve(client);
      });
    });
  }

  send(line: string | object): void {
    this.socket.write(typeof line === 'string' ? line : `${JSON.stringify(line)}\n`);
  }

  async next<T = Response>(matches: (value: T) => boolean = () => true, what = 'a line from vmuxd', timeoutMs = 3000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.queue.length > 0) {
        const value = this.queue.shift() as T;
        if (matches(value)) return value;
      }
      if (this.isEnded) throw new Error(`the daemon hung up before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async request(line: string | object): Promise<Response> {
    this.send(line);
    return this.next();
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Sends one request on a new connection and returns the answer. */
async function ask(home: VmuxHome, request: object): Promise<Response> {
  const client = await LineClient.connect(home.socketPath);
  try {
    return await client.request(request);
  } finally {
    client.close();
  }
}

const mine = (sessions: readonly SessionInfo[] | undefined, pid: number): SessionInfo | undefined =>
  sessions?.find((s) => s.pid === pid);

const onlyPids = (sessions: readonly SessionInfo[] | undefined, pids: readonly number[]): SessionInfo[] =>
  (sessions ?? []).filter((s) => pids.includes(s.pid));

function labelsOnDisk(home: VmuxHome): Record<string, string> {
  return JSON.parse(readFileSync(home.labelsPath, 'utf8')) as Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// In-process daemon

test('daemon start stop', LIMIT, async () => {
  const home = freshHome();
  const daemon = await startDaemon(home);
  assert.ok(statSync(home.socketPath).isSocket());
  assert.equal(statSync(home.socketPath).mode & 0o777, 0o600, 'the socket is the user’s alone');
  assert.equal(statSync(home.dir).mode & 0o777, 0o700);
  assert.equal(readFileSync(home.pidPath, 'utf8').trim(), String(process.pid));

  const subscriber = await LineClient.connect(home.socketPath);
  subscriber.send({ action: 'subscribe' });
  await subscriber.next<SessionsEvent>((e) => e.event === 'sessions', 'the first event');

  assert.deepEqual(await ask(home, { action: 'stop' }), { ok: true });
  await within(daemon.stopped, 3000, 'the daemon to stop');
  await within(subscriber.ended, 3000, 'the subscriber to be hung up on');
  assert.equal(existsSync(home.socketPath), false, 'socket removed');
  assert.equal(existsSync(home.pidPath), false, 'PID file removed');
  await assert.rejects(LineClient.connect(home.socketPath), /ENOENT/);
  await daemon.stop('again'); // A second stop is the same shutdown, not an error.
});

test('daemon list over socket', LIMIT, async () => {
  const working = await workingFixture();
  const waiting = await waitingFixture();
  const home = freshHome();
  await startDaemon(home);

  const response = await ask(home, { action: 'list' });
  assert.equal(response.ok, true);
  const listed = onlyPids(response.sessions, [working.proc.pid, waiting.proc.pid]);
  // Sessions that need the user come first.
  assert.deepEqual(
    listed.map((s) => [s.pid, s.session_id, s.state, s.reason]),
    [
      [waiting.proc.pid, waiting.sessionId, 'needs_input', 'waiting for permission: Bash'],
      [working.proc.pid, working.sessionId, 'working', 'running tool: Bash'],
    ],
  );
  const first = listed[0];
  assert.equal(first?.cwd, waiting.proc.cwd);
  assert.equal(first?.git_branch, 'main');
  assert.equal(first?.workspace, '');
  assert.match(first?.waiting_since ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(listed[1]?.waiting_since, undefined);

  // status counts what list shows.
  const status = await ask(home, { action: 'status' });
  assert.equal(status.ok, true);
  assert.equal(status.status?.pid, process.pid);
  assert.equal(status.status?.version, 'test');
  assert.equal(status.status?.sessions, response.sessions?.length);
  const version = await ask(home, { action: 'version' });
  assert.equal(version.ok, true);
  assert.equal(version.status?.version, 'test');
  assert.equal(version.status?.pid, process.pid);
});

test('daemon label over socket', LIMIT, async () => {
  const f = await waitingFixture();
  const home = freshHome();
  await startDaemon(home);
  const client = await LineClient.connect(home.socketPath);

  const labelled = await client.request({ action: 'label', args: { session_id: f.sessionId, label: '  review MR  ' } });
  assert.equal(labelled.ok, true);
  assert.equal(mine(labelled.sessions, f.proc.pid)?.label, 'review MR', 'trimmed, and in the answer');

  // On the same connection: several requests, one answer each.
  const listed = await client.request({ action: 'list' });
  assert.equal(mine(listed.sessions, f.proc.pid)?.label, 'review MR');
  assert.deepEqual(labelsOnDisk(home), { [f.sessionId]: 'review MR' });
  assert.equal(statSync(home.labelsPath).mode & 0o777, 0o600);

  const unknown = await client.request({ action: 'label', args: { session_id: 'no-such-session', label: 'x' } });
  assert.equal(unknown.ok, false);
  assert.match(unknown.error ?? '', /no running session has id no-such-session/);
  assert.deepEqual(labelsOnDisk(home), { [f.sessionId]: 'review MR' }, 'nothing saved for it');

  const cleared = await client.request({ action: 'label', args: { session_id: f.sessionId, label: '' } });
  assert.equal(cleared.ok, true);
  assert.equal('label' in (mine(cleared.sessions, f.proc.pid) ?? {}), false);
  assert.deepEqual(labelsOnDisk(home), {});
});

test('daemon: malformed requests get a clear error and end neither the connection nor the daemon', LIMIT, async () => {
  const f = await waitingFixture();
  const home = freshHome();
  await startDaemon(home);
  const client = await LineClient.connect(home.socketPath);
  const bystander = await LineClient.connect(home.socketPath);
  bystander.send({ action: 'subscribe' });
  await bystander.next<SessionsEvent>((e) => e.event === 'sessions', 'the first event');

  const cases: Array<[string, RegExp]> = [
    ['{"action":"list"\n', /malformed JSON/],
    ['\u0000\u0001\u00ff\u00fe binary\n', /malformed JSON/],
    ['[1,2,3]\n', /must be a JSON object/],
    ['{"action":"frobnicate"}\n', /unknown action "frobnicate"/],
    ['{"args":{}}\n', /missing "action"/],
    ['{"action":"label","args":{"session_id":42,"label":"x"}}\n', /session_id, a non-empty string/],
    ['{"action":"list","args":"all"}\n', /"args" must be an object/],
    [`${'x'.repeat(MAX_REQUEST_BYTES + 10)}\n`, /request line too long/],
  ];
  for (const [line, expected] of cases) {
    const answer = await client.request(line);
    assert.equal(answer.ok, false, line.slice(0, 40));
    assert.match(answer.error ?? '', expected);
  }
  // Several requests in one write: each answered, in order.
  client.send('nonsense\n{"action":"list"}\n');
  assert.equal((await client.next()).ok, false);
  const listed = await client.next();
  assert.equal(listed.ok, true);
  assert.equal(mine(listed.sessions, f.proc.pid)?.state, 'needs_input');

  // A half-sent line, then the client hangs up: nothing breaks for the others.
  const quitter = await LineClient.connect(home.socketPath);
  quitter.send('{"action":"li');
  quitter.close();
  assert.equal((await ask(home, { action: 'list' })).ok, true);
  assert.equal((await client.request({ action: 'status' })).ok, true, 'the first connection still serves');
});

test('daemon: subscribe gets the current list at once and an event after each change on disk', LIMIT, async () => {
  // An older client (no status in its sessions file): its state comes from the transcript.
  const f = await statuslessWorkingFixture();
  const home = freshHome();
  // No poll within the test: the change must arrive through the watched folders.
  await startDaemon(home, 600_000);
  const client = await LineClient.connect(home.socketPath);
  client.send({ action: 'subscribe' });
  const first = await client.next<SessionsEvent>(() => true, 'the first event', 1000);
  assert.equal(first.event, 'sessions');
  assert.equal(mine(first.sessions, f.proc.pid)?.state, 'working');

  // The tool returns and the turn ends: a transcript append.
  const endedAt = new Date();
  f.transcript.toolResult('toolu_2', 'ok', endedAt).assistantText('All tests pass.', endedAt).turnDuration(endedAt);
  const waiting = await client.next<SessionsEvent>(
    (e) => mine(e.sessions, f.proc.pid)?.state === 'needs_input',
    'the session to need input after the transcript append',
  );
  const session = mine(waiting.sessions, f.proc.pid);
  assert.equal(session?.preview, 'All tests pass.');
  assert.equal(session?.waiting_since, endedAt.toISOString(), 'waiting since the answer, from the transcript');

  // A new prompt: working again, and waiting_since is gone.
  f.transcript.prompt('now the docs', new Date());
  const again = await client.next<SessionsEvent>((e) => mine(e.sessions, f.proc.pid)?.state === 'working', 'working again');
  assert.equal(mine(again.sessions, f.proc.pid)?.waiting_since, undefined);

  // A sessions file rewritten by the client (status now reported): seen through sessions/.
  writeSessionFile(claudeDir, f.proc.pid, { sessionId: f.sessionId, cwd: f.proc.cwd, status: 'waiting', waitingFor: 'permission prompt' });
  await client.next<SessionsEvent>(
    (e) => mine(e.sessions, f.proc.pid)?.reason.startsWith('waiting for permission') === true,
    'the permission prompt from the sessions file',
  );
});

test('daemon: a client that writes no status waits at its permission prompt until a child of it runs the Bash call, seen at the next poll', LIMIT, async () => {
  const cwd = join(root, 'node-build-prompt');
  mkdirSync(cwd, { recursive: true });
  const proc = await startFakeClaude({ cwd, binDir: cwd, shape: 'node-build' });
  started.push(proc);
  const sessionId = 'da000000-0000-4000-8000-000000000999';
  writeSessionFile(claudeDir, proc.pid, { sessionId, cwd });
  const calledAt = new Date(Date.now() - 5000);
  new TranscriptBuilder(join(claudeDir, 'projects', encodePath(cwd), `${sessionId}.jsonl`), sessionId, cwd)
    .prompt('run the migration', calledAt)
    .toolUse('Bash', { command: 'npm run migrate' }, calledAt);
  const home = freshHome();
  // A full scan only every 12 polls: within this test, only the poll's look at the client's children can see the call start.
  await startDaemon(home, 1000);
  const client = await LineClient.connect(home.socketPath);
  client.send({ action: 'subscribe' });
  await client.next<SessionsEvent>((e) => mine(e.sessions, proc.pid)?.reason === 'waiting for permission: Bash', 'the permission prompt');
  // Allowed: the client starts the command's shell, and writes nothing until it ends.
  await proc.startTool('npm run migrate');
  await client.next<SessionsEvent>((e) => mine(e.sessions, proc.pid)?.reason === 'running tool: Bash', 'the call running, at the next poll', 3000);
});

test('daemon: the label follows the process to its new session id (/clear); the old label is kept', LIMIT, async () => {
  const f = await waitingFixture();
  const home = freshHome();
  await startDaemon(home);
  const client = await LineClient.connect(home.socketPath);
  assert.equal((await client.request({ action: 'label', args: { session_id: f.sessionId, label: 'payments' } })).ok, true);
  client.send({ action: 'subscribe' });
  await client.next<SessionsEvent>((e) => mine(e.sessions, f.proc.pid)?.label === 'payments', 'the labelled session');

  // /clear: the same process writes its sessions file with a new conversation id.
  const cleared = 'da000000-0000-4000-8000-c1ea00000001';
  writeSessionFile(claudeDir, f.proc.pid, { sessionId: cleared, cwd: f.proc.cwd, status: 'idle' });
  const moved = await client.next<SessionsEvent>(
    (e) => mine(e.sessions, f.proc.pid)?.session_id === cleared,
    'the session to move to its new id',
  );
  assert.equal(mine(moved.sessions, f.proc.pid)?.label, 'payments');
  assert.deepEqual(labelsOnDisk(home), { [f.sessionId]: 'payments', [cleared]: 'payments' }, 'saved, the old one kept for a resume');
});

test('daemon: labels of sessions that ended are kept, and a resumed session gets its label back', LIMIT, async () => {
  const f = await waitingFixture();
  const home = freshHome();
  await startDaemon(home, 100);
  const client = await LineClient.connect(home.socketPath);
  assert.equal((await client.request({ action: 'label', args: { session_id: f.sessionId, label: 'ended one' } })).ok, true);
  client.send({ action: 'subscribe' });
  await client.next<SessionsEvent>((e) => mine(e.sessions, f.proc.pid) !== undefined, 'the session listed');

  await f.proc.stop('SIGKILL');
  await client.next<SessionsEvent>((e) => mine(e.sessions, f.proc.pid) === undefined, 'the killed session to go');
  assert.deepEqual(labelsOnDisk(home), { [f.sessionId]: 'ended one' });

  // `claude --resume`: a new process, the same conversation.
  const resumedCwd = join(root, 'resumed');
  mkdirSync(resumedCwd, { recursive: true });
  const resumed = await startFakeClaude({ cwd: resumedCwd, binDir: resumedCwd });
  started.push(resumed);
  writeSessionFile(claudeDir, resumed.pid, { sessionId: f.sessionId, cwd: resumedCwd, status: 'idle' });
  const back = await client.next<SessionsEvent>((e) => mine(e.sessions, resumed.pid) !== undefined, 'the resumed session');
  assert.equal(mine(back.sessions, resumed.pid)?.label, 'ended one');
});

test('daemon: a daemon started again loads the labels it saved', LIMIT, async () => {
  const f = await waitingFixture();
  const home = freshHome();
  const first = await startDaemon(home);
  assert.equal((await ask(home, { action: 'label', args: { session_id: f.sessionId, label: 'survives' } })).ok, true);
  await first.stop('restart');
  await startDaemon(home);
  assert.equal(mine((await ask(home, { action: 'list' })).sessions, f.proc.pid)?.label, 'survives');
});

test('daemon: a socket answered by something that is not vmuxd is left alone and the start refused', LIMIT, async () => {
  const home = freshHome();
  mkdirSync(home.dir, { mode: 0o700 });
  const impostor = createServer((socket) => {
    socket.resume(); // Reads what it is sent, so its side of each connection can close.
    socket.end('hello, I am not vmuxd\n');
  });
  await new Promise<void>((resolve) => impostor.listen(home.socketPath, resolve));
  try {
    await assert.rejects(startDaemon(home), (error: unknown) => {
      assert.ok(error instanceof VmuxError);
      assert.equal(error.code, 'DAEMON_ERROR');
      assert.match(error.message, /is in use by something that is not vmuxd.*set VMUX_HOME/);
      return true;
    });
    assert.ok(existsSync(home.socketPath), 'the other program keeps its socket');
  } finally {
    await new Promise<void>((resolve) => impostor.close(() => resolve()));
  }
});

// ---------------------------------------------------------------------------------------------
// vmuxd and vmux as real processes

interface RunningVmuxd {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

function childEnv(home: VmuxHome): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'], ...env, VMUX_HOME: home.dir };
}

/** Spawns `vmuxd`; resolves once it says it serves (or has exited, for the refusals). */
async function spawnVmuxd(home: VmuxHome, args: readonly string[] = ['--poll-seconds', '0.2']): Promise<RunningVmuxd> {
  const child = spawn(process.execPath, [VMUXD, ...args], { env: childEnv(home), stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  const pid = child.pid;
  if (pid === undefined) throw new Error('vmuxd did not start');
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<void>((resolve) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (/serving \d+ sessions on /.test(stderr)) resolve();
    });
  });
  await within(Promise.race([ready, exited]), 5000, `vmuxd (pid ${pid}) to serve`);
  return { child, pid, exited, stderr: () => stderr };
}

/** Ends a child (if it still runs) and waits until it has been reaped. */
async function reap(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`vmuxd: ${signal} stops it with exit 0, socket and PID file removed`, LIMIT, async () => {
    const home = freshHome();
    const vmuxd = await spawnVmuxd(home);
    assert.equal(readFileSync(home.pidPath, 'utf8').trim(), String(vmuxd.pid));
    const subscriber = await LineClient.connect(home.socketPath);
    subscriber.send({ action: 'subscribe' });
    await subscriber.next<SessionsEvent>((e) => e.event === 'sessions', 'the first event');

    vmuxd.child.kill(signal);
    assert.deepEqual(await within(vmuxd.exited, 5000, `vmuxd to exit on ${signal}`), { code: 0, signal: null });
    await within(subscriber.ended, 1000, 'the subscriber to be hung up on');
    assert.equal(existsSync(home.socketPath), false);
    assert.equal(existsSync(home.pidPath), false);
    assert.match(vmuxd.stderr(), new RegExp(`stopping \\(${signal}\\)`));
  });
}

test('vmuxd: stops on SIGTERM even while a client keeps its end of the connection open', LIMIT, async () => {
  const home = freshHome();
  const vmuxd = await spawnVmuxd(home);
  // A client that never closes its side (allowHalfOpen): the daemon must not wait for it.
  const stubborn = await LineClient.connect(home.socketPath, { allowHalfOpen: true });
  assert.equal((await stubborn.request({ action: 'status' })).ok, true);
  vmuxd.child.kill('SIGTERM');
  assert.deepEqual(await within(vmuxd.exited, 5000, 'vmuxd to exit'), { code: 0, signal: null });
  assert.equal(existsSync(home.socketPath), false);
});

test('vmuxd: a second vmuxd on the same home exits 1 saying which one runs', LIMIT, async () => {
  const home = freshHome();
  const first = await spawnVmuxd(home);
  const second = await spawnVmuxd(home);
  assert.deepEqual(await within(second.exited, 5000, 'the second vmuxd to exit'), { code: 1, signal: null });
  assert.match(second.stderr(), new RegExp(`vmuxd already running \\(pid ${first.pid}\\)`));
  // The first one is untouched: its socket, its PID file, its answers.
  assert.equal(readFileSync(home.pidPath, 'utf8').trim(), String(first.pid));
  assert.equal((await ask(home, { action: 'status' })).status?.pid, first.pid);
  await reap(first.child, 'SIGTERM');
});

test('vmuxd: the socket of a daemon that was killed is replaced and the new daemon serves', LIMIT, async () => {
  const home = freshHome();
  const killed = await spawnVmuxd(home);
  killed.child.kill('SIGKILL');
  assert.equal((await within(killed.exited, 5000, 'the killed vmuxd to be reaped')).signal, 'SIGKILL');
  assert.ok(statSync(home.socketPath).isSocket(), 'the dead daemon left its socket');
  await assert.rejects(LineClient.connect(home.socketPath), /ECONNREFUSED/);

  const next = await spawnVmuxd(home);
  assert.equal((await ask(home, { action: 'status' })).status?.pid, next.pid);
  assert.equal(readFileSync(home.pidPath, 'utf8').trim(), String(next.pid));
  await reap(next.child, 'SIGTERM');
});

test('vmux status, label, list and stop talk to a running vmuxd', LIMIT, async () => {
  const working = await workingFixture();
  const waiting = await waitingFixture();
  const pids = [working.proc.pid, waiting.proc.pid];
  const home = freshHome();
  const vmuxd = await spawnVmuxd(home);

  const status = await runVmux(['status'], childEnv(home));
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`^vmuxd \\S+ runs \\(pid ${vmuxd.pid}, up .*\\), following \\d+ sessions?\\.\\nRescans as soon as a session's files change \\(\\d+ folders? watched\\); polls every 0.2 s\\.\\n[\\s\\S]*Socket: ${home.socketPath}\\n$`));
  assert.doesNotMatch(status.stdout, /\b(true|false)\b/, 'sentences, not a dump of keys and values');

  const labelled = await runVmux(['label', String(waiting.proc.pid), 'review', 'MR'], childEnv(home));
  assert.equal(labelled.code, 0, labelled.stderr);
  assert.equal(labelled.stdout, `Labelled ${waiting.sessionId.slice(0, 8)} (pid ${waiting.proc.pid}): review MR\n`);
  assert.deepEqual(labelsOnDisk(home), { [waiting.sessionId]: 'review MR' });

  const viaDaemon = await runVmux(['list', '--json'], childEnv(home));
  assert.equal(viaDaemon.code, 0, viaDaemon.stderr);
  const daemonList = onlyPids(JSON.parse(viaDaemon.stdout) as SessionInfo[], pids);
  assert.deepEqual(
    daemonList.map((s) => [s.pid, s.state, s.label]),
    [
      [waiting.proc.pid, 'needs_input', 'review MR'],
      [working.proc.pid, 'working', undefined],
    ],
  );

  const stopped = await runVmux(['stop'], childEnv(home));
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(stopped.stdout, 'vmuxd stopped.\n');
  assert.deepEqual(await within(vmuxd.exited, 5000, 'vmuxd to exit'), { code: 0, signal: null });
  assert.equal(existsSync(home.pidPath), false);

  // Without the daemon: a direct scan, the same list, labels included; only vmuxd follows your attention.
  const direct = await runVmux(['list', '--json'], childEnv(home));
  assert.equal(direct.code, 0, direct.stderr);
  const withoutAttention = (list: SessionInfo[]) => list.map(({ unseen: _unseen, focused: _focused, ...rest }) => rest);
  assert.deepEqual(withoutAttention(onlyPids(JSON.parse(direct.stdout) as SessionInfo[], pids)), withoutAttention(daemonList));
  assert.deepEqual(daemonList.map((s) => s.unseen), [true, false], 'waiting where no window shows it: unseen');

  const none = await runVmux(['status'], childEnv(home));
  assert.equal(none.code, 1);
  assert.match(none.stderr, /vmuxd is not running .*start it with 'vmux daemon'/);
  const stopNone = await runVmux(['stop'], childEnv(home));
  assert.equal(stopNone.code, 1);
  assert.match(stopNone.stderr, /vmuxd is not running/);
});

test('vmux watch --json prints the list at once, then one line per change', LIMIT, async () => {
  const f = await statuslessWorkingFixture();
  const home = freshHome();
  const vmuxd = await spawnVmuxd(home);
  const watch = spawn(process.execPath, [VMUX, 'watch', '--json'], { env: childEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(watch);
  const decoder = new LineDecoder(64 * 1024 * 1024);
  const lines: string[] = [];
  let wake: () => void = () => {};
  watch.stdout?.on('data', (chunk: Buffer) => {
    for (const item of decoder.push(chunk)) if (item.kind === 'line') lines.push(item.text);
    wake();
  });
  const watchExited = new Promise<number | null>((resolve) => watch.once('exit', (code) => resolve(code)));
  /** Waits for a printed line whose event shows `pid` in `state`; returns its index. */
  const lineShowing = async (state: string, what: string): Promise<number> => {
    const deadline = Date.now() + 3000;
    for (;;) {
      const index = lines.findIndex((text) => mine((JSON.parse(text) as SessionsEvent).sessions, f.proc.pid)?.state === state);
      if (index !== -1) return index;
      if (Date.now() > deadline) throw new Error(`timed out waiting for vmux watch to print ${what}; printed:\n${lines.join('\n')}`);
      await within(new Promise<void>((resolve) => (wake = resolve)), deadline - Date.now() + 1, what).catch(() => undefined);
    }
  };

  assert.equal(await lineShowing('working', 'the current list'), 0, 'the first line is the list as it is');
  const endedAt = new Date();
  f.transcript.toolResult('toolu_2', 'ok', endedAt).assistantText('Done.', endedAt).turnDuration(endedAt);
  const changed = await lineShowing('needs_input', 'the change');
  assert.ok(changed >= 1);
  for (const text of lines) {
    const event = JSON.parse(text) as SessionsEvent;
    assert.equal(event.event, 'sessions');
    assert.ok(Array.isArray(event.sessions));
  }
  // One line per change: no line repeats the one before it.
  for (let i = 1; i < lines.length; i++) assert.notEqual(lines[i], lines[i - 1], `line ${i} repeats line ${i - 1}`);

  // The daemon stopping ends the stream, and watch with it.
  vmuxd.child.kill('SIGTERM');
  // A lost daemon is no normal end: exit 1, so a script or bar knows to start it again.
  assert.equal(await within(watchExited, 5000, 'vmux watch to end with the daemon'), 1);
  await within(vmuxd.exited, 5000, 'vmuxd to exit');
});

test('a client that pipelines many requests in one write gets every answer, however slowly it reads', LIMIT, async () => {
  const home = freshHome();
  await startDaemon(home);
  const requests = 40_000;
  const socket = connect(home.socketPath);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  // About 5 MiB of answers: more than a client may leave unread, so the daemon must wait for it.
  socket.write('{"action":"status"}\n'.repeat(requests));
  socket.pause();
  await new Promise((resolve) => setImmediate(resolve));
  let answers = 0;
  let bytes = 0;
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 0x0a) answers++;
      if (answers === requests) resolve();
    });
    socket.once('close', () => reject(new Error(`connection closed after ${answers} answers`)));
  });
  socket.resume();
  await within(done, 12_000, `${requests} answers`);
  assert.ok(bytes > 4 * 1024 * 1024, `answers totalled ${bytes} bytes`);
  socket.destroy();
});

test('daemon: starts fully or not at all; a PID file it cannot write stops it with nothing left serving', LIMIT, async () => {
  const home = freshHome();
  mkdirSync(home.dir, { mode: 0o700 });
  // A folder where the PID file goes: its write fails after the socket listens, as a full disk does.
  mkdirSync(home.pidPath);
  await assert.rejects(startDaemon(home), (error: unknown) => {
    assert.ok(error instanceof VmuxError);
    assert.equal(error.code, 'DAEMON_START_FAILED');
    assert.match(error.message, /vmuxd could not start: .*EISDIR/);
    return true;
  });
  assert.equal(existsSync(home.socketPath), false, 'no socket is left to answer');
});

test('vmuxd on a full disk: exits 1 at once with nothing left behind, and refuses a label it cannot save', LIMIT, async (t) => {
  const disk = smallTmpfs(256);
  if ('skip' in disk) return t.skip(disk.skip);
  const f = await waitingFixture();
  const home = vmuxHomeFrom({ VMUX_HOME: join(disk.dir, 'home') });
  const vmuxd = await spawnVmuxd(home);
  const labels: Record<string, string> = {};
  for (let i = 0; i < 40; i++) {
    const id = `${f.sessionId.slice(0, -4)}${String(i).padStart(4, '0')}`;
    if (id === f.sessionId) continue;
    labels[id] = `kept ${i}`;
  }
  writeFileSync(home.labelsPath, JSON.stringify(labels));
  assert.equal((await ask(home, { action: 'label', args: { session_id: f.sessionId, label: 'fits' } })).ok, true);
  fillDisk(disk.dir, 0);
  const refused = await ask(home, { action: 'label', args: { session_id: f.sessionId, label: 'x'.repeat(200) } });
  assert.equal(refused.ok, false);
  assert.equal(refused.code, 'LABELS_NOT_SAVED');
  assert.match(refused.error ?? '', /no space left|ENOSPC/i);
  assert.equal(mine((await ask(home, { action: 'list' })).sessions, f.proc.pid)?.label, 'fits', 'the refused label is not shown');
  vmuxd.child.kill('SIGTERM');
  assert.equal((await within(vmuxd.exited, 5000, 'vmuxd to stop')).code, 0);
  assert.deepEqual(JSON.parse(readFileSync(home.labelsPath, 'utf8')), { ...labels, [f.sessionId]: 'fits' }, 'every acknowledged label is on disk');

  // Started on the full disk, it does not half-start: no socket, no PID file, exit 1.
  fillDisk(disk.dir, 0);
  const again = spawn(process.execPath, [VMUXD], { env: childEnv(home), stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(again);
  let stderr = '';
  again.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exit = await within(new Promise<number | null>((resolve) => again.once('exit', (code) => resolve(code))), 5000, 'vmuxd on a full disk to exit');
  assert.equal(exit, 1, stderr);
  assert.match(stderr, /vmuxd could not start: .*(ENOSPC|no space)/i);
  assert.equal(existsSync(home.socketPath), false);
  assert.equal(existsSync(home.pidPath), false);
});

test('daemon: connections held idle never lock the user out; at the limit the idlest one makes room', { timeout: 30_000 }, async () => {
  const home = freshHome();
  await startDaemon(home);
  const held: LineClient[] = [];
  for (let i = 0; i < 520; i++) held.push(await LineClient.connect(home.socketPath));
  const subscriber = await LineClient.connect(home.socketPath);
  subscriber.send({ action: 'subscribe' });
  await subscriber.next<SessionsEvent>((e) => e.event === 'sessions', 'the first event');
  const answer = await ask(home, { action: 'list' });
  assert.equal(answer.ok, true, 'a new client is served');
  await within(held[0]?.ended ?? Promise.resolve(), 2000, 'the idlest held connection to be closed');
  assert.equal((await subscriber.request({ action: 'status' })).ok, true, 'a subscriber is never closed for being idle');
  for (const client of held) client.close();
});
