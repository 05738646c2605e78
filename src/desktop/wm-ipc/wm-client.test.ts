import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../../../test/support/temp-dir.js';
import { VmuxError, WmRefusedError } from '../../errors.js';
import { encodeMessage } from './ipc-codec.js';
import { startFakeWm, type FakeReplyTable, type FakeWmServer } from '../../../test/support/fake-wm-server.js';
import { eventWireType, MESSAGE_TYPES } from './message-types.js';
import { WmClient, type RequestType } from './wm-client.js';
import type { WmEvent } from './wm-events.js';
import { walkTree } from './wm-tree.js';

const { RUN_COMMAND, GET_WORKSPACES, SUBSCRIBE, GET_TREE, GET_MARKS, GET_VERSION } = MESSAGE_TYPES;
const dir = tempDir('vmux-wm-ipc-');
const execFileAsync = promisify(execFile);

/** What i3 4.22 sends, cut down: root → output → content → workspace → two windows, one floating. */
const I3_TREE = {
  id: 94_125_696_577_152,
  name: 'root',
  type: 'root',
  focused: false,
  nodes: [
    { id: 1001, name: '__i3', type: 'output', nodes: [], floating_nodes: [] },
    {
      id: 1002,
      name: 'screen',
      type: 'output',
      floating_nodes: [],
      nodes: [
        { id: 1003, name: 'topdock', type: 'dockarea', nodes: [], floating_nodes: [] },
        {
          id: 1004,
          name: 'content',
          type: 'con',
          floating_nodes: [],
          nodes: [
            {
              id: 1005,
              name: '2: code',
              type: 'workspace',
              num: 2,
              focus: [94_125_696_606_768],
              nodes: [
                {
                  id: 94_125_696_606_768,
                  name: 'claude ~/src/vmux',
                  type: 'con',
                  window: 8_388_620,
                  window_properties: { class: 'XTerm', instance: 'xterm', title: 'claude ~/src/vmux' },
                  focused: true,
                  urgent: false,
                  nodes: [],
                  floating_nodes: [],
                  marks: [],
                  future_field: { anything: 1 },
                },
              ],
              floating_nodes: [
                {
                  id: 1007,
                  name: null,
                  type: 'floating_con',
                  nodes: [{ id: 1008, name: 'pinentry', type: 'con', window: 10_485_772, nodes: [], floating_nodes: [] }],
                  floating_nodes: [],
                },
              ],
            },
          ],
        },
      ],
    },
  ],
  floating_nodes: [],
};

/** What sway 1.7 sends for a native Wayland view: a `pid` and an `app_id`, no X11 window. */
const SWAY_TREE = {
  id: 1,
  name: 'root',
  type: 'root',
  nodes: [
    {
      id: 3,
      name: 'HEADLESS-1',
      type: 'output',
      nodes: [
        {
          id: 4,
          name: '1',
          type: 'workspace',
          num: 1,
          nodes: [{ id: 5, name: 'foot', type: 'con', pid: 4242, app_id: 'foot', shell: 'xdg_shell', focused: true, nodes: [], floating_nodes: [] }],
          floating_nodes: [],
        },
      ],
      floating_nodes: [],
    },
  ],
  floating_nodes: [],
};

const WORKSPACES = [
  { id: 1005, num: 2, name: '2: code', visible: true, focused: true, urgent: false, rect: { x: 0, y: 0, width: 1024, height: 768 }, output: 'screen' },
  { num: -1, name: 'mail', visible: false, focused: false, urgent: true, output: 'screen' },
];

const VERSION = { major: 4, minor: 22, patch: 0, human_readable: '4.22 (2023-01-02)', loaded_config_file_name: '/etc/i3/config' };

/** The table a healthy i3 answers from; tests override single entries. */
function healthy(overrides: FakeReplyTable = {}): FakeReplyTable {
  return {
    [GET_TREE.code]: { json: I3_TREE },
    [GET_WORKSPACES.code]: { json: WORKSPACES },
    [GET_VERSION.code]: { json: VERSION },
    [GET_MARKS.code]: { json: ['a'] },
    [RUN_COMMAND.code]: () => ({ json: [{ success: true }] }),
    [SUBSCRIBE.code]: { json: { success: true } },
    ...overrides,
  };
}

async function fakeWm(table: FakeReplyTable): Promise<FakeWmServer> {
  const server = await startFakeWm(dir, table);
  after(() => server.close());
  return server;
}

