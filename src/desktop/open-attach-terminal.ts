import { VmuxError } from '../errors.js';
import { listPids, readCmdline, readComm, readProcLink } from '../sessions/proc-reader.js';
import type { Environment } from '../sessions/discovery-context.js';
import { onPath } from './program-on-path.js';
import { loadChildProcess } from '../lazy-builtins.js';

/**
 * Terminals tried, in order, to show a background session, each with how it is told to run a
 * command. The first installed one is used unless the user names one (`VMUX_TERMINAL`, or
 * `terminal` in the config file).
 */
const TERMINALS: readonly (readonly [program: string, ...runs: string[]])[] = [
  ['foot'],
  ['kitty'],
  ['alacritty', '-e'],
  ['wezterm', 'start', '--'],
  ['gnome-terminal', '--'],
  ['konsole', '-e'],
  ['xfce4-terminal', '-x'],
  ['xterm', '-e'],
];

/** How a background session is shown: a terminal already attached to it, or a new one opened. */
export type AttachOutcome =
  | { readonly kind: 'attached-terminal'; readonly pid: number }
  | { readonly kind: 'opened'; readonly commandLine: readonly string[] };

/**
 * A `claude attach <job>` already running shows the background session: its terminal is the one
 * to go to. Found by its command line, among the user's processes.
 */
export function findAttachedViewer(jobId: string, procRoot: string): number | undefined {
  for (const pid of listPids(procRoot)) {
    const comm = readComm(procRoot, pid);
    if (comm === undefined || !/claude|^[0-9]+\.[0-9]+\.[0-9]+/.test(comm)) continue;
    const argv = readCmdline(procRoot, pid) ?? [];
    const at = argv.indexOf('attach');
    if (at > 0 && argv[at + 1] === jobId) return pid;
  }
  return undefined;
}

/**
 * Opens a new terminal running `<claude> attach <job>`, the client's own way to show a background
 * session, in the caller's desktop (its DISPLAY / WAYLAND_DISPLAY). `claudeExecutable` is the
 * session's own executable, so the same version attaches. Argv only: no shell ever sees the id.
 */
export async function openAttachTerminal(jobId: string, claudeExecutable: string, env: Environment): Promise<readonly string[]> {
  if (!/^[0-9a-zA-Z_-]{1,64}$/.test(jobId)) throw new VmuxError('USAGE', 'the background session has no usable job id');
  const terminal = terminalArgv(env);
  const commandLine = [...terminal, claudeExecutable, 'attach', jobId];
  const [program, ...args] = commandLine;
  if (program === undefined) throw new VmuxError('LAUNCHER_NOT_FOUND', 'no terminal to open');
  const { spawn } = await loadChildProcess();
  const child = spawn(program, args, { env: { ...env }, detached: true, stdio: 'ignore' });
  child.on('error', () => {});
  child.unref();
  return commandLine;
}

/** The terminal named by the user (split on blanks, never given to a shell), else the first installed. */
export function terminalArgv(env: Environment): readonly string[] {
  const named = env['VMUX_TERMINAL'];
  if (named !== undefined && named.trim() !== '') return named.trim().split(/\s+/);
  const found = TERMINALS.find(([program]) => onPath(program, env));
  if (found === undefined) {
    throw new VmuxError('LAUNCHER_NOT_FOUND', `no terminal found to show the background session (tried ${TERMINALS.map(([p]) => p).join(', ')}); name one with VMUX_TERMINAL or terminal in the config file`);
  }
  return found;
}

/** The executable of a running client, to run its `attach` with the same version. */
export function claudeExecutableOf(pid: number, procRoot: string): string | undefined {
  return readProcLink(procRoot, pid, 'exe')?.replace(/ \(deleted\)$/, '');
}
