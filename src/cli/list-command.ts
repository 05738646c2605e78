import { vmuxHomeFrom } from '../daemon/vmux-home.js';
import { ExitCode, type CliIo } from './cli-io.js';
import { parseCommandArgs } from './command-args.js';
import { printSessions } from './print-sessions.js';
import { listSessions } from './session-source.js';

export const LIST_HELP = `Usage: vmux list [--json]

List every running Claude Code session: its state (needs input, working, idle, unknown),
label or folder, git branch, how long it has waited for you, why it is in that state
("waiting for permission: Bash", "turn ended 2 min ago"), and what it is doing.
Sessions that need you come first, longest waiting first. Asks vmuxd when it runs, else scans
this machine directly; the list is the same either way.

Options:
  --json       print a JSON array of sessions (fields: pid, session_id, cwd, git_branch,
               state, preview, workspace, label, waiting_since, reason)
  -h, --help   show this help

Environment:
  CLAUDE_CONFIG_DIR   Claude Code's config folder (default ~/.claude)
  VMUX_IDLE_MINUTES   a finished turn older than this counts as idle (default 10)
  VMUX_HOME           where vmuxd keeps its socket and labels (default ~/.vmux)
  NO_COLOR            no colours (colours are only used on a terminal anyway)
`;

export async function runList(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, io, LIST_HELP, { json: { type: 'boolean' } });
  if (parsed === undefined) return ExitCode.ok;
  const { values } = parsed;
  const { sessions } = await listSessions(vmuxHomeFrom(io.env), io.env);
  printSessions(sessions, values.json === true, io);
  return ExitCode.ok;
}
