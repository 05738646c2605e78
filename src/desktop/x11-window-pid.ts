import { debuglog } from 'node:util';
import { errnoCode } from '../errors.js';
import { loadChildProcess } from '../lazy-builtins.js';

const debug = debuglog('vmux:wm');

/**
 * The PID an X11 window's client advertises in `_NET_WM_PID`; `undefined` when the window sets
 * none or no longer exists. Rejects only when it cannot ask at all (no `xprop`, no display, the X
 * server does not answer), so that the caller can say why nothing matched.
 */
export type WindowPidReader = (window: number) => Promise<number | undefined>;

/** xprop answers in a few milliseconds; an X server that takes longer is wedged, and the user is waiting. */
export const XPROP_TIMEOUT_MS = 1000;

/** One property of one window is a line; more than this is not xprop answering us. */
const MAX_XPROP_OUTPUT_BYTES = 64 * 1024;

export interface XpropReaderOptions {
  /** Environment xprop runs with: `DISPLAY` (required), `XAUTHORITY`, and `PATH` to find it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The xprop executable (default `xprop`, looked up in `env.PATH`). */
  readonly xpropPath?: string;
  readonly timeoutMs?: number;
}

/**
 * Parses `xprop -id <window> _NET_WM_PID`: `_NET_WM_PID(CARDINAL) = 1234` when set,
 * `_NET_WM_PID:  not found.` when not. Anything else is not a PID.
 */
export function parseNetWmPid(output: string): number | undefined {
  const match = /^_NET_WM_PID\(CARDINAL\) = ([0-9]+)$/m.exec(output);
  const pid = match?.[1] === undefined ? undefined : Number(match[1]);
  return pid !== undefined && Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * A `WindowPidReader` that runs `xprop -id <window> _NET_WM_PID` (argv array, no shell) against
 * the display named in `env.DISPLAY`. A window that vanished since the tree was read (`BadWindow`)
 * reads as no PID.
 */
export function xpropWindowPidReader(options: XpropReaderOptions): WindowPidReader {
  const xprop = options.xpropPath ?? 'xprop';
  const timeoutMs = options.timeoutMs ?? XPROP_TIMEOUT_MS;
  const env = { ...options.env };
  return (window) => {
    if (!Number.isSafeInteger(window) || window <= 0) return Promise.resolve(undefined);
    if (!env.DISPLAY) {
      return Promise.reject(new Error('DISPLAY is not set, so xprop cannot ask the X server for windows\' _NET_WM_PID.'));
    }
    const argv = ['-id', String(window), '_NET_WM_PID'];
    return loadChildProcess().then(({ execFile }) => new Promise<number | undefined>((resolve, reject) => {
      execFile(xprop, argv, { env, timeout: timeoutMs, maxBuffer: MAX_XPROP_OUTPUT_BYTES, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error === null) {
          const pid = parseNetWmPid(stdout);
          debug('%s %o: %s', xprop, argv, pid ?? 'no _NET_WM_PID');
          resolve(pid);
          return;
        }
        if (/\bBadWindow\b/.test(stderr)) {
          debug('%s %o: window gone', xprop, argv);
          resolve(undefined);
          return;
        }
        reject(xpropFailure(xprop, argv, error, stderr, timeoutMs));
      });
    }));
  };
}

function xpropFailure(xprop: string, argv: readonly string[], error: Error & { killed?: boolean }, stderr: string, timeoutMs: number): Error {
  const command = `${xprop} ${argv.join(' ')}`;
  if (errnoCode(error) === 'ENOENT') {
    return new Error(`${xprop} was not found; install it (Debian/Ubuntu: x11-utils) so vmux can match i3 windows to processes by _NET_WM_PID.`, { cause: error });
  }
  if (error.killed === true) {
    return new Error(`${command} did not answer within ${timeoutMs} ms: the X server at DISPLAY seems wedged.`, { cause: error });
  }
  const said = stderr.trim().split('\n')[0] ?? '';
  return new Error(`${command} failed${said ? `: ${said}` : ''}`, { cause: error });
}
