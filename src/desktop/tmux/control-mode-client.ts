import { spawn, type ChildProcess } from 'node:child_process';
import { debuglog } from 'node:util';
import { VmuxError, errnoCode } from '../../errors.js';
import { ControlModeParser, controlCommandLine, type ControlModeEvent } from './control-mode-parser.js';
import { TMUX_TIMEOUT_MS, type TmuxOptions } from './tmux-client.js';

const debug = debuglog('vmux:tmux');

/**
 * Client flags that keep a control client out of the user's way (tmux ≥ 3.2): it never sizes a
 * window, is sent no pane output (what it would otherwise receive all the time), and cannot type
 * into a pane.
 */
export const CONTROL_CLIENT_FLAGS = 'ignore-size,no-output,read-only';

/** A client that does not leave when asked is killed this long after. */
const CLOSE_GRACE_MS = 1000;

/** A notification: `name` without the `%`, `args` as tmux wrote them. */
export interface ControlNotification {
  readonly name: string;
  readonly args: string;
}

interface PendingCommand {
  readonly resolve: (lines: readonly string[]) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  readonly verb: string;
}

export interface ControlClientOptions extends TmuxOptions {
  readonly onNotification: (notification: ControlNotification) => void;
  /** Once, when the client has gone for any reason but `close` (detached, server gone, killed). */
  readonly onExit: (why: string) => void;
}

/**
 * A tmux control-mode client attached to one session of a server, started with
 * `tmux -N -C attach-session -t <session> -f CONTROL_CLIENT_FLAGS`: it hears every change the server
 * announces and runs commands without a process each. `-N` keeps it from starting a server where
 * none runs. Resolves once tmux has attached it; rejects with tmux's reason when it could not
 * (no such session, a tmux without these flags, no server).
 */
export async function startControlClient(socketPath: string, sessionId: string, options: ControlClientOptions): Promise<ControlModeClient> {
  if (!/^\$[0-9]+$/.test(sessionId)) throw new TypeError(`not a tmux session id: ${JSON.stringify(sessionId)}`);
  const client = new ControlModeClient(socketPath, sessionId, options);
  await client.attached;
  return client;
}

export class ControlModeClient {
  /** PID of the `tmux -C` process. */
  readonly pid: number | undefined;
  /** Settles once tmux answered the attach: resolved when attached, rejected with the reason when not. */
  readonly attached: Promise<void>;
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>;

  readonly #child: ChildProcess;
  readonly #parser = new ControlModeParser();
  readonly #pending: PendingCommand[] = [];
  readonly #timeoutMs: number;
  readonly #options: ControlClientOptions;
  #settleAttach: ((error?: Error) => void) | undefined;
  #closing = false;
  #gone = false;
  #stderr = '';

