import { debuglog } from 'node:util';
import { readEnviron } from '../sessions/proc-reader.js';
import { processAncestry } from './process-ancestry.js';
import { walkTree, type WmNode } from './wm-ipc/index.js';
import { xpropWindowPidReader, type WindowPidReader } from './x11-window-pid.js';
import { messageOf } from '../errors.js';

const debug = debuglog('vmux:wm');

export type WmKind = 'i3' | 'sway';

/**
 * How the window was tied to the process:
 * - `sway-pid`: a sway view's `pid` is the process or one of its ancestors (the terminal);
 * - `WINDOWID`: the X11 window id the terminal exported into the environment of its children;
 * - `_NET_WM_PID`: the PID an X11 window advertises is the process or one of its ancestors.
 */
export type WindowMatchMethod = 'sway-pid' | 'WINDOWID' | '_NET_WM_PID';

/** A window of the tree that may hold the process. */
export interface WindowCandidate {
  /** What `[con_id=N] focus` takes. */
  readonly conId: number;
  /** Name of the workspace holding the window. */
  readonly workspace: string;
  /** The window title (for a tie-break by the caller, or to show to the user). */
  readonly title: string | null;
}

export type WindowOfProcess =
  | (WindowCandidate & {
      readonly kind: 'found';
      readonly via: WindowMatchMethod;
      /** The process whose PID (or environment, for `WINDOWID`) matched: the one asked about or an ancestor. */
      readonly matchedPid: number;
    })
  | {
      /** One process owns several windows (a terminal server: `foot --server`, `urxvtd`, …); vmux does not guess. */
      readonly kind: 'several';
      readonly candidates: readonly WindowCandidate[];
      readonly via: WindowMatchMethod;
      readonly matchedPid: number;
    }
  | {
      readonly kind: 'none';
      /** `gone`: the process is not running; `no-window`: it runs, but no window of the tree is its. */
      readonly reason: 'gone' | 'no-window';
      /** For the user: what was tried and why it found nothing. */
      readonly why: string;
    };

export interface WindowLookupOptions {
  /** One GET_TREE reply of the WM, shared by every lookup of a batch. */
  readonly tree: WmNode;
  readonly procRoot: string;
  readonly kind: WmKind;
  /**
   * i3 only: reads an X11 window's `_NET_WM_PID`, for processes whose terminal exports no
   * `WINDOWID` (production: `xpropWindowPidReader({ env })`). Without it, i3 windows are matched
   * by `WINDOWID` alone.
   */
  readonly windowPidOf?: WindowPidReader;
}

/** sway's tree carries the PID of each window's client; i3's does not. */
export function wmKindOf(tree: WmNode): WmKind {
  for (const { node } of walkTree(tree)) if (typeof node.pid === 'number') return 'sway';
  return 'i3';
}

/**
 * How to find windows in this tree: by the client PIDs sway gives, or on i3 by `WINDOWID` and,
 * failing that, `_NET_WM_PID` read with xprop on the environment's display.
 */
export function windowLookupIn(tree: WmNode, env: Readonly<Record<string, string | undefined>>, procRoot: string): WindowLookupOptions {
  const kind = wmKindOf(tree);
  return { tree, procRoot, kind, ...(kind === 'i3' ? { windowPidOf: xpropWindowPidReader({ env }) } : {}) };
}

/** xprop runs at once, at most, when every window's `_NET_WM_PID` is read: enough to overlap their start-up. */
const XPROP_CONCURRENCY = 8;

/**
 * The terminal window that shows process `pid`, and its workspace: walks the ancestry from `pid`
 * up (the nearest ancestor that owns a window is the terminal) and matches it against the tree —
 * on sway by the views' `pid`; on i3 by the `WINDOWID` the terminal exported (nearest ancestor's
 * environment that has one), else by the windows' `_NET_WM_PID`.
 *
 * A process inside tmux runs under the tmux server, not under any terminal: for it, pass the PID
 * of the tmux CLIENT showing its session (`tmux attach`, which runs in the terminal window), never
 * Claude's own PID, whose `WINDOWID` names whichever terminal started the tmux server.
 *
 * Several windows owned by the nearest matching process (a terminal server) give `several`,
 * never a guess. For many PIDs use `workspacesOfSessions`, which shares the tree and xprop work.
 */
export async function findWindowOfProcess(pid: number, options: WindowLookupOptions): Promise<WindowOfProcess> {
  return new WindowResolver(options).resolve(pid);
}

/**
 * `findWindowOfProcess` for many PIDs at once (each session's workspace in a listing): one tree
 * for all, and every window's `_NET_WM_PID` read at most once, only when some PID needs it.
 * Same rules for tmux sessions: pass their tmux client's PID.
 */
