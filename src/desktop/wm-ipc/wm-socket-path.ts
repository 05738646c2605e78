import { statSync } from 'node:fs';
import { debuglog } from 'node:util';
import { errnoCode, WmNotFoundError } from '../../errors.js';
import { loadChildProcess } from '../../lazy-builtins.js';

const debug = debuglog('vmux:wm');

/** Where a socket path came from, in the order they are tried. */
export type WmSocketSource = '$SWAYSOCK' | '$I3SOCK' | 'i3 --get-socketpath' | 'sway --get-socketpath';

export interface WmSocketPath {
  readonly path: string;
  readonly source: WmSocketSource;
  /** Earlier steps that found nothing usable, and why (e.g. a stale `$SWAYSOCK`): for debug output. */
  readonly skipped: readonly WmSocketAttempt[];
}

/** One step of the chain that found nothing, and why. */
export interface WmSocketAttempt {
  readonly source: WmSocketSource;
  readonly reason: string;
}

export interface FindWmSocketOptions {
  /** The environment to read and to run `i3`/`sway` with (its PATH finds them). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** How long `i3 --get-socketpath` may take; it answers in milliseconds when an X server is up. */
  readonly commandTimeoutMs?: number;
}

export const DEFAULT_SOCKETPATH_TIMEOUT_MS = 1000;

/** A socket path is short; more output than this is not one. */
const MAX_COMMAND_OUTPUT_BYTES = 64 * 1024;

type Step = { readonly kind: 'env'; readonly name: 'SWAYSOCK' | 'I3SOCK' } | { readonly kind: 'command'; readonly program: 'i3' | 'sway' };

/** sway sets both variables, i3 only I3SOCK: SWAYSOCK first so a sway session is never taken for i3. */
const CHAIN: readonly Step[] = [
  { kind: 'env', name: 'SWAYSOCK' },
  { kind: 'env', name: 'I3SOCK' },
  { kind: 'command', program: 'i3' },
  { kind: 'command', program: 'sway' },
];

/**
 * Finds the i3/sway IPC socket: `$SWAYSOCK`, `$I3SOCK`, then `i3 --get-socketpath` (which reads
 * the X root window) and `sway --get-socketpath`. A candidate counts only if it is a socket, so a
 * variable left over from another session falls through to the next step. Returns the path and
 * the step that found it; `WM_NOT_FOUND`, listing every step and why it failed, when none did.
 */
export async function findWmSocketPath(options: FindWmSocketOptions): Promise<WmSocketPath> {
  const attempts: WmSocketAttempt[] = [];
  for (const step of CHAIN) {
    const source = sourceOf(step);
    const candidate = step.kind === 'env' ? fromEnv(options.env, step.name) : await fromCommand(step.program, options);
    const result = 'path' in candidate ? checkSocket(candidate.path) : candidate;
    if ('path' in result) {
      debug('WM socket %s (from %s)', result.path, source);
      return { path: result.path, source, skipped: attempts };
    }
    debug('no WM socket from %s: %s', source, result.reason);
    attempts.push({ source, reason: result.reason });
  }
  const lines = attempts.map((attempt) => `  ${attempt.source}: ${attempt.reason}`);
  throw new WmNotFoundError(
    `no i3 or sway IPC socket found:\n${lines.join('\n')}\n` +
      'Run vmux inside an i3 or sway session, or point $I3SOCK or $SWAYSOCK at its socket.',
    attempts,
  );
}

/**
 * The WM a socket path's source points at: sway's when it came from SWAYSOCK (which only sway
 * sets, and which is tried first) or `sway --get-socketpath`, i3's otherwise.
 */
export function wmOfSocketSource(source: WmSocketSource): 'i3' | 'sway' {
  return source === '$SWAYSOCK' || source === 'sway --get-socketpath' ? 'sway' : 'i3';
}

type Candidate = { readonly path: string } | { readonly reason: string };

function sourceOf(step: Step): WmSocketSource {
  return step.kind === 'env' ? `$${step.name}` : `${step.program} --get-socketpath`;
}

function fromEnv(env: FindWmSocketOptions['env'], name: 'SWAYSOCK' | 'I3SOCK'): Candidate {
  const value = env[name];
  if (value === undefined) return { reason: 'not set' };
  if (value.trim() === '') return { reason: 'set but empty' };
  return { path: value };
}

/** Synchronous on purpose: one stat is quicker than starting libuv's thread pool for it. */
function checkSocket(path: string): Candidate {
  try {
    const info = statSync(path);
    return info.isSocket() ? { path } : { reason: `${path} is not a socket` };
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return { reason: `${path} does not exist (a WM that is no longer running?)` };
    return { reason: `cannot check ${path}: ${code ?? String(error)}` };
  }
}

/** Runs `<program> --get-socketpath` with an argv array and a deadline, and reads its one line. */
async function fromCommand(program: 'i3' | 'sway', options: FindWmSocketOptions): Promise<Candidate> {
  const timeoutMs = options.commandTimeoutMs ?? DEFAULT_SOCKETPATH_TIMEOUT_MS;
  const { spawn } = await loadChildProcess();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (candidate: Candidate): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(candidate);
    };
    const child = spawn(program, ['--get-socketpath'], {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let outputBytes = 0;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      outputBytes += chunk.length;
      if (outputBytes > MAX_COMMAND_OUTPUT_BYTES) {
        child.kill('SIGKILL');
        settle({ reason: `printed more than ${MAX_COMMAND_OUTPUT_BYTES} bytes, not a socket path` });
        return;
      }
      into.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    // Settled on our own deadline, not on the child's: a stuck `i3` (or a grandchild holding its
    // output open) must not hold up `vmux switch`.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      child.stdout.destroy();
      child.stderr.destroy();
      settle({ reason: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    child.once('error', (error) => {
      const code = errnoCode(error);
      settle({ reason: code === 'ENOENT' ? `${program} is not installed (not on PATH)` : `could not run ${program}: ${error.message}` });
    });
    child.once('close', (status, signal) => {
      const out = Buffer.concat(stdout).toString('utf8').trim();
      if (status !== 0) {
        const said = firstLine(Buffer.concat(stderr).toString('utf8')) ?? firstLine(out);
        const how = signal === null ? `exited with status ${status}` : `was killed by ${signal}`;
        settle({ reason: said === undefined ? how : `${how}: ${said}` });
      } else if (out === '') {
        settle({ reason: 'printed nothing' });
      } else if (out.includes('\n')) {
        settle({ reason: 'printed several lines, not a socket path' });
      } else {
        settle({ path: out });
      }
    });
  });
}

function firstLine(text: string): string | undefined {
  const line = text.trim().split('\n', 1)[0]?.trim();
  return line === undefined || line === '' ? undefined : line.slice(0, 200);
}
