import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The bundled executable that package.json's `bin` installs (`dist/vmux.cjs`). */
export const VMUX = fileURLToPath(new URL('../../vmux.cjs', import.meta.url));

export interface VmuxRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the bundled `vmux` as a person or a key binding does, with exactly this environment. */
export function runVmux(args: readonly string[], env: Readonly<Record<string, string | undefined>>, timeoutMs = 15_000): Promise<VmuxRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [VMUX, ...args], { env, timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}