export async function workspacesOfSessions(pids: readonly number[], options: WindowLookupOptions): Promise<Map<number, WindowOfProcess>> {
  const resolver = new WindowResolver(options);
  const results = new Map<number, WindowOfProcess>();
  for (const pid of pids) {
    if (!results.has(pid)) results.set(pid, await resolver.resolve(pid));
  }
  return results;
}

/** Claude Code may shorten a long title in the terminal's: its start is matched. */
const TITLE_MATCH_CHARACTERS = 40;

/**
 * The candidate windows whose title holds the session's title as whole words (so a short title,
 * "api", is not found inside "rapid"); whitespace runs count as one space.
 */
export function windowsTitled<T extends { readonly title?: string | null | undefined }>(candidates: readonly T[], sessionTitle: string | undefined): T[] {
  const normal = (text: string) => text.replace(/\s+/g, ' ').trim();
  const whole = normal(sessionTitle ?? '');
  if (whole === '') return [];
  const wanted = whole.slice(0, TITLE_MATCH_CHARACTERS);
  const escaped = wanted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A title cut short may end inside a word; a whole one may not.
  const pattern = new RegExp(`(?:^|[^\\p{L}\\p{N}])${escaped}${wanted === whole ? '(?:$|[^\\p{L}\\p{N}])' : ''}`, 'u');
  return candidates.filter((c) => typeof c.title === 'string' && pattern.test(normal(c.title)));
}

/** A window of the tree, where it is, and who (by the tree) owns it. */
interface TreeWindow extends WindowCandidate {
  /** sway: the view's client PID. */
  readonly pid: number | undefined;
  /** i3: the X11 window id. */
  readonly window: number | undefined;
}

/** `_NET_WM_PID` of every X11 window, read once per resolver. */
interface X11Owners {
  readonly byPid: ReadonlyMap<number, readonly TreeWindow[]>;
  /** Windows whose PID could not be read, and the first reason (no xprop, no display, …). */
  readonly unreadable: number;
  readonly failure: string | undefined;
}

class WindowResolver {
  readonly #options: WindowLookupOptions;
  readonly #windows: readonly TreeWindow[];
  readonly #byWindowId = new Map<number, TreeWindow>();
  readonly #byTreePid = new Map<number, TreeWindow[]>();
  #x11Owners: Promise<X11Owners> | undefined;

  constructor(options: WindowLookupOptions) {
    this.#options = options;
    this.#windows = windowsOfTree(options.tree, options.kind);
    for (const window of this.#windows) {
      if (window.window !== undefined) this.#byWindowId.set(window.window, window);
      if (window.pid !== undefined) addTo(this.#byTreePid, window.pid, window);
    }
  }

  async resolve(pid: number): Promise<WindowOfProcess> {
    const { kind, procRoot } = this.#options;
    const ancestry = processAncestry(pid, procRoot);
    if (ancestry.length === 0) {
      return { kind: 'none', reason: 'gone', why: `process ${pid} is not running (or is not visible in ${procRoot}).` };
    }
    const chain = describeChain(ancestry);
    if (this.#windows.length === 0) {
      return { kind: 'none', reason: 'no-window', why: `the ${kind} tree has no windows at all (process chain ${chain}).` };
    }
    if (kind === 'sway') {
      return (
        matchOwner(ancestry, this.#byTreePid, 'sway-pid') ?? {
          kind: 'none',
          reason: 'no-window',
          why: `no sway window belongs to process ${pid} or any of its ancestors (${chain}); is it running in a terminal of this sway session?`,
        }
      );
    }
    return this.#resolveX11(pid, ancestry, chain);
  }

  async #resolveX11(pid: number, ancestry: readonly number[], chain: string): Promise<WindowOfProcess> {
    const exported = exportedWindowId(ancestry, this.#options.procRoot);
    if (exported !== undefined) {
      const window = this.#byWindowId.get(exported.window);
      if (window !== undefined) return found(window, 'WINDOWID', exported.envPid);
      debug('WINDOWID=%d of pid %d is no window of the tree: falling back to _NET_WM_PID', exported.window, exported.envPid);
    }
    const windowIdNote =
      exported === undefined
        ? 'no process of the chain has WINDOWID in its environment'
        : `WINDOWID=${exported.window} (from process ${exported.envPid}) is no window of the i3 tree`;
    if (this.#options.windowPidOf === undefined) {
      return { kind: 'none', reason: 'no-window', why: `${windowIdNote}, and no _NET_WM_PID reader was given (process chain ${chain}).` };
    }
    const owners = await this.#readX11Owners(this.#options.windowPidOf);
    const match = matchOwner(ancestry, owners.byPid, '_NET_WM_PID');
    if (match !== undefined) return match;
    const unreadable =
      owners.unreadable === 0 ? '' : `; ${owners.unreadable} of ${this.#windows.length} windows' _NET_WM_PID could not be read: ${owners.failure ?? 'unknown error'}`;
    return {
      kind: 'none',
      reason: 'no-window',
      why: `no i3 window belongs to process ${pid} or any of its ancestors (${chain}): ${windowIdNote}, and no window's _NET_WM_PID is one of them${unreadable}.`,
    };
  }

  /** Every window's `_NET_WM_PID`, asked once per resolver (the first PID that needs it pays). */
  #readX11Owners(read: WindowPidReader): Promise<X11Owners> {
    this.#x11Owners ??= (async () => {
      const byPid = new Map<number, TreeWindow[]>();
      let unreadable = 0;
      let failure: string | undefined;
      const windows = this.#windows.flatMap((window) => (window.window === undefined ? [] : [{ window, id: window.window }]));
      await eachLimited(windows, XPROP_CONCURRENCY, async ({ window, id }) => {
        try {
          const owner = await read(id);
          if (owner !== undefined) addTo(byPid, owner, window);
        } catch (error) {
          unreadable++;
          failure ??= messageOf(error);
        }
      });
      debug('_NET_WM_PID of %d windows read, %d unreadable', windows.length, unreadable);
      return { byPid, unreadable, failure };
    })();
    return this.#x11Owners;
  }
}