async function connect(server: FakeWmServer, timeoutMs?: number): Promise<WmClient> {
  const client = await WmClient.connect(server.path, timeoutMs === undefined ? {} : { timeoutMs });
  after(() => client.close());
  return client;
}

/** Asserts a `WM_UNREACHABLE` VmuxError whose message matches. */
async function rejectsUnreachable(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof VmuxError, `a VmuxError, got ${String(error)}`);
    assert.equal(error.code, 'WM_UNREACHABLE');
    assert.match(error.message, message);
    return true;
  });
}

test('getTree reads an i3 tree: ids, X11 windows, floating windows, each with its workspace', async () => {
  const client = await connect(await fakeWm(healthy()));
  const tree = await client.getTree();
  assert.equal(tree.type, 'root');
  const windows = [...walkTree(tree)].filter(({ node }) => typeof node.window === 'number');
  assert.deepEqual(
    windows.map(({ node, workspace }) => [node.id, node.window, node.name, workspace?.name]),
    [
      [94_125_696_606_768, 8_388_620, 'claude ~/src/vmux', '2: code'],
      [1008, 10_485_772, 'pinentry', '2: code'],
    ],
  );
  const [claude] = windows;
  assert.deepEqual(claude?.node.window_properties, { class: 'XTerm', instance: 'xterm', title: 'claude ~/src/vmux' });
  assert.equal(claude?.node.focused, true);
  assert.equal(claude?.node.pid, undefined, 'i3 sends no pid');
  assert.ok(!('future_field' in (claude?.node ?? {})), 'only the fields vmux reads are kept');
  const dock = [...walkTree(tree)].find(({ node }) => node.type === 'dockarea');
  assert.equal(dock?.workspace, undefined);
});

test('getTree reads a sway tree: views carry pid and app_id', async () => {
  const client = await connect(await fakeWm(healthy({ [GET_TREE.code]: { json: SWAY_TREE } })));
  const view = [...walkTree(await client.getTree())].find(({ node }) => node.pid !== undefined);
  assert.equal(view?.node.id, 5);
  assert.equal(view?.node.pid, 4242);
  assert.equal(view?.node.app_id, 'foot');
  assert.equal(view?.workspace?.name, '1');
});

test('getWorkspaces and getVersion return the typed fields', async () => {
  const client = await connect(await fakeWm(healthy()));
  assert.deepEqual(await client.getWorkspaces(), [
    { id: 1005, num: 2, name: '2: code', focused: true, visible: true, urgent: false, output: 'screen' },
    { num: -1, name: 'mail', focused: false, visible: false, urgent: true, output: 'screen' },
  ]);
  assert.deepEqual(await client.getVersion(), VERSION);
});

test('request sends any other message type and returns its JSON; pipelined requests get their own replies', async () => {
  const server = await fakeWm(healthy());
  const client = await connect(server);
  const [marks, version, workspaces] = await Promise.all([
    client.request(GET_MARKS.code),
    client.getVersion(),
    client.getWorkspaces(),
  ]);
  assert.deepEqual(marks, ['a']);
  assert.equal(version.minor, 22);
  assert.equal(workspaces.length, 2);
  assert.deepEqual(
    server.requests.map((request) => request.type),
    [GET_MARKS.code, GET_VERSION.code, GET_WORKSPACES.code],
  );
});

test('request will not send RUN_COMMAND or SUBSCRIBE: commands only go through the typed helpers', async () => {
  const server = await fakeWm(healthy());
  const client = await connect(server);
  // The types forbid it; a caller that casts its way around them still gets nowhere.
  await assert.rejects(client.request(RUN_COMMAND.code as unknown as RequestType, 'exec rm -rf ~'), RangeError);
  await assert.rejects(client.request(SUBSCRIBE.code as unknown as RequestType, '["window"]'), RangeError);
  assert.deepEqual(server.requests, []);
});

test('focusContainer sends exactly [con_id=N] focus', async () => {
  const server = await fakeWm(healthy());
  const client = await connect(server);
  await client.focusContainer(94_125_696_606_768);
  assert.deepEqual(server.requests, [{ type: RUN_COMMAND.code, payload: '[con_id=94125696606768] focus' }]);
});

test('focusContainer refuses anything but a positive safe integer and sends nothing', async () => {
  const server = await fakeWm(healthy());
  const client = await connect(server);
  const hostile: unknown[] = [
    Number.NaN,
    -3,
    0,
    1.5,
    2 ** 53,
    Number.POSITIVE_INFINITY,
    '12] exec rm -rf ~ [',
    '7',
    Number('1]; exec xterm'),
  ];
  for (const value of hostile) {
    await assert.rejects(client.focusContainer(value as number), RangeError, `refused ${String(value)}`);
  }
  assert.deepEqual(server.requests, []);
});

