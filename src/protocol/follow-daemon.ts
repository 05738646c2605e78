import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../errors.js';
import type { DesktopSession, SessionsEvent } from './messages.js';
import { subscribeToDaemon } from './socket-client.js';

/**
 * A subscription that outlives vmuxd: when the daemon is not running, stops or restarts, it says
 * so and connects again after a pause that doubles up to a ceiling, and starts over from the
 * shortest pause once events flow again. For clients that run as long as the desktop does
 * (status bars), where exiting would leave a hole in the bar.
 */

export interface Backoff {
  /** The first pause after a failure. */
  readonly firstMs: number;
  /** Pauses never grow beyond this. */
  readonly maxMs: number;
}

/** 0.5 s doubling to 10 s: back quickly after a restart, and a quiet poll while vmuxd is down. */
export const DAEMON_BACKOFF: Backoff = { firstMs: 500, maxMs: 10_000 };

/** The pause after `previousMs` (undefined: after the first failure). */
export function nextPause(previousMs: number | undefined, backoff: Backoff): number {
  return previousMs === undefined ? backoff.firstMs : Math.min(backoff.maxMs, previousMs * 2);
}

export interface FollowHandlers {
  readonly onEvent: (event: SessionsEvent) => void;
  /** vmuxd could not be reached or went away; another attempt follows in `retryInMs`. */
  readonly onLost: (why: string, retryInMs: number) => void;
}

export interface FollowOptions {
  readonly signal: AbortSignal;
  readonly desktop?: DesktopSession;
  readonly backoff?: Backoff;
}

/** Follows vmuxd's `subscribe` stream until `signal` aborts; never rejects for a lost daemon. */
export async function followDaemon(socketPath: string, handlers: FollowHandlers, options: FollowOptions): Promise<void> {
  const backoff = options.backoff ?? DAEMON_BACKOFF;
  let pause: number | undefined;
  while (!options.signal.aborted) {
    try {
      await subscribeToDaemon(
        socketPath,
        (event) => {
          pause = undefined;
          handlers.onEvent(event);
        },
        options.signal,
        options.desktop,
      );
    } catch (error) {
      if (options.signal.aborted) return;
      pause = nextPause(pause, backoff);
      handlers.onLost(messageOf(error), pause);
      try {
        await sleep(pause, undefined, { signal: options.signal });
      } catch {
        // Aborted while pausing: the loop ends.
      }
    }
  }
}
