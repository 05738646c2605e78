import { debuglog } from 'node:util';
import { TmuxStaleError, VmuxError, messageOf } from '../../errors.js';
import { TmuxServer, type TmuxOptions } from './tmux-client.js';

const debug = debuglog('vmux:tmux');

/*
 * What a status line can show per window, as tmux user options set by vmuxd:
 *
 *   window  @vmux_state        the most pressing state of the sessions in the window's panes
 *           @vmux_unseen       `1` when one of them waits for the user unseen, else empty
 *   pane    @vmux_pane_state   the state of the session in that pane
 *           @vmux_pane_unseen  `1` / empty
 *
 * Pane and window options have different names because tmux looks an option up in the active
 * pane before its window, for `window-status-format` too: a pane's own `@vmux_state` would hide
 * its window's, so a window whose active pane works would not show the pane beside it that waits.
 */
export const WINDOW_STATE_OPTION = '@vmux_state';
export const WINDOW_UNSEEN_OPTION = '@vmux_unseen';
export const PANE_STATE_OPTION = '@vmux_pane_state';
export const PANE_UNSEEN_OPTION = '@vmux_pane_unseen';

/** The values `@vmux_state` takes; nothing else is ever written (a status line would interpret `#[…]`). */
export const INDICATOR_STATES = ['needs_input', 'working', 'idle', 'unknown'] as const;
export type IndicatorState = (typeof INDICATOR_STATES)[number];

/** The session in one pane, as vmuxd sees it. */
export interface PaneIndicator {
  /** `%N` */
  readonly paneId: string;
  readonly state: IndicatorState;
  readonly unseen: boolean;
}

/** What is shown for one pane or window. */
export interface Indicator {
  readonly state: IndicatorState;
  readonly unseen: boolean;
}

export type IndicatorOutcome =
  /** The picture is the one last written: tmux was not asked anything. */
  | { readonly kind: 'unchanged' }
  /** `commands` `set-option`s were run (0 when only the listing was needed). */
  | { readonly kind: 'written'; readonly commands: number }
  /** No server on the socket: nothing to show anything on. */
  | { readonly kind: 'server-gone' }
  | { readonly kind: 'failed'; readonly error: VmuxError };

/**
 * Arguments of one `tmux` invocation stay below this: the client sends them to the server in one
 * message, which tmux caps at 16 KiB.
 */
const MAX_BATCH_CHARS = 8 * 1024;

/** A value written by an earlier vmuxd, found on the server, whatever it was: it gets rewritten or removed. */
const FOUND: Indicator = Object.freeze({ state: 'unknown', unseen: false }) as Indicator;

const LIST_FORMAT = `#{pid}\t#{pane_id}\t#{window_id}\t#{${WINDOW_STATE_OPTION}}#{${PANE_STATE_OPTION}}`;

/** Most pressing first: a window shows the state of the pane that needs the user most. */
export function windowIndicator(panes: readonly Indicator[]): Indicator | undefined {
  let shown: Indicator | undefined;
  for (const pane of panes) {
    const state = shown === undefined || INDICATOR_STATES.indexOf(pane.state) < INDICATOR_STATES.indexOf(shown.state) ? pane.state : shown.state;
    shown = { state, unseen: (shown?.unseen ?? false) || pane.unseen };
  }
  return shown;
}

/** The well-formed entries of a picture, one per pane (the first), in a stable order; the rest is logged and left out. */
export function validIndicators(panes: readonly PaneIndicator[], log: (message: string) => void = (message) => debug('%s', message)): PaneIndicator[] {
  const kept = new Map<string, PaneIndicator>();
  for (const pane of panes) {
    const state: string = pane.state;
    if (!/^%[0-9]+$/.test(pane.paneId) || !(INDICATOR_STATES as readonly string[]).includes(state) || typeof pane.unseen !== 'boolean') {
      log(`tmux indicator left out: ${JSON.stringify(pane)}`);
      continue;
    }
    if (!kept.has(pane.paneId)) kept.set(pane.paneId, { paneId: pane.paneId, state: pane.state, unseen: pane.unseen });
  }
  return [...kept.values()].sort((a, b) => Number(a.paneId.slice(1)) - Number(b.paneId.slice(1)));
}