test('a command the WM refuses is WM_REFUSED, with the WM\'s own reason', async () => {
  const table = healthy({
    [RUN_COMMAND.code]: { json: [{ success: false, parse_error: false, error: 'No window matches given criteria' }] },
  });
  const client = await connect(await fakeWm(table));
  await assert.rejects(client.focusContainer(12345), (error: unknown) => {
    assert.ok(error instanceof WmRefusedError);
    assert.equal(error.code, 'WM_REFUSED');
    assert.deepEqual(error.reasons, ['No window matches given criteria']);
    assert.match(error.message, /refused "\[con_id=12345\] focus": No window matches given criteria/);
    return true;
  });
  // Refusal is an answer: the connection is still good.
  assert.equal((await client.getVersion()).major, 4);
});

test('a refusal without a reason, a parse error and an empty outcome list are refusals too', async () => {
  for (const [json, reason] of [
    [[{ success: false }], /no reason given/],
    [[{ success: false, parse_error: true }], /could not parse/],
    [[], /ran nothing/],
  ] as const) {
    const client = await connect(await fakeWm(healthy({ [RUN_COMMAND.code]: { json } })));
    await assert.rejects(client.focusContainer(1), (error: unknown) => error instanceof WmRefusedError && reason.test(error.message));
  }
});

test('runCommand accepts the bare object very old i3 sent', async () => {
  const client = await connect(await fakeWm(healthy({ [RUN_COMMAND.code]: { json: { success: true } } })));
  assert.deepEqual(await client.runCommand({ kind: 'focus', conId: 9 }), [{ success: true }]);
});

test('a WM that closes the socket in the middle of a reply is WM_UNREACHABLE, at once', async () => {
  const client = await connect(await fakeWm(healthy({ [GET_TREE.code]: { json: I3_TREE, cutAfterBytes: 100 } })));
  const started = performance.now();
  await rejectsUnreachable(client.getTree(), /closed .* in the middle of a message \(the stream ended inside a frame \(86 of \d+ payload bytes\)\), while vmux waited for its GET_TREE \(4\) reply/);
  assert.ok(performance.now() - started < 1000, 'no waiting for the timeout');
  await rejectsUnreachable(client.getVersion(), /closed/);
});

test('a WM that closes the socket inside the header, or without a word, is WM_UNREACHABLE', async () => {
  const cutHeader = await connect(await fakeWm(healthy({ [GET_VERSION.code]: { json: VERSION, cutAfterBytes: 8 } })));
  await rejectsUnreachable(cutHeader.getVersion(), /inside a frame header \(8 of 14 bytes\)/);
  const hangUp = await connect(await fakeWm(healthy({ [GET_VERSION.code]: { hangUp: true } })));
  await rejectsUnreachable(hangUp.getVersion(), /closed .*while vmux waited for its GET_VERSION \(7\) reply/);
});

test('garbage is WM_UNREACHABLE: wrong magic, a huge length, a payload that is not JSON, a reply of the wrong type', async () => {
  const huge = Buffer.alloc(14);
  huge.write('i3-ipc');
  huge.writeUInt32LE(0xffff_fff0, 6);
  huge.writeUInt32LE(GET_TREE.code, 10);
  const cases: [Buffer, RegExp][] = [
    [Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), /does not speak i3 IPC: .*magic/],
    [huge, /does not speak i3 IPC: a frame announces 4294967280 payload bytes/],
    [encodeMessage(GET_TREE.code, '{"id": 1, nodes: ['), /GET_TREE \(4\) reply .* is not JSON/],
    [encodeMessage(GET_WORKSPACES.code, '[]'), /answered GET_TREE \(4\) with a GET_WORKSPACES \(1\) reply/],
  ];
  for (const [bytes, message] of cases) {
    const client = await connect(await fakeWm(healthy({ [GET_TREE.code]: { bytes } })));
    const started = performance.now();
    await rejectsUnreachable(client.getTree(), message);
    assert.ok(performance.now() - started < 1000, `${message}: no waiting for the timeout`);
  }
});

