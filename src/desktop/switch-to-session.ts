import { debuglog } from 'node:util';
import { VmuxError, WmRefusedError } from '../errors.js';
import type { SwitchedTo } from '../protocol/messages.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { discoveryContextFrom, type Environment } from '../sessions/discovery-context.js';
import { findTranscriptPath } from '../sessions/match-transcripts.js';
import { readSessionTitle } from '../transcript/session-title.js';
import { stripControlSequences } from '../text/sanitize-text.js';
import { claudeExecutableOf, findAttachedViewer, openAttachTerminal } from './open-attach-terminal.js';
import { readTmuxLocation } from './tmux/tmux-location.js';
import { switchToTmuxPane } from './tmux/switch-to-pane.js';
import { exportedWindowOf, findWindowOfProcess, windowLookupIn, windowsTitled } from './window-of-process.js';
import { connectToWindowManager, type WmClient } from './wm-ipc/index.js';

const debug = debuglog('vmux:wm');

/** Where switching took the user, for the CLI to say. */
export type SwitchResult =
  /** `tmuxPane` is set when the session runs in tmux: the pane selected. */
  | { readonly kind: 'focused'; readonly workspace: string; readonly tmuxPane?: string }
  /** tmux selected the pane, but no terminal shows its session: the user attaches with this command. */
  | { readonly kind: 'attach'; readonly commandLine: string; readonly tmuxPane: string }
  /** tmux selected the pane in a terminal vmux could not focus (no window manager found). */
  | { readonly kind: 'tmux-only'; readonly why: string; readonly tmuxPane: string };

export interface SwitchOptions {
  readonly env: Environment;
  readonly procRoot: string;
  /** The tmux pane the client reports itself in (`%N`), more exact than its environment. */
  readonly tmuxPane?: string;
  /** The session's title as Claude Code shows it in its terminal's title; read only to tell apart windows of one terminal. */
  readonly sessionTitle?: () => string | undefined;
}

/**
 * Takes the user to a session (SPEC §6): its tmux pane when it runs in tmux, and the terminal
 * window showing it. Only ids reach tmux and the window manager.
 */
export async function switchToSession(pid: number, options: SwitchOptions): Promise<SwitchResult> {
  const location = readTmuxLocation(options.procRoot, pid, options.tmuxPane);
  let windowPid = pid;
  if (location !== undefined) {
    const plan = await switchToTmuxPane(location);
    if (plan.outcome.kind === 'attach') return { kind: 'attach', commandLine: plan.outcome.commandLine, tmuxPane: location.paneId };
    // The terminal to focus is the one running the tmux client that now shows the pane.
    windowPid = plan.outcome.client.pid;
  }
  let wm: WmClient;
  try {
    wm = await connectToWindowManager(options.env);
  } catch (error) {
    if (location !== undefined && error instanceof VmuxError && (error.code === 'WM_NOT_FOUND' || error.code === 'WM_UNREACHABLE')) {
      return { kind: 'tmux-only', why: error.message, tmuxPane: location.paneId };
    }
    throw error;
  }
  const focusedOn = (workspace: string): SwitchResult => ({ kind: 'focused', workspace, ...(location !== undefined ? { tmuxPane: location.paneId } : {}) });
  const focus = async (target: { readonly conId: number; readonly workspace: string }): Promise<SwitchResult> => {
    await wm.focusContainer(target.conId);
    return focusedOn(target.workspace);
  };
  try {
    const workspace = await focusExportedWindow(wm, windowPid, options.procRoot);
    if (workspace !== undefined) return focusedOn(workspace);
    const window = await findWindowOfProcess(windowPid, windowLookupIn(await wm.getTree(), options.env, options.procRoot));
    switch (window.kind) {
      case 'found':
        return await focus(window);
      case 'several': {
        // A terminal server (foot --server, kitty, gnome-terminal): the one window titled like the session.
        const [titled, ...others] = windowsTitled(window.candidates, options.sessionTitle?.());
        if (titled !== undefined && others.length === 0) return await focus(titled);
        throw new VmuxError(
          'AMBIGUOUS',
          `the session's terminal has ${window.candidates.length} windows; vmux cannot tell which shows it:\n` +
            window.candidates.map((c) => `  workspace ${stripControlSequences(c.workspace)}: ${stripControlSequences(c.title ?? '(untitled)')}`).join('\n'),
        );
      }
      case 'none':
        throw new VmuxError('NO_MATCH', `no window found for the session: ${window.why}`);
    }
  } finally {
    wm.close();
  }
}

