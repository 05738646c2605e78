import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { vmuxHomeFrom } from '../home/vmux-home.js';
import { desktopSessionOf } from '../desktop/graphical-session.js';
import { sessionsFromDaemon } from '../protocol/socket-client.js';
import { ExitCode, type CliIo } from './cli-io.js';
import { printSessions } from './print-sessions.js';

/**
 * The quick path of `vmux list [--json]` when vmuxd runs: ask it and print, without loading the
 * rest of vmux. Undefined when this path does not apply (other arguments, no daemon, any trouble):
 * the full CLI then handles the call, and says what went wrong if something did.
 */
export async function listViaDaemon(argv: readonly string[], io: CliIo): Promise<ExitCode | undefined> {
  const [command, ...rest] = argv;
  if (command !== 'list' && command !== 'ls') return undefined;
  if (!(rest.length === 0 || (rest.length === 1 && rest[0] === '--json'))) return undefined;
  const home = vmuxHomeFrom(io.env);
  // A relative home (an empty HOME, say) is a wrong setting: the full CLI says so.
  if (!isAbsolute(home.dir) || !existsSync(home.socketPath)) return undefined;
  try {
    printSessions(await sessionsFromDaemon(home.socketPath, desktopSessionOf(io.env)), rest[0] === '--json', io);
    return ExitCode.ok;
  } catch {
    return undefined;
  }
}