/** The windows of the tree the WM reports as windows and places on a workspace (not docks, bars). */
function windowsOfTree(tree: WmNode, kind: WmKind): TreeWindow[] {
  const windows: TreeWindow[] = [];
  for (const { node, workspace } of walkTree(tree)) {
    if (workspace === undefined || (node.type !== 'con' && node.type !== 'floating_con')) continue;
    const window = typeof node.window === 'number' && node.window > 0 ? node.window : undefined;
    const pid = kind === 'sway' && node.pid !== undefined && node.pid > 0 ? node.pid : undefined;
    if (window === undefined && pid === undefined) continue;
    windows.push({ conId: node.id, workspace: workspace.name ?? String(workspace.num ?? ''), title: node.name, pid, window });
  }
  return windows;
}

/** The nearest process of the chain that owns a window decides: one window → found, more → several. */
function matchOwner(ancestry: readonly number[], byPid: ReadonlyMap<number, readonly TreeWindow[]>, via: WindowMatchMethod): WindowOfProcess | undefined {
  for (const pid of ancestry) {
    const windows = byPid.get(pid);
    if (windows === undefined || windows.length === 0) continue;
    const [only] = windows;
    if (windows.length === 1 && only !== undefined) return found(only, via, pid);
    return { kind: 'several', candidates: windows.map(candidateOf), via, matchedPid: pid };
  }
  return undefined;
}

/**
 * The X11 window the terminal of process `pid` exported as `WINDOWID` (what `findWindowOfProcess`
 * tries first on i3), found without the tree: the caller asks the WM whether it has that window.
 */
export function exportedWindowOf(pid: number, procRoot: string): { readonly window: number; readonly envPid: number } | undefined {
  return exportedWindowId(processAncestry(pid, procRoot), procRoot);
}

/**
 * `WINDOWID` from the environment of the nearest process of the chain that has one (terminals
 * export it to what they run). Environments we may not read (another user's) are skipped.
 */
function exportedWindowId(ancestry: readonly number[], procRoot: string): { readonly window: number; readonly envPid: number } | undefined {
  for (const pid of ancestry) {
    const value = readEnviron(procRoot, pid)?.get('WINDOWID');
    if (value === undefined) continue;
    const window = parseWindowId(value);
    return window === undefined ? undefined : { window, envPid: pid };
  }
  return undefined;
}

/** Terminals write the id in decimal; a `0x` hexadecimal one is taken too. */
export function parseWindowId(value: string): number | undefined {
  const text = value.trim();
  const id = /^[0-9]+$/.test(text) ? Number(text) : /^0x[0-9a-f]+$/i.test(text) ? Number.parseInt(text.slice(2), 16) : undefined;
  return id !== undefined && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

function found(window: TreeWindow, via: WindowMatchMethod, matchedPid: number): WindowOfProcess {
  return { kind: 'found', ...candidateOf(window), via, matchedPid };
}

function candidateOf(window: TreeWindow): WindowCandidate {
  return { conId: window.conId, workspace: window.workspace, title: window.title };
}

function describeChain(ancestry: readonly number[]): string {
  return ancestry.join(' ← ');
}

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Runs `work` on every item, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
