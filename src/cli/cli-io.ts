import type { Readable } from 'node:stream';
import type { Environment } from '../sessions/discovery-context.js';

/** The CLI's whole outside world, so tests can run it as a function. */
export interface CliIo {
  readonly env: Environment;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** The keyboard, when the CLI runs on a terminal; opened only by commands that read it. */
  readonly terminalInput?: () => TerminalInput | undefined;
  /** Standard input as a stream, for the commands that read what another program writes (i3blocks' clicks). */
  readonly standardInput?: () => Readable;
}

/** What the interactive picker needs of a terminal's input. */
export interface TerminalInput {
  readonly isTTY?: boolean;
  setRawMode(raw: boolean): unknown;
  setEncoding(encoding: 'utf8'): unknown;
  on(event: 'data', listener: (chunk: string) => void): unknown;
  off(event: 'data', listener: (chunk: string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
  /** True once the reader went away (a closed pipe), for the commands that run until then. */
  readonly closed?: boolean;
}

/** Documented exit codes (SPEC §7; the table users read is EXIT_CODES in command-table.ts). */
export const ExitCode = {
  ok: 0,
  /** vmux itself failed, or could not talk to what it needs. */
  failure: 1,
  /** A wrong call: usage error, bad setting, no match or ambiguous query, or the other side refused. */
  usage: 2,
  /** Nothing chosen: the picker or launcher was closed without a choice. */
  cancelled: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Colour only on a terminal, never with `NO_COLOR` or `TERM=dumb`; `FORCE_COLOR` forces it. */
export function wantsColor(stream: OutputStream, env: Environment): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}
