import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { startFakeClaude, writeSessionFile, type FakeClaude } from '../support/fake-claude.js';
import { tempDir } from '../support/temp-dir.js';
import { LineClient, pollUntil, requestOnce, startVmuxd, type VmuxdProcess } from '../support/vmuxd-process.js';

/**
 * vmuxd as a user's machine runs it — a real child process on a real Unix socket — under abuse:
 * thousands of malformed, oversized and binary requests, half-closed and broken connections, 200
 * clients at once, subscribers that never read, and SIGKILL in the middle of label writes.
 */

const MIB_KIB = 1024;
/** How far the daemon's RSS may be above its warmed-up level once a storm is over. */
const RSS_SLACK_KIB = 30 * MIB_KIB;
const SESSIONS = 24;

interface FixtureSessionRef {
  readonly pid: number;
  readonly sessionId: string;
}

// At module level: `tempDir` registers its removal with `after`, which inside a hook would run too soon.
const root = tempDir('vmux-robust-');
const claudeDir = join(root, 'claude');
const fakes: FakeClaude[] = [];
const sessions: FixtureSessionRef[] = [];

async function startFixture(): Promise<void> {
  for (let i = 0; i < SESSIONS; i++) {
    // A folder of its own for each script: rewriting the one a starting shell is reading would end it.
    const binDir = join(root, 'bin', String(i));
    mkdirSync(binDir, { recursive: true });
    const cwd = join(root, 'work', `project-${i}`);
    mkdirSync(cwd, { recursive: true });
    const fake = await startFakeClaude({ cwd, binDir });
    fakes.push(fake);
    const sessionId = randomUUID();
    writeSessionFile(claudeDir, fake.pid, { sessionId, cwd });
    sessions.push({ pid: fake.pid, sessionId });
  }
}

function listedIds(response: Record<string, unknown>): Set<string> {
  const listed = (response['sessions'] ?? []) as Array<{ session_id?: string }>;
  return new Set(listed.map((s) => s.session_id ?? ''));
}

async function startDaemon(home: string): Promise<VmuxdProcess> {
  const daemon = await startVmuxd({ home: join(root, home), claudeDir, userHome: root, pollSeconds: 0.5 });
  // The first scan runs before the daemon listens: every fixture session is there at once.
  try {
    const reply = await daemon.request({ action: 'list' });
    const listed = listedIds(reply);
    for (const s of sessions) {
      assert.ok(listed.has(s.sessionId), `daemon lists fixture session ${s.sessionId} (pid ${s.pid}) among ${sessions.length}: ${JSON.stringify((reply['sessions'] as Array<{ cwd: string }>).filter((r) => r.cwd.startsWith(root))).slice(0, 3000)}`);
    }
  } catch (error) {
    await daemon.kill('SIGKILL');
    throw error;
  }
  return daemon;
}

/** Polls RSS until it is at most `limitKib` (memory is given back lazily after GC), or the deadline. */
async function settledRss(daemon: VmuxdProcess, limitKib: number, timeoutMs = 10_000): Promise<number> {
  let rss = daemon.rssKib();
  const deadline = Date.now() + timeoutMs;
  while (rss > limitKib && Date.now() < deadline) {
    // A few cheap requests let the daemon's event loop turn, so idle-time GC can run.
    await requestOnce(daemon.home.socketPath, { action: 'status' });
    await delay(100);
    rss = daemon.rssKib();
  }
  return rss;
}

// ---- request corpus -------------------------------------------------------------------------

type Expect = 'ok' | 'error' | 'either';
interface Case {
  readonly line: Buffer;
  readonly expect: Expect;
}

function textCase(text: string, expect: Expect): Case {
  return { line: Buffer.from(`${text}\n`, 'utf8'), expect };
}

/** Deeply nested JSON: costly to parse, so sent a few times rather than dozens. */
function deepCases(): Case[] {
  return [
    textCase('['.repeat(50_000), 'error'),
    textCase('{"a":'.repeat(20_000), 'error'),
    // Valid JSON, but deep: accepted or refused, it must be answered and must not crash the daemon.
    textCase(`{"action":"list","args":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`, 'either'),
  ];
}

