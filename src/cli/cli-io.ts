import type { Environment } from '../sessions/discovery-context.js';

/** The CLI's whole outside world, so tests can run it as a function. */
export interface CliIo {
  readonly env: Environment;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
}

export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
}

/** Documented exit codes (SPEC §7). */
export const ExitCode = {
  ok: 0,
  /** vmux itself failed, or could not talk to what it needs. */
  failure: 1,
  /** Usage error, no match or ambiguous query, or the other side refused. */
  usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Colour only on a terminal, never with `NO_COLOR` or `TERM=dumb`; `FORCE_COLOR` forces it. */
export function wantsColor(stream: OutputStream, env: Environment): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}
