import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode, VmuxError } from '../errors.js';
import type { Environment } from '../sessions/discovery-context.js';
import { userHome } from '../files/user-home.js';

/** Where the daemon keeps its socket, PID file and labels (SPEC §4). */
export interface VmuxHome {
  readonly dir: string;
  readonly socketPath: string;
  readonly pidPath: string;
  readonly labelsPath: string;
}

/** `$VMUX_HOME`, else `~/.vmux`. */
export function vmuxHomeFrom(env: Environment): VmuxHome {
  const dir = env['VMUX_HOME'] || join(userHome(env), '.vmux');
  return {
    dir,
    socketPath: join(dir, 'vmuxd.sock'),
    pidPath: join(dir, 'vmuxd.pid'),
    labelsPath: join(dir, 'labels.json'),
  };
}

/**
 * Creates the home folder (mode 0700) or checks the one there: it must be a folder of this user
 * that nobody else can write to, since the socket in it accepts commands.
 */
export function prepareVmuxHome(home: VmuxHome): void {
  try {
    mkdirSync(home.dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    // A file in the way: the check below says so in words rather than as a raw EEXIST.
    if (errnoCode(error) !== 'EEXIST') throw error;
  }
  const stat = lstatSync(home.dir);
  if (!stat.isDirectory()) {
    throw new VmuxError('HOME_UNSAFE', `${home.dir} is not a folder; remove it or set VMUX_HOME to another path`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new VmuxError('HOME_UNSAFE', `${home.dir} belongs to user ${stat.uid}, not to you (${uid}); set VMUX_HOME to a folder of yours`);
  }
  if ((stat.mode & 0o022) !== 0) {
    throw new VmuxError(
      'HOME_UNSAFE',
      `${home.dir} is writable by others (mode ${(stat.mode & 0o777).toString(8)}); run 'chmod 700 ${home.dir}'`,
    );
  }
  // Group or others may read a folder created by an older tool: tighten it, it holds a socket.
  if ((stat.mode & 0o077) !== 0) chmodSync(home.dir, 0o700);
}