test('JSON of the wrong shape is WM_UNREACHABLE, naming what is wrong', async () => {
  const cases: [FakeReplyTable, (client: WmClient) => Promise<unknown>, RegExp][] = [
    [{ [GET_TREE.code]: { json: [1, 2] } }, (client) => client.getTree(), /GET_TREE reply .*tree is not an object/],
    [{ [GET_TREE.code]: { json: { id: 'x', nodes: [] } } }, (client) => client.getTree(), /tree\.id is not an integer/],
    [
      { [GET_TREE.code]: { json: { id: 1, nodes: [{ id: 2, nodes: 'no' }] } } },
      (client) => client.getTree(),
      /tree\[id=1\]\.nodes\[0\]\[id=2\]\.nodes is not a list/,
    ],
    [{ [GET_WORKSPACES.code]: { json: [{ num: 1 }] } }, (client) => client.getWorkspaces(), /workspace\[0\]\.name is not a string/],
    [{ [GET_VERSION.code]: { json: { major: '4' } } }, (client) => client.getVersion(), /major is not an integer/],
    [{ [RUN_COMMAND.code]: { json: [{ ok: true }] } }, (client) => client.focusContainer(1), /outcome\[0\]\.success is not a boolean/],
  ];
  for (const [table, call, message] of cases) {
    await rejectsUnreachable(call(await connect(await fakeWm(healthy(table)))), message);
  }
});

test('a tree nested past any real layout is garbage, not a stack overflow', async () => {
  const depth = 1000;
  const deep = `${'{"id":1,"nodes":['.repeat(depth)}{"id":2}${']}'.repeat(depth)}`;
  const client = await connect(await fakeWm(healthy({ [GET_TREE.code]: { bytes: encodeMessage(GET_TREE.code, deep) } })));
  await rejectsUnreachable(client.getTree(), /more than 256 levels deep/);
  // Nesting deep enough to break JSON.parse itself is just not JSON.
  const abyss = '['.repeat(2_000_000);
  const again = await connect(await fakeWm(healthy({ [GET_TREE.code]: { bytes: encodeMessage(GET_TREE.code, abyss) } })));
  await rejectsUnreachable(again.getTree(), /is not JSON/);
});

test('a WM that never answers is WM_UNREACHABLE after the reply timeout, naming the request', async () => {
  const server = await fakeWm(healthy({ [GET_TREE.code]: { silent: true }, [GET_VERSION.code]: { silent: true } }));
  const client = await connect(server, 150);
  const started = performance.now();
  const tree = client.getTree();
  const version = client.getVersion();
  await rejectsUnreachable(tree, /did not answer GET_TREE \(4\) within 150 ms/);
  const waited = performance.now() - started;
  assert.ok(waited >= 140 && waited < 1000, `waited ${Math.round(waited)} ms`);
  // Replies can no longer be matched to requests: everything after fails too.
  await rejectsUnreachable(version, /did not answer GET_TREE/);
  await rejectsUnreachable(client.getVersion(), /did not answer GET_TREE/);
});

test('connecting where no WM listens is WM_UNREACHABLE, saying why', async () => {
  await rejectsUnreachable(WmClient.connect(join(dir, 'nothing-here.sock')), /no socket at .*nothing-here\.sock \(is i3 or sway running\?\)/);
  const plain = join(dir, 'plain-file.sock');
  writeFileSync(plain, '');
  await rejectsUnreachable(WmClient.connect(plain), /cannot reach the window manager: .*plain-file\.sock/);
});

test('after close() requests fail at once; a request in flight fails too', async () => {
  const client = await connect(await fakeWm(healthy({ [GET_TREE.code]: { silent: true } })));
  const inFlight = client.getTree();
  client.close();
  await rejectsUnreachable(inFlight, /closed before the window manager answered/);
  await rejectsUnreachable(client.getVersion(), /is closed/);
});

test('an idle client does not keep the process alive, so a forgotten close() cannot hang vmux', async () => {
  const server = await fakeWm(healthy());
  const script = [
    `import { WmClient } from ${JSON.stringify(new URL('./wm-client.js', import.meta.url).href)};`,
    `const client = await WmClient.connect(${JSON.stringify(server.path)});`,
    'console.log((await client.getVersion()).human_readable);',
  ].join('\n');
  const started = performance.now();
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], { timeout: 5000 });
  assert.equal(stdout.trim(), '4.22 (2023-01-02)');
  assert.ok(performance.now() - started < 4000);
});

