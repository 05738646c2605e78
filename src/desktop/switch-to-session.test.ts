import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fakeProcRoot, node, tree, workspace } from '../../test/support/fake-desktop.js';
import { startFakeWm, type FakeReplyTable, type FakeWmServer } from '../../test/support/fake-wm-server.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { switchToSession } from './switch-to-session.js';
import { MESSAGE_TYPES } from './wm-ipc/index.js';

/*
 * Which requests a switch sends, against a stand-in WM that records them (the tests of
 * `vmux switch` on a real i3 and sway show that the focus really moves).
 */

const { RUN_COMMAND, GET_WORKSPACES, GET_TREE } = MESSAGE_TYPES;
const dir = tempDir('vmux-switch-requests-');

/* claude 300 → shell 200 → xterm 100, which exported WINDOWID=1001 (its window, con 21 on workspace 2). */
const procRoot = fakeProcRoot([
  { pid: 1, ppid: 0 },
  { pid: 100, ppid: 1 },
  { pid: 200, ppid: 100, env: { WINDOWID: '1001' } },
  { pid: 300, ppid: 200, env: { WINDOWID: '1001' } },
]);

/** As sway sends it: windows carry their client's PID (and X11 id, for an Xwayland one). */
const TREE = tree([workspace(10, '1', []), workspace(11, '2', [node({ id: 21, name: 'xterm', window: 1001, pid: 100 })])]);
/** As i3 sends it, with another terminal's window. */
const I3_TREE_WITHOUT_1001 = tree([workspace(10, '1', []), workspace(11, '2', [node({ id: 22, name: 'urxvt', window: 1002 })])]);
const WORKSPACES_AFTER_FOCUS = [
  { num: 1, name: '1', focused: false, visible: false, urgent: false, output: 'HDMI-1' },
  { num: 2, name: '2', focused: true, visible: true, urgent: false, output: 'HDMI-1' },
];

const servers: FakeWmServer[] = [];
after(() => Promise.all(servers.map((server) => server.close())));

/** A WM that has window 1001 (con 21) unless told otherwise, and focuses what it is asked to; its tree as sway's. */
async function fakeWm(windowExists = true): Promise<FakeWmServer> {
  const table: FakeReplyTable = {
    [RUN_COMMAND.code]: (command) =>
      windowExists || command.startsWith('[con_id=') ? { json: [{ success: true }] } : { json: [{ success: false, error: 'No window matches given criteria' }] },
    [GET_WORKSPACES.code]: { json: WORKSPACES_AFTER_FOCUS },
    [GET_TREE.code]: { json: windowExists ? TREE : I3_TREE_WITHOUT_1001 },
  };
  const server = await startFakeWm(dir, table);
  servers.push(server);
  return server;
}

const sent = (server: FakeWmServer) => server.requests.map((request) => [request.type, request.payload]);

describe('switchToSession: the requests it sends the window manager', () => {
  it('i3, a terminal that exported WINDOWID: focused by its X11 id, the workspace read in the same write, no tree', async () => {
    const wm = await fakeWm();
    const result = await switchToSession(300, { env: { I3SOCK: wm.path }, procRoot });
    assert.deepEqual(result, { kind: 'focused', workspace: '2' });
    assert.deepEqual(sent(wm), [
      [RUN_COMMAND.code, '[id=1001] focus'],
      [GET_WORKSPACES.code, ''],
    ]);
  });

  it('i3 has no window with that id (a WINDOWID left from another terminal): the tree decides, as without the shortcut', async () => {
    const wm = await fakeWm(false);
    // The window of the tree that holds the session is not 1001: nothing is found, nothing focused by guess.
    await assert.rejects(switchToSession(300, { env: { I3SOCK: wm.path, PATH: '' }, procRoot }), /no window found for the session: .*WINDOWID=1001 \(from process 300\) is no window of the i3 tree/);
    assert.deepEqual(sent(wm), [
      [RUN_COMMAND.code, '[id=1001] focus'],
      [GET_WORKSPACES.code, ''],
      [GET_TREE.code, ''],
    ]);
  });

  it('sway (found through SWAYSOCK): the tree, whose windows carry their client PID, decides; never an X11 id', async () => {
    const wm = await fakeWm();
    const result = await switchToSession(300, { env: { SWAYSOCK: wm.path, I3SOCK: wm.path }, procRoot });
    assert.deepEqual(result, { kind: 'focused', workspace: '2' });
    assert.deepEqual(sent(wm), [
      [GET_TREE.code, ''],
      [RUN_COMMAND.code, '[con_id=21] focus'],
    ]);
  });
});
