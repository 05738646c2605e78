import { basename } from 'node:path';
import { vmuxHomeFrom } from '../home/vmux-home.js';
import { UsageError, VmuxError } from '../errors.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { oneLine } from '../text/sanitize-text.js';
import { onPath } from '../desktop/program-on-path.js';
import { ExitCode, wantsColor, type CliIo, type TerminalInput } from './cli-io.js';
import { decodeKeys, pickerStep, renderPicker, type PickerState } from './session-picker.js';
import { palette } from './style.js';
import { stateWords } from './session-table.js';
import { parseCommandArgs } from './command-args.js';
import { listSessions } from './session-source.js';
import { goToSession, switchToNext, switchToQuery } from './switch-by-query.js';
import { loadChildProcess } from '../lazy-builtins.js';

/** Tried in this order for --dmenu when no launcher is named. */
const DEFAULT_LAUNCHERS: readonly (readonly string[])[] = [
  ['rofi', '-dmenu', '-i', '-p', 'vmux'],
  ['wofi', '--dmenu', '--prompt', 'vmux'],
  ['dmenu', '-i', '-l', '20', '-p', 'vmux'],
];

export async function runSwitch(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, io, 'switch', { dmenu: { type: 'boolean' }, launcher: { type: 'string' } }, true);
  if (parsed === undefined) return ExitCode.ok;
  const query = parsed.positionals.join(' ');
  const { dmenu, launcher } = parsed.values;
  if (dmenu && query !== '') throw new UsageError('give either a query or --dmenu, not both');
  const keyboard = !dmenu && query.trim() === '' && io.stdout.isTTY === true ? io.terminalInput?.() : undefined;
  if (!dmenu && query.trim() === '' && keyboard === undefined) {
    throw new UsageError("name the session to switch to: 'vmux switch <query>', or choose with 'vmux switch --dmenu'");
  }
  if (keyboard === undefined && !dmenu) return switchToQuery(query, io);
  const { sessions } = await listSessions(vmuxHomeFrom(io.env), io.env, { workspaces: false });
  let session: SessionInfo;
  if (keyboard !== undefined) {
    if (sessions.length === 0) throw new VmuxError('NO_MATCH', 'no Claude Code session is running');
    const chosen = await pickOnTerminal(sessions, keyboard, io);
    if (chosen === undefined) return ExitCode.cancelled;
    session = chosen;
  } else {
    const chosen = await chooseInLauncher(sessions, launcherArgv(launcher ?? io.env['VMUX_LAUNCHER'], io.env), io.env);
    if (chosen === undefined) return ExitCode.cancelled;
    session = chosen;
  }
  return goToSession(session, io);
}

/**
 * The interactive picker on the terminal: type to filter, arrows (or Ctrl-P/Ctrl-N) to move,
 * Enter to go, Esc or Ctrl-C to give up. Drawn on the alternate screen, which is restored after.
 */
function pickOnTerminal(sessions: readonly SessionInfo[], keyboard: TerminalInput, io: CliIo): Promise<SessionInfo | undefined> {
  const colors = palette(wantsColor(io.stdout, io.env));
  let state: PickerState = { sessions, filter: '', selected: 0 };
  const draw = () => {
    const size = { columns: io.stdout.columns ?? 80, rows: io.stdout.rows ?? 24 };
    io.stdout.write(`\u001b[H\u001b[2J${renderPicker(state, size, colors)}`);
  };
  return new Promise((resolve) => {
    const finish = (session: SessionInfo | undefined) => {
      keyboard.off('data', onData);
      keyboard.setRawMode(false);
      keyboard.pause();
      io.stdout.write('\u001b[?25h\u001b[?1049l');
      resolve(session);
    };
    const onData = (chunk: string) => {
      for (const key of decodeKeys(chunk)) {
        const step = pickerStep(state, key);
        if (step.kind === 'chosen') return finish(step.session);
        if (step.kind === 'cancelled') return finish(undefined);
        state = step.state;
      }
      draw();
    };
    io.stdout.write('\u001b[?1049h\u001b[?25l');
    keyboard.setEncoding('utf8');
    keyboard.setRawMode(true);
    keyboard.on('data', onData);
    keyboard.resume();
    draw();
  });
}

/** The launcher to run: the one named (split on blanks, never given to a shell), else the first installed. */
export function launcherArgv(named: string | undefined, env: CliIo['env']): readonly string[] {
  if (named !== undefined && named.trim() !== '') return named.trim().split(/\s+/);
  const found = DEFAULT_LAUNCHERS.find(([program]) => program !== undefined && onPath(program, env));
  if (found === undefined) {
    throw new VmuxError('LAUNCHER_NOT_FOUND', 'no launcher found (rofi, wofi or dmenu); install one, or name one with --launcher "<command>", VMUX_LAUNCHER or launcher in the config file');
  }
  return found;
}


/**
 * Shows one line per session in the launcher (sessions that need you first, as listed) and
 * returns the one chosen; undefined when the user dismissed it. Each line starts with the PID,
 * which is how the choice is read back, whatever the launcher does to the rest.
 */
export async function chooseInLauncher(sessions: readonly SessionInfo[], argv: readonly string[], env: CliIo['env']): Promise<SessionInfo | undefined> {
  if (sessions.length === 0) throw new VmuxError('NO_MATCH', 'no Claude Code session is running');
  const lines = sessions.map((s) =>
    [String(s.pid), stateWords(s), s.label || basename(s.cwd), s.reason, s.preview]
      .map((cell) => oneLine(cell, 80))
      .filter((cell) => cell !== '')
      .join('  '),
  );
  const [program, ...args] = argv;
  if (program === undefined) throw new UsageError('the launcher command is empty');
  const { execFile } = await loadChildProcess();
  const chosen = await new Promise<string>((resolve, reject) => {
    const child = execFile(program, args, { env: { ...env }, maxBuffer: 1024 * 1024 }, (error, stdout) => {
      // dmenu-style launchers exit 1 when dismissed: that is a choice of nothing, not a failure.
      if (error && typeof error.code !== 'number') reject(new VmuxError('LAUNCHER_NOT_FOUND', `could not run the launcher ${program}: ${error.message}`));
      else resolve(stdout);
    });
    child.stdin?.end(`${lines.join('\n')}\n`);
  });
  const pid = /^\s*(\d+)\b/.exec(chosen)?.[1];
  return pid === undefined ? undefined : sessions.find((s) => s.pid === Number(pid));
}

export async function runNext(args: readonly string[], io: CliIo): Promise<ExitCode> {
  if (parseCommandArgs(args, io, 'next', {}) === undefined) return ExitCode.ok;
  return switchToNext(io);
}
