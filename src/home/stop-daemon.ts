import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { VmuxError } from '../errors.js';
import { requestDaemon } from '../protocol/socket-client.js';

/** How long a vmuxd asked to stop may take to remove its socket. */
const STOP_WAIT_MS = 5000;

/** How the messages name the vmuxd being stopped, and what the user can do when it will not stop. */
export interface StopWording {
  readonly name: string;
  /** Appended to either failure, after `; `. */
  readonly advice?: string;
}

/**
 * Asks the vmuxd on `socketPath` to stop and waits until its socket is gone (it removes it as it
 * shuts down), so that the caller may take the path or report it stopped.
 */
export async function stopDaemon(socketPath: string, wording: StopWording = { name: 'vmuxd' }): Promise<void> {
  const advice = wording.advice === undefined ? '' : `; ${wording.advice}`;
  const response = await requestDaemon(socketPath, { action: 'stop' });
  if (!response.ok) throw new VmuxError('DAEMON_ERROR', `${wording.name} refused to stop: ${response.error ?? 'no reason given'}${advice}`);
  const deadline = Date.now() + STOP_WAIT_MS;
  while (existsSync(socketPath)) {
    if (Date.now() > deadline) throw new VmuxError('DAEMON_ERROR', `${wording.name} accepted the stop request but still runs after ${STOP_WAIT_MS / 1000} s${advice}`);
    await delay(20);
  }
}