function fixedCases(realSessionId: string): Case[] {
  const bad = [
    '{',
    '{"action":',
    'nul',
    'list',
    '[]',
    '[1,2,3]',
    '"list"',
    '42',
    'null',
    'true',
    '{}',
    '{"action":null}',
    '{"action":42}',
    '{"action":["list"]}',
    '{"action":{"name":"list"}}',
    '{"action":"LIST"}',
    '{"action":"list "}',
    '{"action":"switch","args":{"query":"x"}}',
    '{"action":"__proto__"}',
    '{"action":"constructor"}',
    '{"action":"toString"}',
    '{"action":"hasOwnProperty"}',
    '{"__proto__":{"action":"list"}}',
    '{"action":"list","args":[]}',
    '{"action":"list","args":"x"}',
    '{"action":"list","args":5}',
    '{"action":"label"}',
    '{"action":"label","args":null}',
    '{"action":"label","args":{}}',
    '{"action":"label","args":{"session_id":1,"label":"x"}}',
    '{"action":"label","args":{"session_id":"","label":"x"}}',
    '{"action":"label","args":{"session_id":"   ","label":"x"}}',
    '{"action":"label","args":{"session_id":"no-such-session","label":5}}',
    '{"action":"label","args":{"session_id":"no-such-session","label":"x"}}',
    `{"action":"label","args":{"session_id":"${realSessionId}","label":"${'x'.repeat(201)}"}}`,
    `{"action":"label","args":{"session_id":"${realSessionId}"}}`,
    '{"action":"\\ud800"}',
    '{"action":"li\\u0000st"}',
    `{"action":"${'\u001b[31m'.repeat(30)}"}`,
    '\uFEFF{"action":"list"}',
    '{"action":"list"}}',
    '{"action":"list"} {"action":"list"}',
    "{'action':'list'}",
    '{action:"list"}',
    '[{"action":"list"}]',
  ];
  const good = [
    '{"action":"list"}',
    '{"action":"status"}',
    '{"action":"version"}',
    '{"action":"list","args":null}',
    '{"action":"status","args":{}}',
    '{"action":"list","extra":[1,2,3]}',
    '  {"action":"version"}  ',
    '{"action":"status"}\r',
  ];
  return [
    ...bad.map((text) => textCase(text, 'error')),
    ...good.map((text) => textCase(text, 'ok')),
    // Raw control bytes inside a string are not JSON.
    { line: Buffer.from([...Buffer.from('{"action":"li'), 0x00, ...Buffer.from('st"}\n')]), expect: 'error' },
    // Invalid UTF-8 inside an otherwise fine request: decoded as U+FFFD, an unknown action.
    { line: Buffer.from([...Buffer.from('{"action":"'), 0xff, 0xfe, 0xc3, ...Buffer.from('"}\n')]), expect: 'error' },
    // Overlong encoding of "/" and a lone continuation byte.
    { line: Buffer.from([0xc0, 0xaf, 0x80, 0x0a]), expect: 'error' },
  ];
}

/** Seeded, so a failure can be replayed. */
function* randomBytes(seed: number): Generator<number> {
  let state = seed >>> 0;
  for (;;) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    yield state;
  }
}

/** Random binary lines: no newline inside, and a first byte no JSON text can start with. */
function binaryCases(count: number, seed: number): Case[] {
  const random = randomBytes(seed);
  const next = (): number => random.next().value as number;
  const starts = [0x00, 0x01, 0x7f, 0x80, 0xc0, 0xfe, 0xff];
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const length = 1 + (next() % 400);
    const bytes = Buffer.alloc(length + 1);
    bytes[0] = starts[next() % starts.length] ?? 0;
    for (let j = 1; j < length; j++) {
      const b = next() & 0xff;
      bytes[j] = b === 0x0a ? 0x00 : b;
    }
    bytes[length] = 0x0a;
    cases.push({ line: bytes, expect: 'error' });
  }
  return cases;
}

