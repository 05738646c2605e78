import { debuglog } from 'node:util';
import { TmuxRefusedError, TmuxStaleError, VmuxError, errnoCode, type TmuxStaleReason } from '../../errors.js';
import { loadChildProcess } from '../../lazy-builtins.js';

const debug = debuglog('vmux:tmux');

/** A tmux command answers in milliseconds; a server that takes longer is wedged, and the user is waiting. */
export const TMUX_TIMEOUT_MS = 3000;

/** Output larger than this is not tmux answering our queries. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

/** A pane as tmux sees it, with the session and window tmux resolves it in. */
export interface TmuxPane {
  /** PID of the server that answered (`#{pid}`). */
  readonly serverPid: number;
  /** `$N` */
  readonly sessionId: string;
  /** Free text, for people only: every command addresses the session by id. */
  readonly sessionName: string;
  /** `@N` */
  readonly windowId: string;
  readonly windowIndex: number;
  /** `%N` */
  readonly paneId: string;
  readonly paneIndex: number;
  /** The process tmux started in the pane. */
  readonly panePid: number;
  /** `/dev/pts/N` of the pane. */
  readonly paneTty: string;
  /** The window is its session's current window. */
  readonly windowActive: boolean;
  /** The pane is its window's active pane. */
  readonly paneActive: boolean;
}

/** A client attached to the server: a `tmux attach` running in some terminal. */
export interface TmuxAttachedClient {
  /** The client's terminal, as `switch-client -c` names it (`/dev/pts/N`); empty for a client without one. */
  readonly tty: string;
  /** PID of the `tmux` client process: its ancestry leads to the terminal window showing it. */
  readonly pid: number;
  /** Last input or attach, in seconds since the epoch. */
  readonly activity: number;
  /** `$N` of the session it shows. */
  readonly sessionId: string;
  readonly sessionName: string;
  /** A control-mode client (`tmux -C`) drives another program, not a terminal showing the session. */
  readonly controlMode: boolean;
}

/*
 * Formats are constants: no outside text is ever spliced into one. The session name is the one
 * free-text field; it goes last so that whatever it holds, the fields before it stay in place.
 */
const PANE_FIELDS = [
  '#{pid}',
  '#{session_id}',
  '#{window_id}',
  '#{window_index}',
  '#{pane_id}',
  '#{pane_index}',
  '#{pane_pid}',
  '#{pane_tty}',
  '#{window_active}',
  '#{pane_active}',
  '#{session_name}',
] as const;
export const PANE_FORMAT = PANE_FIELDS.join('\t');

const CLIENT_FIELDS = [
  '#{client_tty}',
  '#{client_pid}',
  '#{client_activity}',
  '#{session_id}',
  '#{client_control_mode}',
  '#{client_session}',
] as const;
export const CLIENT_FORMAT = CLIENT_FIELDS.join('\t');

/** Splits a line into `count` tab-separated fields, the last one taking the rest (tabs included). */
export function splitFields(line: string, count: number): string[] | undefined {
  const fields: string[] = [];
  let rest = line;
  for (let i = 1; i < count; i++) {
    const tab = rest.indexOf('\t');
    if (tab < 0) return undefined;
    fields.push(rest.slice(0, tab));
    rest = rest.slice(tab + 1);
  }
  fields.push(rest);
  return fields;
}

/** A whole number tmux printed; undefined for anything else. */
export function count(text: string | undefined): number | undefined {
  return text !== undefined && /^[0-9]+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : undefined;
}

function flag(text: string | undefined): boolean | undefined {
  return text === '1' ? true : text === '0' ? false : undefined;
}

/**
 * Parses the answer to `display-message -p -t <pane> -F PANE_FORMAT`. tmux answers a pane it
 * cannot find with empty fields, not an error: that, or any other pane than the one asked
 * about, is `undefined`.
 */
