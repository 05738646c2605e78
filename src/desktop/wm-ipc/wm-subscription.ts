import { debuglog } from 'node:util';
import { VmuxError, WmRefusedError } from '../../errors.js';
import type { IpcFrame } from './ipc-codec.js';
import { connectWmSocket, IpcConnection, type ConnectionEnd } from './ipc-connection.js';
import { eventTypeName, MESSAGE_TYPES, type EventTypeName } from './message-types.js';
import { isObject } from './reply-shape.js';
import { parseEvent, type WmEvent } from './wm-events.js';

const debug = debuglog('vmux:wm');

export interface WmSubscription {
  /**
   * Settles when the subscription is over: undefined after `close()`, the reason otherwise (the
   * WM exited or restarted, the socket failed, or it sent garbage). Never rejects.
   */
  readonly ended: Promise<VmuxError | undefined>;
  close(): void;
}

export interface SubscribeOptions {
  /** How long connecting and the WM's answer to SUBSCRIBE may take. */
  readonly timeoutMs: number;
}

/**
 * Opens a connection of its own, subscribes it to `events` and calls `onEvent` for each one, in
 * order. Resolves once the WM accepted; `WM_REFUSED` when it did not (i3 refuses sway-only events).
 * An event type the WM was not asked for, or one no WM documents, ends the subscription with an
 * error rather than being passed on half-understood.
 */
export async function subscribeWm(
  socketPath: string,
  events: readonly EventTypeName[],
  onEvent: (event: WmEvent) => void,
  options: SubscribeOptions,
): Promise<WmSubscription> {
  const socket = await connectWmSocket(socketPath, options.timeoutMs);
  const wanted = new Set<EventTypeName>(events);
  let resolveEnded: (end: VmuxError | undefined) => void = () => {};
  const ended = new Promise<VmuxError | undefined>((resolve) => {
    resolveEnded = resolve;
  });

  return new Promise<WmSubscription>((resolve, reject) => {
    let accepted = false;
    const subscription: WmSubscription = { ended, close: () => connection.close() };
    const timer = setTimeout(() => {
      connection.close(new VmuxError('WM_UNREACHABLE', `the window manager did not answer SUBSCRIBE within ${options.timeoutMs} ms on ${socketPath}`));
    }, options.timeoutMs);

    const onFrame = (frame: IpcFrame): void => {
      if (!frame.isEvent) {
        if (accepted || frame.type !== MESSAGE_TYPES.SUBSCRIBE.code) {
          connection.close(new VmuxError('WM_UNREACHABLE', `${socketPath} sent a reply (type ${frame.type}) on an event connection`));
          return;
        }
        clearTimeout(timer);
        const reply = parseJson(frame.payload);
        if (reply === NOT_JSON) {
          connection.close(new VmuxError('WM_UNREACHABLE', `the window manager's SUBSCRIBE reply on ${socketPath} is not JSON`));
        } else if (isObject(reply) && reply['success'] === true) {
          accepted = true;
          debug('subscribed to %s on %s', events.join(', '), socketPath);
          resolve(subscription);
        } else {
          const refusal = new WmRefusedError(
            `the window manager refused to subscribe to ${events.join(', ')} (i3 does not know sway-only events)`,
            [],
          );
          connection.close(refusal);
        }
        return;
      }
      const name = eventTypeName(frame.type);
      if (name === undefined || !wanted.has(name)) {
        const which = name ?? `unknown type ${frame.type}`;
        connection.close(new VmuxError('WM_UNREACHABLE', `${socketPath} sent a ${which} event vmux did not subscribe to`));
        return;
      }
      const payload = parseJson(frame.payload);
      if (payload === NOT_JSON) {
        connection.close(new VmuxError('WM_UNREACHABLE', `a ${name} event on ${socketPath} is not JSON`));
        return;
      }
      let event: WmEvent;
      try {
        event = parseEvent(name, payload);
      } catch (error) {
        connection.close(error instanceof VmuxError ? error : new VmuxError('WM_UNREACHABLE', `a ${name} event could not be read`, { cause: error }));
        return;
      }
      onEvent(event);
    };

    const onEnd = (end: ConnectionEnd): void => {
      clearTimeout(timer);
      if (!accepted) reject(end ?? new VmuxError('WM_UNREACHABLE', `the subscription on ${socketPath} was closed before the WM answered`));
      debug('subscription on %s ended%s', socketPath, end === undefined ? '' : `: ${end.message}`);
      resolveEnded(end);
    };

    const connection = new IpcConnection(socket, socketPath, { onFrame, onEnd });
    connection.send(MESSAGE_TYPES.SUBSCRIBE.code, JSON.stringify(events));
  });
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}