  constructor(socketPath: string, sessionId: string, options: ControlClientOptions) {
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? TMUX_TIMEOUT_MS;
    const env = { ...(options.env ?? process.env) };
    // Run from inside tmux (vmuxd started in a pane), `attach` would refuse to nest.
    delete env['TMUX'];
    delete env['TMUX_PANE'];
    const argv = ['-N', '-u', '-S', socketPath, '-C', 'attach-session', '-t', sessionId, '-f', CONTROL_CLIENT_FLAGS];
    debug('%s %o', options.tmuxPath ?? 'tmux', argv);
    this.#child = spawn(options.tmuxPath ?? 'tmux', argv, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pid = this.#child.pid;
    this.attached = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => settle(new VmuxError('TMUX_UNAVAILABLE', `tmux did not attach a control client within ${this.#timeoutMs} ms on ${socketPath}; the server may be stuck.`)), this.#timeoutMs);
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        this.#settleAttach = undefined;
        if (error === undefined) resolve();
        else {
          reject(error);
          this.close();
        }
      };
      this.#settleAttach = settle;
    });
    // Nobody awaits `attached` after a failure is handled elsewhere; it must not go unhandled.
    this.attached.catch(() => undefined);
    this.exited = new Promise<void>((resolve) => this.#child.once('close', () => resolve()));

    this.#child.stdout?.setEncoding('utf8');
    this.#child.stdout?.on('data', (text: string) => {
      for (const event of this.#parser.push(text)) this.#receive(event);
    });
    this.#child.stderr?.setEncoding('utf8');
    this.#child.stderr?.on('data', (text: string) => {
      if (this.#stderr.length < 4096) this.#stderr += text;
    });
    // A client gone before reading what was written: the exit says why.
    this.#child.stdin?.on('error', () => undefined);
    this.#child.once('error', (error) => {
      const errno = errnoCode(error);
      const hint = errno === 'ENOENT' ? ' Is tmux installed and in PATH?' : '';
      this.#end(new VmuxError('TMUX_UNAVAILABLE', `Could not run ${options.tmuxPath ?? 'tmux'} (${errno ?? error.message}).${hint}`, { cause: error }));
    });
    this.#child.once('close', (code, signal) => {
      const stderr = this.#stderr.trim();
      const why = stderr !== '' ? stderr : signal !== null ? `killed by ${signal}` : `exited with status ${code ?? '?'}`;
      this.#end(new VmuxError('TMUX_UNAVAILABLE', `The tmux control client on ${socketPath} ended: ${why}.`));
    });
  }

  /** The client has exited or is on its way out (`close`, `%exit`, killed). */
  get gone(): boolean {
    return this.#gone;
  }

  /**
   * Runs one command on the server through this client and returns its output lines. Words are
   * constants or ids tmux reported (`controlCommandLine`); rejects when tmux refuses, does not
   * answer in time (the client is then closed: a server that stalls one command stalls the rest),
   * or the client goes away.
   */
  command(words: readonly string[]): Promise<readonly string[]> {
    if (this.#gone || this.#closing || this.#settleAttach !== undefined) {
      return Promise.reject(new VmuxError('TMUX_UNAVAILABLE', 'The tmux control client is not attached.'));
    }
    const line = controlCommandLine(words);
    const verb = words[0] ?? '';
    return new Promise<readonly string[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new VmuxError('TMUX_UNAVAILABLE', `tmux did not answer \`${verb}\` within ${this.#timeoutMs} ms; the server may be stuck.`));
        this.close();
      }, this.#timeoutMs);
      this.#pending.push({ resolve, reject, timer, verb });
      this.#child.stdin?.write(line);
    });
  }

  /**
   * Detaches: closing stdin makes tmux detach the client; one that lingers is killed. Nothing is
   * reported after this. Resolves once the process has exited.
   */
  close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      this.#child.stdin?.end();
      if (this.#child.exitCode === null && this.#child.signalCode === null) {
        const timer = setTimeout(() => this.#child.kill('SIGKILL'), CLOSE_GRACE_MS);
        timer.unref();
        void this.exited.then(() => clearTimeout(timer));
      }
      this.#end(new VmuxError('TMUX_UNAVAILABLE', 'The tmux control client was closed.'));
    }
    return this.exited;
  }

  #receive(event: ControlModeEvent): void {
    switch (event.kind) {
      case 'reply': {
        if (!event.fromThisClient) {
          // The attach itself: `%end` once attached, `%error` with the reason when not.
          if (this.#settleAttach !== undefined) {
            this.#settleAttach(event.ok ? undefined : new VmuxError('TMUX_UNAVAILABLE', `tmux would not attach a control client: ${event.lines.join(' ').trim() || 'no reason given'}.`));
          }
          return;
        }
        const pending = this.#pending.shift();
        if (pending === undefined) return;
        clearTimeout(pending.timer);
        if (event.ok) pending.resolve(event.lines);
        else pending.reject(new VmuxError('TMUX_REFUSED', `tmux refused \`${pending.verb}\`: ${event.lines.join(' ').trim() || 'no reason given'}.`));
        return;
      }
      case 'notification':
        if (!this.#closing && !this.#gone) this.#options.onNotification(event);
        return;
      case 'exit':
        // The client waits for its stdin to close before it exits, and a server told to exit
        // (`kill-server`, its last session gone) waits for its clients: let it go now.
        debug('control client exit: %s', event.reason);
        this.#child.stdin?.end();
        return;
    }
  }

  /** The client is gone or going: every waiter is told once, and `onExit` runs unless it was closed. */
  #end(error: VmuxError): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#settleAttach?.(error);
    for (let pending = this.#pending.shift(); pending !== undefined; pending = this.#pending.shift()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    if (!this.#closing) this.#options.onExit(error.message);
  }
}
