import type { Socket } from 'node:net';
import { debuglog } from 'node:util';
import { VmuxError, messageOf } from '../../errors.js';
import type { IpcFrame } from './ipc-codec.js';
import { connectWmSocket, IpcConnection, type ConnectionEnd } from './ipc-connection.js';
import { describeMessageType, MESSAGE_TYPES, type EventTypeName, type MessageTypeCode } from './message-types.js';
import { malformed } from './reply-shape.js';
import { checkOutcomes, parseCommandReply, renderCommand, type CommandOutcome, type WmCommand } from './wm-command.js';
import type { WmEvent } from './wm-events.js';
import { findWmSocketPath, wmOfSocketSource, type WmSocketSource } from './wm-socket-path.js';
import { subscribeWm, type WmSubscription } from './wm-subscription.js';
import { parseTree, type WmNode } from './wm-tree.js';
import { parseVersion, type WmVersion } from './wm-version.js';
import { parseWorkspaces, type WmWorkspace } from './wm-workspaces.js';

const debug = debuglog('vmux:wm');

/** i3 answers in about a millisecond; two seconds of silence means it is stuck or not i3. */
export const DEFAULT_REPLY_TIMEOUT_MS = 2000;

export interface WmClientOptions {
  /** How long to wait for connecting and for each reply. */
  readonly timeoutMs?: number;
  /** Where the socket path came from, when it was found rather than given (`findWmSocketPath`). */
  readonly socketSource?: WmSocketSource;
}

/**
 * Message types `request` sends. RUN_COMMAND goes only through `runCommand`, which builds the
 * command text itself; SUBSCRIBE only through `subscribe`, on a connection of its own.
 */
export type RequestType = Exclude<MessageTypeCode, (typeof MESSAGE_TYPES)['RUN_COMMAND' | 'SUBSCRIBE']['code']>;

interface PendingRequest {
  readonly type: number;
  readonly resolve: (payload: unknown) => void;
  readonly reject: (error: VmuxError) => void;
  readonly timer: NodeJS.Timeout;
  readonly sentAt: number;
}

/**
 * A connection to i3 or sway for requests and replies. The WM answers in order, so replies are
 * matched to requests first-in first-out; a reply that does not fit, a timeout or garbage ends
 * the connection, since nothing after it could be matched with certainty.
 *
 * Errors: `WM_UNREACHABLE` when the WM cannot be talked to (no socket, hung up, silent, garbage);
 * `WM_REFUSED` (`WmRefusedError`) when it answered and said no.
 */
export class WmClient {
  private readonly pending: PendingRequest[] = [];
  private endReason: VmuxError | undefined;
  private readonly connection: IpcConnection;

  private constructor(
    socket: Socket,
    readonly socketPath: string,
    private readonly timeoutMs: number,
    /**
     * Which WM the socket's source points at (`wmOfSocketSource`), known before any request;
     * undefined for a socket given by path. The tree tells for sure (`wmKindOf`).
     */
    readonly sourceKind: 'i3' | 'sway' | undefined,
  ) {
    this.connection = new IpcConnection(socket, socketPath, {
      onFrame: (frame) => this.receive(frame),
      onEnd: (end) => this.ended(end),
    });
    this.connection.setKeepsProcessAlive(false);
  }