function checkReply(line: string, expect: Expect, what: string): void {
  let reply: { ok?: unknown; error?: unknown };
  try {
    reply = JSON.parse(line) as { ok?: unknown; error?: unknown };
  } catch {
    assert.fail(`reply to ${what} is not JSON: ${line.slice(0, 200)}`);
  }
  assert.equal(typeof reply.ok, 'boolean', `reply to ${what} has a boolean ok: ${line.slice(0, 200)}`);
  if (reply.ok === false) {
    assert.equal(typeof reply.error, 'string', `error reply to ${what} says why`);
    assert.ok((reply.error as string).length > 0, `error reply to ${what} says why`);
  }
  if (expect === 'ok') assert.equal(reply.ok, true, `${what} is accepted: ${line.slice(0, 300)}`);
  if (expect === 'error') assert.equal(reply.ok, false, `${what} is refused: ${line.slice(0, 300)}`);
}

function describeCase(c: Case): string {
  const text = c.line.toString('utf8');
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…(${c.line.length} bytes)` : text);
}

/** Sends the cases on one connection in chunks cut at random places, and checks every reply in order. */
async function sendCases(socketPath: string, cases: readonly Case[], seed: number): Promise<number> {
  const client = await LineClient.connect(socketPath);
  try {
    const all = Buffer.concat(cases.map((c) => c.line));
    const random = randomBytes(seed);
    const replies = client.lines(cases.length, 20_000);
    for (let at = 0; at < all.length; ) {
      const size = 1 + ((random.next().value as number) % 8192);
      client.write(all.subarray(at, at + size));
      at += size;
    }
    const lines = await replies;
    for (const [i, c] of cases.entries()) checkReply(lines[i] ?? '', c.expect, describeCase(c));
    return lines.length;
  } finally {
    client.close();
  }
}

function shuffle<T>(items: T[], seed: number): T[] {
  const random = randomBytes(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = (random.next().value as number) % (i + 1);
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
  return items;
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map((item, j) => work(item, i + j)));
  }
}

/**
 * One storm: ~3,500 shuffled bad, good and binary lines, oversized lines, thousands of pipelined
 * requests, byte-by-byte requests, 400 half-closed or broken connections. Checks every reply;
 * returns how many lines were answered.
 */
async function storm(socketPath: string, realId: string, mark: (phase: string) => void): Promise<number> {
  let answered = 0;
  // 1. ~3,500 lines of bad, good and binary requests, shuffled, over 35 connections, 5 at a time.
  const fixed = fixedCases(realId);
  const deep = deepCases();
  const corpus = shuffle([...Array.from({ length: 40 }, () => fixed).flat(), ...deep, ...deep, ...deep, ...binaryCases(1_200, 7)], 11);
  const perConnection = 100;
  const groups: Case[][] = [];
  for (let i = 0; i < corpus.length; i += perConnection) groups.push(corpus.slice(i, i + perConnection));
  await inBatches(groups, 5, async (group, i) => {
    const n = await sendCases(socketPath, group, 100 + i);
    answered += n;
  });
  assert.ok(answered >= 3_000, `answered ${answered} lines`);

  mark('mixed');
  // 2. Oversized lines: 2 MiB with no newline in sight is refused as soon as it passes 1 MiB;
  //    the rest of that line is dropped, and the next request on the connection is answered.
  for (let i = 0; i < 3; i++) {
    const client = await LineClient.connect(socketPath);
    const huge = Buffer.alloc(2 * 1024 * 1024, i === 0 ? 0x61 : i === 1 ? 0x00 : 0x7b);
    client.write(huge);
    const refusal = await client.nextLine(10_000);
    checkReply(refusal, 'error', `a ${huge.length}-byte line`);
    assert.match(refusal, /too long/);
    client.write('\n{"action":"list"}\n');
    checkReply(await client.nextLine(), 'ok', 'a list after an oversized line');
    client.close();
    answered += 2;
  }
  mark('2MiB-lines');
  // The limit is exactly 1 MiB of line (newline excluded).
  for (const [size, expect] of [
    [1024 * 1024, 'ok'],
    [1024 * 1024 + 1, 'error'],
  ] as const) {
    const head = '{"action":"status","pad":"';
    const line = `${head}${'p'.repeat(size - head.length - 2)}"}`;
    assert.equal(Buffer.byteLength(line), size);
    const client = await LineClient.connect(socketPath);
    client.write(`${line}\n`);
    checkReply(await client.nextLine(10_000), expect, `a request line of ${size} bytes`);
    client.close();
    answered++;
  }

  mark('1MiB-boundary');
  // 3. Many requests in one write: 3,000 status requests and 100 lists, one buffer.
  {
    const client = await LineClient.connect(socketPath);
    const lines = [...Array.from({ length: 3_000 }, () => '{"action":"status"}'), ...Array.from({ length: 100 }, () => '{"action":"list"}')];
    client.write(`${lines.join('\n')}\n`);
    const replies = await client.lines(lines.length, 20_000);
    for (const reply of replies) checkReply(reply, 'ok', 'a pipelined request');
    client.close();
    answered += replies.length;
  }

  mark('pipelined');
  // 4. Requests split byte by byte, each byte its own write with the event loop turning between.
  {
    const client = await LineClient.connect(socketPath);
    const cases = [textCase('{"action":"list"}', 'ok'), textCase('{"action":"nope"}', 'error'), { line: Buffer.from([0xe2, 0x82, 0xac, 0x0a]), expect: 'error' as const }, textCase('{"action":"version"}', 'ok')];
    for (const byte of Buffer.concat(cases.map((c) => c.line))) {
      client.write(Buffer.from([byte]));
      await delay(0);
    }
    const replies = await client.lines(cases.length);
    for (const [i, c] of cases.entries()) checkReply(replies[i] ?? '', c.expect, `${describeCase(c)} sent byte by byte`);
    client.close();
    answered += cases.length;
  }

  mark('byte-by-byte');
  // 5. Half-closed and broken connections, 80 of each kind, 20 at a time.
  const kinds = ['request-then-end', 'end-without-writing', 'partial-then-end', 'destroy-mid-line', 'destroy-at-once'] as const;
  const jobs = kinds.flatMap((kind) => Array.from({ length: 80 }, () => kind));
  await inBatches(shuffle(jobs, 5), 20, async (kind) => {
    const client = await LineClient.connect(socketPath);
    switch (kind) {
      case 'request-then-end': {
        // The reply still arrives on the half-closed connection, then the daemon closes it.
        client.socket.end('{"action":"status"}\n');
        checkReply(await client.nextLine(), 'ok', 'a request followed by end()');
        await client.ended;
        answered++;
        break;
      }
      case 'end-without-writing':
        client.socket.end();
        await client.ended;
        assert.equal(client.pending, 0, 'no reply to nothing');
        break;
      case 'partial-then-end':
        // An unfinished line is no request: no reply, and the connection is closed.
        client.socket.end('{"action":"list"');
        await client.ended;
        assert.equal(client.pending, 0, 'no reply to an unfinished line');
        break;
      case 'destroy-mid-line':
        client.write('{"action":"label","args":{"session_id":"');
        client.write(Buffer.alloc(4096, 0x78));
        client.close();
        break;
      case 'destroy-at-once':
        client.close();
        break;
    }
  });
  mark('half-closed');
  return answered;
}