function same(a: Indicator | undefined, b: Indicator | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a !== FOUND && b !== FOUND && a.state === b.state && a.unseen === b.unseen);
}

/** One pane of `list-panes -a`. */
interface ListedPane {
  readonly serverPid: number;
  readonly paneId: string;
  readonly windowId: string;
  /** Something of vmux's is set on the pane or its window. */
  readonly marked: boolean;
}

function parseListedPanes(output: string): ListedPane[] {
  const panes: ListedPane[] = [];
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const [pid, paneId, windowId, marks] = line.split('\t');
    if (pid === undefined || !/^[0-9]+$/.test(pid) || paneId === undefined || !/^%[0-9]+$/.test(paneId) || windowId === undefined || !/^@[0-9]+$/.test(windowId)) {
      throw new VmuxError('TMUX_UNAVAILABLE', `tmux listed its panes in an unexpected shape: ${JSON.stringify(line)}`);
    }
    panes.push({ serverPid: Number(pid), paneId, windowId, marked: (marks ?? '') !== '' });
  }
  return panes;
}

/** The commands that show `indicator` on a pane (`-p`) or window (`-w`), or remove vmux's options when undefined. */
function optionCommands(scope: '-p' | '-w', target: string, indicator: Indicator | undefined): string[][] {
  const [stateOption, unseenOption] = scope === '-p' ? [PANE_STATE_OPTION, PANE_UNSEEN_OPTION] : [WINDOW_STATE_OPTION, WINDOW_UNSEEN_OPTION];
  if (indicator === undefined) {
    return [
      ['set-option', scope, '-u', '-t', target, stateOption],
      ['set-option', scope, '-u', '-t', target, unseenOption],
    ];
  }
  // An explicit empty `unseen`, never an unset one, so that nothing is inherited in its place.
  return [
    ['set-option', scope, '-t', target, stateOption, indicator.state],
    ['set-option', scope, '-t', target, unseenOption, indicator.unseen ? '1' : ''],
  ];
}

/**
 * Keeps vmux's user options on the panes and windows of one tmux server in step with vmuxd's
 * picture (needs tmux ≥ 3.0 for pane options). `update` takes the whole picture each time, as
 * often as the caller likes: an unchanged picture costs nothing, a changed one a `list-panes` and
 * one `tmux` run with only the options that changed. Panes absent from the picture (their session
 * ended) lose vmux's options; so do windows left without a session, and whatever an earlier vmuxd
 * left behind. Every value is a constant or an id tmux reported; nothing is passed through a shell.
 */
export class TmuxIndicators {
  readonly #server: TmuxServer;
  readonly #log: (message: string) => void;
  /** What vmux has set, by pane and by window; `FOUND` for what an earlier run left. */
  readonly #panes = new Map<string, Indicator>();
  readonly #windows = new Map<string, Indicator>();
  #serverPid: number | undefined;
  /** The picture that is on the server, as `validIndicators` gave it; undefined when unknown. */
  #shown: string | undefined;
  #latest = '';
  #queue: Promise<unknown> = Promise.resolve();

  constructor(socketPath: string, options: TmuxOptions & { readonly log?: (message: string) => void } = {}) {
    this.#server = new TmuxServer(socketPath, options);
    this.#log = options.log ?? ((message) => debug('%s', message));
  }

