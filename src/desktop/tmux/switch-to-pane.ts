import { TmuxStaleError } from '../../errors.js';
import { assertNever } from '../../assert-never.js';
import { planTmuxSwitch, type TmuxSwitchPlan } from './plan-tmux-switch.js';
import { TmuxServer, type TmuxOptions } from './tmux-client.js';
import type { TmuxLocation } from './tmux-location.js';

/** Runs a plan's steps in order on its server. */
export async function executeTmuxPlan(server: TmuxServer, plan: TmuxSwitchPlan): Promise<void> {
  for (const step of plan.steps) {
    switch (step.kind) {
      case 'select-window':
        await server.selectWindow(step.sessionId, step.windowId);
        break;
      case 'select-pane':
        await server.selectPane(step.paneId);
        break;
      case 'switch-client':
        await server.switchClient(step.clientTty, step.sessionId);
        break;
      default:
        assertNever(step);
    }
  }
}

/**
 * Brings a session's tmux pane in front: asks the server about the pane and its clients, plans
 * (`planTmuxSwitch`) and runs the plan. Returns the plan, whose `outcome` says which client's
 * terminal window to focus, or how to attach. A client that detaches between the listing and
 * `switch-client` makes it plan once more with the clients left.
 *
 * Throws `TmuxStaleError` (server or pane gone, or the pane is not the session's),
 * `TmuxRefusedError`, or a `TMUX_UNAVAILABLE` `VmuxError`.
 */
export async function switchToTmuxPane(location: TmuxLocation, options: TmuxOptions = {}): Promise<TmuxSwitchPlan> {
  const server = new TmuxServer(location.socketPath, options);
  for (let attempt = 1; ; attempt++) {
    const pane = await server.queryPane(location.paneId);
    const plan = planTmuxSwitch(location, pane, await server.listClients());
    try {
      await executeTmuxPlan(server, plan);
      return plan;
    } catch (error) {
      if (attempt < 2 && error instanceof TmuxStaleError && error.reason === 'client-gone') continue;
      throw error;
    }
  }
}