  static async connect(socketPath: string, options: WmClientOptions = {}): Promise<WmClient> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
    const socket = await connectWmSocket(socketPath, timeoutMs);
    debug('connected to %s', socketPath);
    return new WmClient(socket, socketPath, timeoutMs, options.socketSource === undefined ? undefined : wmOfSocketSource(options.socketSource));
  }

  /** Sends one message and resolves with the reply's parsed JSON. */
  request(type: RequestType, payload = ''): Promise<unknown> {
    const code: number = type;
    if (code === MESSAGE_TYPES.RUN_COMMAND.code || code === MESSAGE_TYPES.SUBSCRIBE.code) {
      // The type forbids it; this stops callers that got around the type.
      return Promise.reject(new RangeError(`${describeMessageType(type)} is not sent through request()`));
    }
    return this.send(type, payload);
  }

  async getTree(): Promise<WmNode> {
    return this.parsed(MESSAGE_TYPES.GET_TREE.code, parseTree);
  }

  async getWorkspaces(): Promise<WmWorkspace[]> {
    return this.parsed(MESSAGE_TYPES.GET_WORKSPACES.code, parseWorkspaces);
  }

  async getVersion(): Promise<WmVersion> {
    return this.parsed(MESSAGE_TYPES.GET_VERSION.code, parseVersion);
  }

  /** Runs one command; `WmRefusedError` when the WM says it failed, with the WM's reasons. */
  async runCommand(command: WmCommand): Promise<CommandOutcome[]> {
    const text = renderCommand(command);
    const raw = await this.send(MESSAGE_TYPES.RUN_COMMAND.code, text);
    const outcomes = this.guard(() => parseCommandReply(raw));
    checkOutcomes(text, outcomes);
    return outcomes;
  }

  /** Gives keyboard focus to the container with this id (`[con_id=N] focus`). */
  async focusContainer(conId: number): Promise<void> {
    await this.runCommand({ kind: 'focus', conId });
  }

  /** Gives keyboard focus to the window with this X11 id (`[id=N] focus`); `WmRefusedError` when the WM has no such window. */
  async focusWindow(windowId: number): Promise<void> {
    await this.runCommand({ kind: 'focus-window', windowId });
  }

  /**
   * Subscribes to events on a new connection to the same socket (a subscribed connection carries
   * events, not replies). Resolves once the WM has accepted the subscription.
   */
  subscribe(events: readonly EventTypeName[], onEvent: (event: WmEvent) => void): Promise<WmSubscription> {
    return subscribeWm(this.socketPath, events, onEvent, { timeoutMs: this.timeoutMs });
  }

  /** Closes the connection; requests still waiting fail with `WM_UNREACHABLE`. */
  close(): void {
    this.connection.close();
  }

  private async parsed<T>(type: RequestType, parse: (raw: unknown) => T): Promise<T> {
    const raw = await this.send(type, '');
    return this.guard(() => parse(raw));
  }

  /** Runs a reply parser; a parser that overflows on hostile nesting is garbage too, not a crash. */
  private guard<T>(parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (error instanceof VmuxError) throw error;
      throw malformed('reply', messageOf(error));
    }
  }

  private send(type: number, payload: string): Promise<unknown> {
    if (this.endReason !== undefined || !this.connection.isOpen) {
      return Promise.reject(this.endReason ?? new VmuxError('WM_UNREACHABLE', `the connection to ${this.socketPath} is closed`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(
          new VmuxError(
            'WM_UNREACHABLE',
            `the window manager did not answer ${describeMessageType(type)} within ${this.timeoutMs} ms on ${this.socketPath}`,
          ),
        );
      }, this.timeoutMs);
      this.pending.push({ type, resolve, reject, timer, sentAt: Date.now() });
      this.connection.setKeepsProcessAlive(true);
      this.connection.send(type, payload);
    });
  }

  private receive(frame: IpcFrame): void {
    if (frame.isEvent) {
      // Only a subscribed connection gets events; a stray one is harmless.
      debug('ignored an event (type %d) on the request connection', frame.type);
      return;
    }
    const request = this.pending[0];
    if (request === undefined) {
      this.fail(new VmuxError('WM_UNREACHABLE', `${this.socketPath} sent a reply nobody asked for (${describeMessageType(frame.type)})`));
      return;
    }
    if (frame.type !== request.type) {
      this.fail(
        new VmuxError(
          'WM_UNREACHABLE',
          `${this.socketPath} answered ${describeMessageType(request.type)} with a ${describeMessageType(frame.type)} reply`,
        ),
      );
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(frame.payload);
    } catch {
      this.fail(
        new VmuxError('WM_UNREACHABLE', `the window manager's ${describeMessageType(frame.type)} reply on ${this.socketPath} is not JSON`),
      );
      return;
    }
    this.pending.shift();
    clearTimeout(request.timer);
    if (this.pending.length === 0) this.connection.setKeepsProcessAlive(false);
    debug('%s: %d bytes in %d ms', describeMessageType(frame.type), frame.payload.length, Date.now() - request.sentAt);
    request.resolve(payload);
  }

  /** Ends the connection for a reason found here (timeout, a reply that does not fit). */
  private fail(error: VmuxError): void {
    this.endReason ??= error;
    this.rejectAll(error);
    this.connection.close(error);
  }

  /** The connection ended by itself (hang-up, garbage, socket error) or through `close()`. */
  private ended(end: ConnectionEnd): void {
    if (end !== undefined) debug('connection to %s ended: %s', this.socketPath, end.message);
    const first = this.pending[0];
    const reason =
      end === undefined
        ? new VmuxError('WM_UNREACHABLE', `the connection to ${this.socketPath} was closed before the window manager answered`)
        : first === undefined
          ? end
          : new VmuxError(end.code, `${end.message}, while vmux waited for its ${describeMessageType(first.type)} reply`, { cause: end.cause });
    this.endReason ??= end ?? new VmuxError('WM_UNREACHABLE', `the connection to ${this.socketPath} is closed`);
    this.rejectAll(reason);
  }

  private rejectAll(error: VmuxError): void {
    for (const request of this.pending.splice(0)) {
      clearTimeout(request.timer);
      request.reject(error);
    }
  }
}

/** A client of the window manager the environment points at (the socket-path chain of `findWmSocketPath`). */
export async function connectToWindowManager(env: Readonly<Record<string, string | undefined>>): Promise<WmClient> {
  const found = await findWmSocketPath({ env });
  return WmClient.connect(found.path, { socketSource: found.source });
}