// ---- tests ----------------------------------------------------------------------------------

describe('vmuxd robustness', { concurrency: 1 }, () => {
before(startFixture);
after(async () => {
  await Promise.all(fakes.map((fake) => fake.stop('SIGKILL')));
});

describe('vmuxd under abuse (real child process, real Unix socket)', { timeout: 180_000 }, () => {
  let daemon: VmuxdProcess;

  before(async () => {
    daemon = await startDaemon('home-storm');
  });
  after(async () => {
    if (daemon?.isAlive()) {
      const exit = await daemon.stop();
      assert.equal(exit.code, 0, `vmuxd exits 0 on SIGTERM: ${daemon.stderr()}`);
    }
  });

  it('survives thousands of malformed, oversized, binary, split and half-closed requests, answering each line, memory flat', async (t) => {
    const socketPath = daemon.home.socketPath;
    const realId = sessions[0]?.sessionId ?? '';
    const atStart = daemon.rssKib();
    // A first storm reaches the high-water mark of V8's heap and the allocator (memory Node
    // keeps once it has it); the second must then not add to it: that is flat.
    await storm(socketPath, realId, () => {});
    const baseline = await settledRss(daemon, 0, 300);
    let peak = baseline;
    const sample = setInterval(() => {
      try {
        peak = Math.max(peak, daemon.rssKib());
      } catch {
        // Checked below: the daemon must be alive.
      }
    }, 25);
    const phases: string[] = [];
    const mark = (phase: string): void => {
      phases.push(`${phase} ${(daemon.rssKib() / 1024).toFixed(0)}`);
    };
    let answered = 0;
    try {
      answered = await storm(socketPath, realId, mark);
    } finally {
      clearInterval(sample);
    }

    assert.ok(daemon.isAlive(), `vmuxd is alive after the storm: ${daemon.stderr()}`);
    const status = await daemon.request({ action: 'status' });
    assert.equal(status['ok'], true);
    assert.equal((status['status'] as { pid?: number }).pid, daemon.pid, 'the same daemon answers');
    const listed = listedIds(await daemon.request({ action: 'list' }));
    for (const s of sessions) assert.ok(listed.has(s.sessionId), 'a normal list after the storm has every session');

    const settled = await settledRss(daemon, baseline + RSS_SLACK_KIB);
    t.diagnostic(`${answered} lines answered per storm; RSS at start ${(atStart / 1024).toFixed(1)} MiB, after a first storm ${(baseline / 1024).toFixed(1)} MiB, peak ${(peak / 1024).toFixed(1)} MiB, after ${(settled / 1024).toFixed(1)} MiB; RSS MiB after each phase: ${phases.join(', ')}`);
    assert.ok(settled <= baseline + RSS_SLACK_KIB, `RSS ${settled} KiB stays within ${RSS_SLACK_KIB} KiB of ${baseline} KiB`);
  });

  it('answers 200 concurrent clients, each with a list and a status', async () => {
    const clients = await Promise.all(Array.from({ length: 200 }, () => LineClient.connect(daemon.home.socketPath, 10_000)));
    try {
      const results = await Promise.all(
        clients.map(async (client) => {
          const list = await client.request({ action: 'list' }, 15_000);
          const status = await client.request({ action: 'status' }, 15_000);
          return { list, status };
        }),
      );
      for (const { list, status } of results) {
        assert.equal(list['ok'], true);
        assert.equal((list['sessions'] as unknown[]).length >= SESSIONS, true);
        assert.equal(status['ok'], true);
        assert.equal((status['status'] as { pid?: number }).pid, daemon.pid);
      }
    } finally {
      for (const client of clients) client.close();
    }
  });

  it('drops subscribers that never read while events flood, keeps its memory bounded and keeps serving others', async (t) => {
    const socketPath = daemon.home.socketPath;
    const baseline = await settledRss(daemon, 0, 300);
    const SUBSCRIBERS = 4;
    /** Per flood, what each subscriber is sent: 4 × 16 MiB held if the daemon kept them all. */
    const FLOOD_BYTES = 16 * 1024 * 1024;
    const filler = 'y'.repeat(180);
    let peak = baseline;
    let slowestList = 0;
    let lists = 0;
    let labels = 0;
    const afterFlood: number[] = [];
    const received: number[] = [];

    // A well-behaved subscriber keeps reading throughout.
    const reader = await LineClient.connect(socketPath);
    reader.write('{"action":"subscribe"}\n');
    let readerEvents = 0;
    reader.socket.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 0x0a) readerEvents++;
    });

    for (let flood = 0; flood < 2; flood++) {
      const paused: LineClient[] = [];
      for (let i = 0; i < SUBSCRIBERS; i++) {
        const client = await LineClient.connect(socketPath);
        client.write('{"action":"subscribe"}\n');
        // Never reads: the daemon's writes pile up in the kernel, then in the daemon.
        client.socket.pause();
        paused.push(client);
      }
      // A lister keeps asking meanwhile.
      let flooding = true;
      const lister = (async () => {
        while (flooding) {
          const started = Date.now();
          const reply = await requestOnce(socketPath, { action: 'list' }, 5_000);
          assert.equal(reply['ok'], true);
          slowestList = Math.max(slowestList, Date.now() - started);
          lists++;
          peak = Math.max(peak, daemon.rssKib());
          await delay(20);
        }
      })();
      // Each label changes the list, so every subscriber is sent the whole list again (~15 KB).
      const writer = await LineClient.connect(socketPath);
      let eventBytes = 0;
      for (let i = 0; eventBytes < FLOOD_BYTES && i < 5_000; i++) {
        const session = sessions[i % sessions.length];
        assert.ok(session);
        const reply = await writer.request({ action: 'label', args: { session_id: session.sessionId, label: `${flood}.${i} ${filler}` } });
        assert.equal(reply['ok'], true, JSON.stringify(reply).slice(0, 300));
        // A label reply carries the same list an event does.
        eventBytes += JSON.stringify({ event: 'sessions', sessions: reply['sessions'] }).length + 1;
        labels++;
        if (i % 50 === 0) peak = Math.max(peak, daemon.rssKib());
      }
      flooding = false;
      await lister;
      writer.close();

      // Every paused subscriber was dropped: resumed now, it reads what the kernel held, then the end.
      for (const client of paused) {
        let bytes = 0;
        client.socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
        client.socket.resume();
        await Promise.race([
          client.ended,
          delay(5_000).then(() => assert.fail(`a subscriber that never read is still connected after ${eventBytes} bytes of events`)),
        ]);
        received.push(bytes);
        assert.ok(bytes < eventBytes / 2, `a dropped subscriber got ${bytes} of ${eventBytes} bytes`);
      }
      afterFlood.push(await settledRss(daemon, (afterFlood[0] ?? baseline) + 5 * MIB_KIB, 3_000));
    }

    // The reader that kept up saw (nearly) every change and is still subscribed.
    assert.ok(readerEvents >= labels / 2, `the reading subscriber saw ${readerEvents} events for ${labels} labels`);
    assert.equal(reader.socket.destroyed, false, 'the reading subscriber is still connected');
    reader.close();

    const [first = 0, second = 0] = afterFlood;
    t.diagnostic(
      `2 floods, ${labels} labels, ${FLOOD_BYTES / 2 ** 20} MiB of events per paused subscriber per flood; dropped subscribers got ${received.map((b) => (b / 2 ** 20).toFixed(1)).join('/')} MiB; ` +
        `RSS baseline ${(baseline / 1024).toFixed(1)} MiB, peak ${(peak / 1024).toFixed(1)} MiB, after each flood ${afterFlood.map((k) => (k / 1024).toFixed(1)).join(' / ')} MiB; ` +
        `${lists} lists meanwhile, slowest ${slowestList} ms`,
    );
    // Without dropping, the daemon would hold 4 × 16 MiB per flood (128 MiB in all); it may hold
    // 4 × 4 MiB of unread output at a time, plus garbage V8 has not collected yet.
    assert.ok(peak <= baseline + 64 * MIB_KIB, `RSS peak ${peak} KiB stays bounded (baseline ${baseline} KiB)`);
    assert.ok(Math.max(first, second) <= baseline + 64 * MIB_KIB, `RSS after the floods (${first}, ${second} KiB) stays bounded`);
    assert.ok(lists >= 5, `other clients were served during the floods (${lists} lists)`);
    assert.ok(slowestList < 2_000, `the slowest list took ${slowestList} ms`);
    // Clear the labels, so later tests start from a clean list.
    for (const s of sessions) await daemon.request({ action: 'label', args: { session_id: s.sessionId, label: '' } });
  });
});

