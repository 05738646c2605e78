import { vmuxHomeFrom } from '../home/vmux-home.js';
import { UsageError, VmuxError } from '../errors.js';
import { resolveSession } from '../selection/resolve-session.js';
import { discoveryContextFrom } from '../sessions/discovery-context.js';
import { explainSession } from '../sessions/explain-session.js';
import { printableJson } from '../text/printable-json.js';
import { ExitCode, wantsColor, type CliIo } from './cli-io.js';
import { parseCommandArgs } from './command-args.js';
import { explanationJson, renderExplanation } from './explain-report.js';
import { listSessions } from './session-source.js';
import { palette } from './style.js';

/** `vmux explain <session>`: every signal vmux read for one session, and the rule that decided its state. */
export async function runExplain(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, io, 'explain', { json: { type: 'boolean' } }, true);
  if (parsed === undefined) return ExitCode.ok;
  const query = parsed.positionals.join(' ');
  if (query.trim() === '') throw new UsageError("name the session to explain: 'vmux explain <session>' (its id or the start of it, its PID or its label)");

  // Named the way every command names a session, in the list vmuxd serves (else vmux's own scan).
  const { sessions, source } = await listSessions(vmuxHomeFrom(io.env), io.env);
  const listed = resolveSession(query, sessions);
  const explanation = explainSession(discoveryContextFrom(io.env), listed.pid);
  if (explanation === undefined) {
    const since = source === 'daemon' ? 'since vmuxd last looked' : 'a moment ago';
    throw new VmuxError('NO_MATCH', `pid ${listed.pid} is no longer a Claude Code session: it ended ${since}`);
  }
  if (parsed.values.json === true) {
    io.stdout.write(`${printableJson(explanationJson(explanation, { source, session: listed }), 2)}\n`);
  } else {
    io.stdout.write(renderExplanation(explanation, { source, session: listed }, { now: new Date(), palette: palette(wantsColor(io.stdout, io.env)) }));
  }
  return ExitCode.ok;
}