/**
 * On i3, the window a terminal exported as `WINDOWID` is the one `findWindowOfProcess` would find
 * first in the tree. Focusing it by its X11 id (`[id=N] focus`) and asking for the workspaces in
 * the same write costs one round trip and no tree (tens of KB to read and parse on a busy
 * desktop). Returns the workspace now focused; undefined when this does not apply or i3 has no
 * such window: the tree, and `_NET_WM_PID`, then decide as before.
 */
async function focusExportedWindow(wm: WmClient, pid: number, procRoot: string): Promise<string | undefined> {
  if (wm.sourceKind !== 'i3') return undefined;
  const exported = exportedWindowOf(pid, procRoot);
  if (exported === undefined) return undefined;
  // Both requests leave at once; i3 answers in order, so the workspaces are read after the focus moved.
  const [focused, workspaces] = await Promise.allSettled([wm.focusWindow(exported.window), wm.getWorkspaces()]);
  if (focused.status === 'rejected') {
    if (!(focused.reason instanceof WmRefusedError)) throw focused.reason;
    debug('WINDOWID=%d (from process %d): %s; looking in the tree', exported.window, exported.envPid, focused.reason.message);
    return undefined;
  }
  if (workspaces.status === 'rejected') throw workspaces.reason;
  // i3 always has a focused workspace; should it name none, the switch still happened.
  return workspaces.value.find((workspace) => workspace.focused)?.name ?? '';
}

/**
 * Switches to a listed session and says where it went, in the protocol's words. Its title comes
 * from its transcript, where Claude Code keeps it, should its terminal have several windows.
 */
export async function switchToListedSession(session: SessionInfo, options: SwitchOptions): Promise<SwitchedTo> {
  const job = session.background_job;
  if (job !== undefined) {
    // A background session has no terminal: go to one attached to it, else open one.
    const viewer = findAttachedViewer(job, options.procRoot);
    if (viewer === undefined) {
      const executable = claudeExecutableOf(session.pid, options.procRoot) ?? 'claude';
      const opened = await openAttachTerminal(job, executable, options.env);
      return { pid: session.pid, session_id: session.session_id, cwd: session.cwd, ...(session.label ? { label: session.label } : {}), opened: opened.join(' ') };
    }
    return describeSwitch(session, await switchToSession(viewer, options));
  }
  const sessionTitle = () => {
    if (session.session_id === '') return undefined;
    const transcript = findTranscriptPath(discoveryContextFrom(options.env).claudeDir, session.session_id, session.cwd);
    return transcript === undefined ? undefined : readSessionTitle(transcript);
  };
  const result = await switchToSession(session.pid, { ...options, sessionTitle, ...(session.tmux_pane ? { tmuxPane: session.tmux_pane } : {}) });
  return describeSwitch(session, result);
}

function describeSwitch(session: SessionInfo, result: SwitchResult): SwitchedTo {
  return {
    pid: session.pid,
    session_id: session.session_id,
    cwd: session.cwd,
    ...(session.label ? { label: session.label } : {}),
    ...(result.kind === 'focused' ? { workspace: result.workspace } : {}),
    ...(result.tmuxPane !== undefined ? { tmux_pane: result.tmuxPane } : {}),
    ...(result.kind === 'attach' ? { attach: result.commandLine } : {}),
    ...(result.kind === 'tmux-only' ? { unfocused: result.why } : {}),
  };
}