describe('kill -9 of vmuxd during a burst of label writes', { timeout: 180_000 }, () => {
  it('leaves labels.json valid with every acknowledged label, and a restart cleans the stale socket and serves them', async (t) => {
    const ROUNDS = 5;
    const WRITERS = 4;
    const home = 'home-kill';
    /** Per session: the labels sent, in order, and how many of them were acknowledged. */
    const sent = new Map<string, string[]>(sessions.map((s) => [s.sessionId, []]));
    const acked = new Map<string, number>(sessions.map((s) => [s.sessionId, 0]));
    let daemon: VmuxdProcess | undefined;
    let totalAcked = 0;
    const tmpLeft: string[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        if (round > 0) assert.ok(existsSync(join(root, home, 'vmuxd.sock')), 'the killed daemon left its socket behind');
        daemon = await startDaemon(home);
        if (round > 0) {
          // The restarted daemon serves the labels that were on disk.
          const onDisk = JSON.parse(readFileSync(daemon.home.labelsPath, 'utf8')) as Record<string, string>;
          const listed = (await daemon.request({ action: 'list' }))['sessions'] as Array<{ session_id: string; label?: string }>;
          for (const s of sessions) {
            const row = listed.find((r) => r.session_id === s.sessionId);
            assert.equal(row?.label, onDisk[s.sessionId], `restarted daemon shows the label of ${s.sessionId}`);
          }
        }
        const socketPath = daemon.home.socketPath;
        let ackedThisRound = 0;
        const writers = Array.from({ length: WRITERS }, async (_, w) => {
          const mine = sessions.filter((_, i) => i % WRITERS === w);
          let client: LineClient;
          try {
            client = await LineClient.connect(socketPath);
          } catch {
            return;
          }
          try {
            for (let n = 0; ; n++) {
              const session = mine[n % mine.length];
              assert.ok(session);
              const label = `round ${round} writer ${w} #${n}`;
              sent.get(session.sessionId)?.push(label);
              let reply: Record<string, unknown>;
              try {
                reply = await client.request({ action: 'label', args: { session_id: session.sessionId, label } }, 5_000);
              } catch {
                return; // The daemon died under us: this label is unacknowledged.
              }
              assert.equal(reply['ok'], true, JSON.stringify(reply).slice(0, 300));
              acked.set(session.sessionId, sent.get(session.sessionId)?.length ?? 0);
              ackedThisRound++;
            }
          } finally {
            client.close();
          }
        });
        // Kill at a different moment each round, once the burst is well under way.
        await pollUntil(() => ackedThisRound >= 40, 'the label burst to start', 10_000, 2);
        await delay(10 + round * 37);
        const exit = await daemon.kill('SIGKILL');
        assert.equal(exit.signal, 'SIGKILL');
        await Promise.all(writers);
        totalAcked += ackedThisRound;

        const text = readFileSync(daemon.home.labelsPath, 'utf8');
        let onDisk: Record<string, string>;
        try {
          onDisk = JSON.parse(text) as Record<string, string>;
        } catch {
          assert.fail(`labels.json is not valid JSON after kill -9 in round ${round}: ${text.slice(0, 300)}`);
        }
        for (const s of sessions) {
          const history = sent.get(s.sessionId) ?? [];
          const ackedCount = acked.get(s.sessionId) ?? 0;
          if (ackedCount === 0) continue;
          // The last acknowledged label, or one sent after it whose reply the kill cut off.
          const allowed = history.slice(ackedCount - 1);
          assert.ok(allowed.includes(onDisk[s.sessionId] ?? '<none>'), `round ${round}: labels.json has "${onDisk[s.sessionId]}" for ${s.sessionId}; acknowledged last: "${history[ackedCount - 1]}"`);
        }
        tmpLeft.push(...readdirSync(daemon.home.dir).filter((name) => name.startsWith('labels.json.tmp')));
      }

      // One more restart over the stale socket; then a clean stop removes socket and PID file.
      daemon = await startDaemon(home);
      const exit = await daemon.stop();
      assert.equal(exit.code, 0, daemon.stderr());
      assert.equal(existsSync(daemon.home.socketPath), false, 'socket removed on stop');
      assert.equal(existsSync(daemon.home.pidPath), false, 'PID file removed on stop');
      t.diagnostic(`${ROUNDS} rounds, ${totalAcked} labels acknowledged before the kills; temp files left by killed daemons: ${tmpLeft.length ? [...new Set(tmpLeft)].join(', ') : 'none'}`);
    } finally {
      if (daemon?.isAlive()) await daemon.kill('SIGKILL');
    }
  });
});
});
