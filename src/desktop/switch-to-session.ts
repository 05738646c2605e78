import { VmuxError } from '../errors.js';
import type { Environment } from '../sessions/discovery-context.js';
import { readTmuxLocation } from './tmux/tmux-location.js';
import { switchToTmuxPane } from './tmux/switch-to-pane.js';
import { findWindowOfProcess, windowLookupIn } from './window-of-process.js';
import { connectToWindowManager, type WmClient } from './wm-ipc/index.js';

/** Where switching took the user, for the CLI to say. */
export type SwitchResult =
  | { readonly kind: 'focused'; readonly workspace: string; readonly tmux: boolean }
  /** tmux selected the pane, but no terminal shows its session: the user attaches with this command. */
  | { readonly kind: 'attach'; readonly commandLine: string }
  /** tmux selected the pane in a terminal vmux could not focus (no window manager found). */
  | { readonly kind: 'tmux-only'; readonly why: string };

export interface SwitchOptions {
  readonly env: Environment;
  readonly procRoot: string;
}

/**
 * Takes the user to a session (SPEC §6): its tmux pane when it runs in tmux, and the terminal
 * window showing it. Only ids reach tmux and the window manager.
 */
export async function switchToSession(pid: number, options: SwitchOptions): Promise<SwitchResult> {
  const location = readTmuxLocation(options.procRoot, pid);
  let windowPid = pid;
  if (location !== undefined) {
    const plan = await switchToTmuxPane(location);
    if (plan.outcome.kind === 'attach') return { kind: 'attach', commandLine: plan.outcome.commandLine };
    // The terminal to focus is the one running the tmux client that now shows the pane.
    windowPid = plan.outcome.client.pid;
  }
  let wm: WmClient;
  try {
    wm = await connectToWindowManager(options.env);
  } catch (error) {
    if (location !== undefined && error instanceof VmuxError && (error.code === 'WM_NOT_FOUND' || error.code === 'WM_UNREACHABLE')) {
      return { kind: 'tmux-only', why: error.message };
    }
    throw error;
  }
  try {
    const window = await findWindowOfProcess(windowPid, windowLookupIn(await wm.getTree(), options.env, options.procRoot));
    switch (window.kind) {
      case 'found':
        await wm.focusContainer(window.conId);
        return { kind: 'focused', workspace: window.workspace, tmux: location !== undefined };
      case 'several':
        throw new VmuxError(
          'AMBIGUOUS',
          `the session's terminal has ${window.candidates.length} windows; vmux cannot tell which shows it:\n` +
            window.candidates.map((c) => `  workspace ${c.workspace}: ${c.title ?? '(untitled)'}`).join('\n'),
        );
      case 'none':
        throw new VmuxError('NO_MATCH', `no window found for the session: ${window.why}`);
    }
  } finally {
    wm.close();
  }
}