export function parsePaneLine(output: string, paneId: string): TmuxPane | undefined {
  const fields = splitFields(output.replace(/\n$/, ''), PANE_FIELDS.length);
  if (fields === undefined) return undefined;
  const [server, sessionId, windowId, windowIndex, id, paneIndex, panePid, paneTty, windowActive, paneActive, sessionName] =
    fields;
  const pane = {
    serverPid: count(server),
    sessionId: sessionId !== undefined && /^\$[0-9]+$/.test(sessionId) ? sessionId : undefined,
    windowId: windowId !== undefined && /^@[0-9]+$/.test(windowId) ? windowId : undefined,
    windowIndex: count(windowIndex),
    paneIndex: count(paneIndex),
    panePid: count(panePid),
    windowActive: flag(windowActive),
    paneActive: flag(paneActive),
  };
  if (
    id !== paneId ||
    pane.serverPid === undefined ||
    pane.sessionId === undefined ||
    pane.windowId === undefined ||
    pane.windowIndex === undefined ||
    pane.paneIndex === undefined ||
    pane.panePid === undefined ||
    paneTty === undefined ||
    pane.windowActive === undefined ||
    pane.paneActive === undefined ||
    sessionName === undefined
  ) {
    return undefined;
  }
  return {
    serverPid: pane.serverPid,
    sessionId: pane.sessionId,
    sessionName,
    windowId: pane.windowId,
    windowIndex: pane.windowIndex,
    paneId,
    paneIndex: pane.paneIndex,
    panePid: pane.panePid,
    paneTty,
    windowActive: pane.windowActive,
    paneActive: pane.paneActive,
  };
}

/** One `list-clients -F CLIENT_FORMAT` line; undefined when it does not have that shape. */
export function parseClientLine(line: string): TmuxAttachedClient | undefined {
  const fields = splitFields(line, CLIENT_FIELDS.length);
  if (fields === undefined) return undefined;
  const [tty, pidText, activityText, sessionId, controlText, sessionName] = fields;
  const pid = count(pidText);
  const activity = count(activityText);
  const controlMode = flag(controlText);
  if (
    tty === undefined ||
    pid === undefined ||
    activity === undefined ||
    sessionId === undefined ||
    !/^\$[0-9]+$/.test(sessionId) ||
    controlMode === undefined ||
    sessionName === undefined
  ) {
    return undefined;
  }
  return { tty, pid, activity, sessionId, sessionName, controlMode };
}

/**
 * Parses `list-clients -F CLIENT_FORMAT`. tmux escapes newlines in session names, so a line is a
 * client; a line of another shape means this is not the tmux vmux was written for, which is an
 * error rather than a client silently left out.
 */
export function parseClientLines(output: string): TmuxAttachedClient[] {
  return parseClientList(output.split('\n'), parseClientLine);
}

/** Each line of a `list-clients` answer through `parse`; a line it does not take is an error (see `parseClientLines`). */
export function parseClientList<T>(lines: readonly string[], parse: (line: string) => T | undefined): T[] {
  const clients: T[] = [];
  for (const line of lines) {
    if (line === '') continue;
    const client = parse(line);
    if (client === undefined) {
      throw new VmuxError('TMUX_UNAVAILABLE', `tmux listed its clients in an unexpected shape: ${JSON.stringify(line)}`);
    }
    clients.push(client);
  }
  return clients;
}

/**
 * What a failed tmux command's stderr means. tmux exits 1 for everything, so its text is all
 * there is: a server that is not there, a target that is not there, or a refusal.
 */
