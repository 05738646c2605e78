import type { CliIo } from '../../src/cli/cli-io.js';

/** The CLI's outside world for a test: the environment given, and what it wrote, kept. */
export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
}

export function capturedIo(env: CliIo['env'], stdout: { isTTY?: boolean; columns?: number } = { isTTY: false }): CapturedIo {
  let out = '';
  let err = '';
  return {
    env,
    stdout: { write: (text: string) => (out += text), ...stdout },
    stderr: { write: (text: string) => (err += text) },
    out: () => out,
    err: () => err,
  };
}
