import { createInterface } from 'node:readline';
import { debuglog } from 'node:util';
import { clickOf, type BarClick } from '../bar/bar-clicks.js';
import { BAR_FORMATS, renderBarLine, type BarFormat, type BarLineOptions } from '../bar/bar-formats.js';
import { barView, disconnectedView } from '../bar/bar-view.js';
import { desktopSessionOf } from '../desktop/graphical-session.js';
import { UsageError } from '../errors.js';
import { vmuxHomeFrom } from '../home/vmux-home.js';
import { followDaemon, type Backoff } from '../protocol/follow-daemon.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { echoInput } from '../text/sanitize-text.js';
import { ExitCode, type CliIo } from './cli-io.js';
import { parseCommandArgs } from './command-args.js';
import { reportError } from './report-error.js';
import { switchViaDaemon } from './switch-via-daemon.js';

const debug = debuglog('vmux:bar');

/** Tooltip ages are whole minutes: drawn again this often, they are never more than this late. */
const AGE_REFRESH_MS = 20_000;

/** The signals that end a bar cleanly (exit 0): its bar stops it, or the user does. */
const TERMINATION_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface BarDeps {
  /** Ends the bar (exit 0); by default SIGINT, SIGTERM or SIGHUP. */
  readonly stop?: AbortSignal;
  readonly now?: () => Date;
  /** Pauses between attempts to reach vmuxd. */
  readonly backoff?: Backoff;
  /** What a click runs; by default `vmux next` or `vmux switch --dmenu`, in this process. */
  readonly onClick?: (click: BarClick) => Promise<void>;
}

/**
 * `vmux bar --format …`: one line in the bar's format each time what it shows changes, for as
 * long as the bar runs. vmuxd not running or going away is shown ("no vmuxd") and waited out,
 * never a reason to exit: the bar ends (exit 0) on SIGINT, SIGTERM or SIGHUP, when its reader
 * closes standard output, or when i3blocks closes the block's standard input.
 */
export async function runBar(args: readonly string[], io: CliIo, deps: BarDeps = {}): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, io, 'bar', { format: { type: 'string', short: 'f' }, ascii: { type: 'boolean' }, name: { type: 'boolean' } });
  if (parsed === undefined) return ExitCode.ok;
  const format = barFormatOf(parsed.values.format);
  const options: BarLineOptions = { ascii: parsed.values.ascii === true, showName: parsed.values.name === true };
  const now = deps.now ?? (() => new Date());

  const ending = new AbortController();
  const termination = deps.stop === undefined ? abortOnTermination(() => ending.abort()) : undefined;
  deps.stop?.addEventListener('abort', () => ending.abort(), { once: true });
  if (deps.stop?.aborted) ending.abort();

  let sessions: readonly SessionInfo[] = [];
  let unreachable: string | undefined;
  let lastLine: string | undefined;
  const show = () => {
    const view = unreachable !== undefined ? disconnectedView(unreachable) : barView(sessions, now());
    const line = renderBarLine(view, format, options);
    if (line === lastLine) return;
    lastLine = line;
    io.stdout.write(`${line}\n`);
    // The bar went away: nobody reads what would come next.
    if (io.stdout.closed === true) ending.abort();
  };

  const ageTimer = setInterval(show, AGE_REFRESH_MS);
  const stopClicks = format === 'i3blocks' ? followClicks(io, deps, () => ending.abort()) : undefined;
  try {
    await followDaemon(
      vmuxHomeFrom(io.env).socketPath,
      {
        onEvent: (event) => {
          unreachable = undefined;
          sessions = event.sessions;
          show();
        },
        onLost: (why, retryInMs) => {
          debug('%s; again in %d ms', why, retryInMs);
          unreachable = why;
          show();
        },
      },
      { signal: ending.signal, desktop: desktopSessionOf(io.env), ...(deps.backoff ? { backoff: deps.backoff } : {}) },
    );
  } finally {
    clearInterval(ageTimer);
    stopClicks?.();
    termination?.();
  }
  return ExitCode.ok;
}

function barFormatOf(value: string | undefined): BarFormat {
  const formats = BAR_FORMATS.join(', ');
  if (value === undefined) throw new UsageError(`vmux bar needs --format with one of ${formats}; run 'vmux bar --help'`);
  const format = BAR_FORMATS.find((known) => known === value);
  if (format === undefined) throw new UsageError(`vmux bar has no format '${echoInput(value, 40)}'; choose one of ${formats}`);
  return format;
}

/** Calls `abort` on a termination signal; returns what removes the handlers. */
function abortOnTermination(abort: () => void): () => void {
  for (const signal of TERMINATION_SIGNALS) process.once(signal, abort);
  return () => {
    for (const signal of TERMINATION_SIGNALS) process.off(signal, abort);
  };
}

/**
 * Reads i3blocks' clicks from standard input, when this block has an input of its own: i3blocks
 * 1.5 sets `BLOCK_INTERVAL` and gives a persistent block a pipe; 1.4 sets neither, and the
 * block's standard input is then i3blocks' own, which must not be read. The end of that input
 * means i3blocks is gone. Returns what stops reading.
 */
function followClicks(io: CliIo, deps: BarDeps, onEnd: () => void): (() => void) | undefined {
  if (io.env['BLOCK_INTERVAL'] !== 'persist' || io.standardInput === undefined) return undefined;
  const input = io.standardInput();
  const lines = createInterface({ input, crlfDelay: Infinity });
  const onClick = deps.onClick ?? ((click: BarClick) => runClick(click, io));
  lines.on('line', (line) => {
    const click = clickOf(line);
    if (click !== undefined) void onClick(click);
  });
  lines.once('close', onEnd);
  return () => {
    lines.off('close', onEnd);
    lines.close();
    input.destroy();
  };
}

/**
 * A click runs `vmux next` or `vmux switch --dmenu` here, as the commands would; what they say
 * goes to stderr (i3blocks shows only the block's stdout).
 */
async function runClick(click: BarClick, io: CliIo): Promise<void> {
  const quiet: CliIo = { env: io.env, stdout: io.stderr, stderr: io.stderr };
  try {
    // `next` as a key binding runs it: asked of vmuxd when it runs, else done here.
    if (click === 'next' && (await switchViaDaemon({ command: 'next' }, quiet)) !== undefined) return;
    const { runNext, runSwitch } = await import('./switch-command.js');
    if (click === 'next') await runNext([], quiet);
    else await runSwitch(['--dmenu'], quiet);
  } catch (error) {
    reportError(error, quiet);
  }
}