export function classifyTmuxFailure(stderr: string): TmuxStaleReason | 'unreachable' | 'refused' {
  const text = stderr.trim();
  if (/^no server running on /m.test(text)) return 'server-gone';
  if (/^error connecting to .*\((No such file or directory|Connection refused)\)$/m.test(text)) return 'server-gone';
  if (/^(server exited unexpectedly|lost server)$/m.test(text)) return 'server-gone';
  if (/^error connecting to /m.test(text)) return 'unreachable';
  if (/^can't find client: /m.test(text)) return 'client-gone';
  if (/^can't find (pane|window|session): /m.test(text)) return 'pane-gone';
  return 'refused';
}

export interface TmuxOptions {
  /** The tmux executable (default `tmux`, looked up in PATH). */
  readonly tmuxPath?: string;
  readonly timeoutMs?: number;
  /** Environment of the tmux commands (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * One tmux server, reached through its socket. Every command is an argv array run without a
 * shell; targets are only ids (`$N`, `@N`, `%N`) and client ttys tmux itself reported.
 */
export class TmuxServer {
  readonly socketPath: string;
  readonly #tmuxPath: string;
  readonly #timeoutMs: number;
  readonly #env: NodeJS.ProcessEnv | undefined;

  constructor(socketPath: string, options: TmuxOptions = {}) {
    this.socketPath = socketPath;
    this.#tmuxPath = options.tmuxPath ?? 'tmux';
    this.#timeoutMs = options.timeoutMs ?? TMUX_TIMEOUT_MS;
    this.#env = options.env;
  }

  /** The pane with its session and window; `TmuxStaleError` when the server or pane is gone. */
  async queryPane(paneId: string): Promise<TmuxPane> {
    assertId(paneId, /^%[0-9]+$/, 'pane');
    const output = await this.run(['display-message', '-p', '-t', paneId, '-F', PANE_FORMAT]);
    const pane = parsePaneLine(output, paneId);
    if (pane === undefined) {
      throw new TmuxStaleError('pane-gone', `tmux pane ${paneId} no longer exists on the server at ${this.socketPath}.`);
    }
    return pane;
  }

  /** Clients attached to this server (none is not an error). */
  async listClients(): Promise<TmuxAttachedClient[]> {
    return parseClientLines(await this.run(['list-clients', '-F', CLIENT_FORMAT]));
  }

  /** Makes the window its session's current window. */
  async selectWindow(sessionId: string, windowId: string): Promise<void> {
    assertId(sessionId, /^\$[0-9]+$/, 'session');
    assertId(windowId, /^@[0-9]+$/, 'window');
    await this.run(['select-window', '-t', `${sessionId}:${windowId}`]);
  }

  /** Makes the pane its window's active pane. */
  async selectPane(paneId: string): Promise<void> {
    assertId(paneId, /^%[0-9]+$/, 'pane');
    await this.run(['select-pane', '-t', paneId]);
  }

  /** Makes the client show the session. */
  async switchClient(clientTty: string, sessionId: string): Promise<void> {
    assertId(clientTty, /^\/dev\//, 'client tty');
    assertId(sessionId, /^\$[0-9]+$/, 'session');
    await this.run(['switch-client', '-c', clientTty, '-t', sessionId]);
  }

  /**
   * Runs one tmux command (constant words and reported ids only) on this server and returns its stdout. `-u`: tmux replaces non-ASCII
   * text (session names) with `_` for a client it does not believe speaks UTF-8.
   */
  async run(command: readonly string[]): Promise<string> {
    const argv = ['-u', '-S', this.socketPath, ...command];
    debug('%s %o', this.#tmuxPath, argv);
    const { execFile } = await loadChildProcess();
    return new Promise<string>((resolve, reject) => {
      execFile(
        this.#tmuxPath,
        argv,
        {
          encoding: 'utf8',
          timeout: this.#timeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer: MAX_OUTPUT_BYTES,
          ...(this.#env === undefined ? {} : { env: this.#env }),
        },
        (error, stdout, stderr) => {
          if (error === null) resolve(stdout);
          else reject(this.#explain(command, error, stderr));
        },
      );
    });
  }

  #explain(command: readonly string[], error: Error & { killed?: boolean; code?: unknown }, stderr: string): VmuxError {
    const verb = command[0] ?? 'tmux';
    const errno = errnoCode(error);
    if (errno !== undefined) {
      const hint = errno === 'ENOENT' ? ' Is tmux installed and in PATH?' : '';
      return new VmuxError('TMUX_UNAVAILABLE', `Could not run ${this.#tmuxPath} (${errno}).${hint}`, { cause: error });
    }
    if (error.killed === true) {
      return new VmuxError(
        'TMUX_UNAVAILABLE',
        `tmux did not answer \`${verb}\` within ${this.#timeoutMs} ms on ${this.socketPath}; the server may be stuck.`,
        { cause: error },
      );
    }
    const text = stderr.trim();
    const kind = classifyTmuxFailure(text);
    switch (kind) {
      case 'server-gone':
        return new TmuxStaleError(kind, `No tmux server runs on ${this.socketPath} any more (${text}).`, {
          cause: error,
        });
      case 'unreachable':
        return new VmuxError('TMUX_UNAVAILABLE', `Could not reach the tmux server: ${text}. Is it another user's?`, { cause: error });
      case 'refused':
        return new TmuxRefusedError(`tmux refused \`${verb}\` on ${this.socketPath}: ${text || 'no reason given'}.`, text, {
          cause: error,
        });
      case 'client-gone':
        return new TmuxStaleError(kind, `The tmux client went away before \`${verb}\` (${text}).`, { cause: error });
      default:
        return new TmuxStaleError(kind, `The session's tmux pane is gone from ${this.socketPath} (${text}); list the sessions again.`, {
          cause: error,
        });
    }
  }
}

/** Guards the one rule of this module: only ids go into a target. */
function assertId(value: string, shape: RegExp, what: string): void {
  if (!shape.test(value)) throw new TypeError(`not a tmux ${what} id: ${JSON.stringify(value)}`);
}