  /** Shows `panes` (every session of this server that vmuxd knows) and nothing else. Never rejects. */
  update(panes: readonly PaneIndicator[]): Promise<IndicatorOutcome> {
    const wanted = validIndicators(panes, this.#log);
    const key = JSON.stringify(wanted);
    this.#latest = key;
    const run = this.#queue.then(() => (key !== this.#latest || key === this.#shown ? { kind: 'unchanged' as const } : this.#apply(wanted, key)));
    this.#queue = run;
    return run;
  }

  /** Removes every option vmux set on this server (vmuxd stopping). */
  clear(): Promise<IndicatorOutcome> {
    return this.update([]);
  }

  async #apply(wanted: readonly PaneIndicator[], key: string): Promise<IndicatorOutcome> {
    try {
      const listed = parseListedPanes(await this.#server.run(['list-panes', '-a', '-F', LIST_FORMAT]));
      this.#forgetGone(listed);
      const commands = this.#commandsFor(wanted, listed);
      await this.#runAll(commands);
      this.#shown = key;
      return { kind: 'written', commands: commands.length };
    } catch (error) {
      this.#shown = undefined;
      if (error instanceof TmuxStaleError && error.reason === 'server-gone') {
        this.#panes.clear();
        this.#windows.clear();
        this.#serverPid = undefined;
        return { kind: 'server-gone' };
      }
      // What is set is not known any more: the next update starts from what the server holds.
      this.#serverPid = undefined;
      this.#log(`could not update tmux indicators: ${messageOf(error)}`);
      return { kind: 'failed', error: error instanceof VmuxError ? error : new VmuxError('TMUX_UNAVAILABLE', messageOf(error), { cause: error }) };
    }
  }

  /** Drops what no longer exists; a new server (restarted on the same socket) starts from what it holds. */
  #forgetGone(listed: readonly ListedPane[]): void {
    const serverPid = listed[0]?.serverPid;
    if (serverPid !== undefined && serverPid !== this.#serverPid) {
      this.#panes.clear();
      this.#windows.clear();
      for (const pane of listed) {
        if (!pane.marked) continue;
        this.#panes.set(pane.paneId, FOUND);
        this.#windows.set(pane.windowId, FOUND);
      }
      this.#serverPid = serverPid;
    }
    const panes = new Set(listed.map((pane) => pane.paneId));
    const windows = new Set(listed.map((pane) => pane.windowId));
    for (const id of this.#panes.keys()) if (!panes.has(id)) this.#panes.delete(id);
    for (const id of this.#windows.keys()) if (!windows.has(id)) this.#windows.delete(id);
  }

  /** The `set-option`s from what is set to `wanted`; records them as set. */
  #commandsFor(wanted: readonly PaneIndicator[], listed: readonly ListedPane[]): string[][] {
    const windowOf = new Map(listed.map((pane) => [pane.paneId, pane.windowId]));
    const panes = new Map<string, Indicator>();
    const byWindow = new Map<string, Indicator[]>();
    for (const pane of wanted) {
      const windowId = windowOf.get(pane.paneId);
      if (windowId === undefined) continue;
      panes.set(pane.paneId, pane);
      byWindow.set(windowId, [...(byWindow.get(windowId) ?? []), pane]);
    }
    const windows = new Map<string, Indicator>();
    for (const [windowId, shown] of byWindow) {
      const indicator = windowIndicator(shown);
      if (indicator !== undefined) windows.set(windowId, indicator);
    }
    const commands: string[][] = [];
    for (const [scope, want, have] of [
      ['-p', panes, this.#panes],
      ['-w', windows, this.#windows],
    ] as const) {
      for (const id of new Set([...want.keys(), ...have.keys()])) {
        const next = want.get(id);
        if (same(next, have.get(id))) continue;
        commands.push(...optionCommands(scope, id, next));
        if (next === undefined) have.delete(id);
        else have.set(id, { state: next.state, unseen: next.unseen });
      }
    }
    return commands;
  }

  /**
   * Runs the commands in as few `tmux` runs as fit (`;` between commands). tmux stops a run at
   * its first error, so a run that fails (a pane closed since the listing) is done again one
   * command at a time, where only a target that is gone is not an error.
   */
  async #runAll(commands: readonly string[][]): Promise<void> {
    let batch: string[][] = [];
    let size = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const words = batch.flatMap((command, i) => (i === 0 ? command : [';', ...command]));
      const commandsOfBatch = batch;
      batch = [];
      size = 0;
      try {
        await this.#server.run(words);
      } catch (error) {
        if (error instanceof TmuxStaleError && error.reason === 'server-gone') throw error;
        for (const command of commandsOfBatch) {
          await this.#server.run(command).catch((single: unknown) => {
            if (!(single instanceof TmuxStaleError && single.reason === 'pane-gone')) throw single;
          });
        }
      }
    };
    for (const command of commands) {
      const length = command.reduce((total, word) => total + word.length + 1, 2);
      if (size + length > MAX_BATCH_CHARS) await flush();
      batch.push(command);
      size += length;
    }
    await flush();
  }
}
