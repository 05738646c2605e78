import { LabelStore } from '../home/label-store.js';
import { prepareVmuxHome, vmuxHomeFrom } from '../home/vmux-home.js';
import { UsageError, VmuxError } from '../errors.js';
import { checkLabel } from '../protocol/label-text.js';
import { requestDaemon } from '../protocol/socket-client.js';
import { printableLines, stripControlSequences } from '../text/sanitize-text.js';
import { parseCommandArgs } from './command-args.js';
import { ExitCode, type CliIo } from './cli-io.js';
import { resolveSession } from '../selection/resolve-session.js';
import { listSessions } from './session-source.js';

export async function runLabel(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, io, 'label', { clear: { type: 'boolean' } }, true);
  if (parsed === undefined) return ExitCode.ok;
  const { values, positionals } = parsed;
  const [query, ...words] = positionals;
  if (query === undefined) throw new UsageError("name the session to label: 'vmux label <session> <text>'");
  if (values.clear && words.length > 0) throw new UsageError('give either a label or --clear, not both');
  if (!values.clear && words.length === 0) throw new UsageError("give the label text, or --clear to remove it: 'vmux label <session> <text>'");
  const label = values.clear ? '' : newLabel(words.join(' '));

  const home = vmuxHomeFrom(io.env);
  const { sessions, source } = await listSessions(home, io.env, { workspaces: false });
  const session = resolveSession(query, sessions);
  if (session.session_id === '') {
    throw new VmuxError('NO_MATCH', `session pid ${session.pid} has no conversation id yet; send it a prompt first`);
  }
  if (source === 'daemon') {
    const response = await requestDaemon(home.socketPath, { action: 'label', args: { session_id: session.session_id, label } });
    if (!response.ok) throw new VmuxError('DAEMON_ERROR', response.error ?? 'vmuxd refused the label');
  } else {
    prepareVmuxHome(home);
    LabelStore.open(home.labelsPath, (movedTo, why) =>
      io.stderr.write(`vmux: ${printableLines(`labels.json was unreadable (${why}); kept it as ${movedTo}`)}\n`),
    ).set(session.session_id, label);
  }
  const name = `${stripControlSequences(session.session_id.slice(0, 8))} (pid ${session.pid})`;
  io.stdout.write(label === '' ? `Removed the label of ${name}.\n` : `Labelled ${name}: ${label}\n`);
  return ExitCode.ok;
}

/** The label to set, cleaned and checked by the same rule as vmuxd's `label` request. */
function newLabel(text: string): string {
  const checked = checkLabel(text);
  if (!checked.ok) throw new UsageError(checked.error);
  return checked.label;
}