test('subscribe: window and workspace events arrive in order, typed', async () => {
  const server = await fakeWm(healthy());
  const client = await connect(server);
  const events: WmEvent[] = [];
  const subscription = await client.subscribe(['window', 'workspace'], (event) => events.push(event));
  assert.deepEqual(server.requests.at(-1), { type: SUBSCRIBE.code, payload: '["window","workspace"]' });

  const claude = { id: 77, name: 'claude', type: 'con', pid: 4242, focused: true, nodes: [], floating_nodes: [] };
  assert.equal(await server.emitEvent('window', { change: 'focus', container: claude }), 1);
  await server.emitEvent('workspace', { change: 'focus', current: { id: 4, name: '2', type: 'workspace', nodes: [] }, old: null });
  await server.emitEvent('window', { change: 'title', container: { ...claude, name: 'claude (waiting)' } });
  await waitFor(() => events.length === 3);

  const [focus, workspace, title] = events;
  assert.ok(focus?.type === 'window');
  assert.equal(focus.change, 'focus');
  assert.equal(focus.container.id, 77);
  assert.equal(focus.container.pid, 4242);
  assert.ok(workspace?.type === 'workspace');
  assert.equal(workspace.current?.name, '2');
  assert.equal(workspace.old, null);
  assert.ok(title?.type === 'window');
  assert.equal(title.container.name, 'claude (waiting)');

  // The request connection is separate and still answers while subscribed.
  assert.equal((await client.getVersion()).major, 4);
  subscription.close();
  assert.equal(await subscription.ended, undefined);
});

test('subscribe: other event types come through as their JSON', async () => {
  const server = await fakeWm(healthy());
  const client = await connect(server);
  const events: WmEvent[] = [];
  const subscription = await client.subscribe(['shutdown', 'tick'], (event) => events.push(event));
  await server.emitEvent('tick', { first: true, payload: '' });
  await server.emitEvent('shutdown', { change: 'restart' });
  await waitFor(() => events.length === 2);
  assert.deepEqual(events, [
    { type: 'tick', payload: { first: true, payload: '' } },
    { type: 'shutdown', payload: { change: 'restart' } },
  ]);
  subscription.close();
});

test('subscribe refused by the WM is WM_REFUSED', async () => {
  const client = await connect(await fakeWm(healthy({ [SUBSCRIBE.code]: { json: { success: false } } })));
  await assert.rejects(client.subscribe(['input'], () => {}), (error: unknown) => {
    assert.ok(error instanceof WmRefusedError);
    assert.match(error.message, /refused to subscribe to input/);
    return true;
  });
});

test('subscribe with no answer times out; one that answers garbage is WM_UNREACHABLE', async () => {
  const silent = await connect(await fakeWm(healthy({ [SUBSCRIBE.code]: { silent: true } })), 150);
  await rejectsUnreachable(silent.subscribe(['window'], () => {}), /did not answer SUBSCRIBE within 150 ms/);
  const garbage = await connect(await fakeWm(healthy({ [SUBSCRIBE.code]: { bytes: Buffer.from('garbage!garbage!') } })));
  await rejectsUnreachable(garbage.subscribe(['window'], () => {}), /does not speak i3 IPC/);
});

test('a subscription ends with WM_UNREACHABLE when the WM goes away or sends garbage', async () => {
  const server = await fakeWm(healthy());
  const client = await connect(server);
  const gone = await client.subscribe(['window'], () => {});
  server.dropClients();
  const goneEnd = await gone.ended;
  assert.equal(goneEnd?.code, 'WM_UNREACHABLE');
  assert.match(goneEnd?.message ?? '', /closed/);

  const garbled = await client.subscribe(['window'], () => {});
  await server.emitBytes(Buffer.from('not i3 ipc at all'));
  assert.match((await garbled.ended)?.message ?? '', /does not speak i3 IPC/);

  const bad = await client.subscribe(['window'], () => {});
  await server.emitEvent('window', { change: 'focus' });
  assert.match((await bad.ended)?.message ?? '', /window event .*container is not an object/);
});

test('an event vmux did not subscribe to, or of an unknown type, ends the subscription loudly', async () => {
  const server = await fakeWm(healthy());
  const client = await connect(server);
  const seen: WmEvent[] = [];
  const unknown = await client.subscribe(['window'], (event) => seen.push(event));
  await server.emitBytes(encodeMessage(eventWireType(0x42), '{}'));
  assert.match((await unknown.ended)?.message ?? '', /unknown type 66 event vmux did not subscribe to/);

  const unasked = await client.subscribe(['window'], (event) => seen.push(event));
  await server.emitBytes(encodeMessage(eventWireType(2), '{"change":"resize"}'));
  assert.match((await unasked.ended)?.message ?? '', /mode event vmux did not subscribe to/);
  assert.deepEqual(seen, []);
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
