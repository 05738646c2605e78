import { join } from 'node:path';
import { DEFAULT_IDLE_THRESHOLD_MS } from '../session-state.js';
import { userHome } from '../files/user-home.js';

/**
 * The outside world as discovery sees it. Everything discovery reads from the machine enters
 * here, so tests can point it at their own proc tree, Claude config dir and clock.
 */
export interface DiscoveryContext {
  /** Usually `/proc`. */
  readonly procRoot: string;
  /** `$CLAUDE_CONFIG_DIR`, else `~/.claude`. */
  readonly claudeDir: string;
  /** Finished turns older than this count as idle rather than waiting. */
  readonly idleThresholdMs: number;
  /**
   * Only sessions run by this user are looked at: by default the user running vmux, so that root
   * neither lists nor switches to other users' sessions. Undefined: every user's (`VMUX_ALL_USERS=1`).
   */
  readonly onlyUid?: number;
  readonly now: () => Date;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** Where Claude Code keeps its files, by the same rule the client itself uses. */
export function claudeDirFrom(env: Environment): string {
  const configured = env['CLAUDE_CONFIG_DIR'];
  if (configured !== undefined && configured !== '') return configured;
  return join(userHome(env), '.claude');
}

/** Idle threshold from `VMUX_IDLE_MINUTES`, when it is a positive number. */
export function idleThresholdFrom(env: Environment): number {
  const minutes = Number(env['VMUX_IDLE_MINUTES']);
  return Number.isFinite(minutes) && minutes > 0 ? minutes * 60 * 1000 : DEFAULT_IDLE_THRESHOLD_MS;
}

/** The user whose sessions vmux acts on: the one running it, unless every user's are asked for. */
function ownerFrom(env: Environment): { onlyUid?: number } {
  const uid = process.getuid?.();
  return env['VMUX_ALL_USERS'] === '1' || uid === undefined ? {} : { onlyUid: uid };
}

export function discoveryContextFrom(env: Environment): DiscoveryContext {
  return {
    procRoot: env['VMUX_PROC_ROOT'] || '/proc',
    claudeDir: claudeDirFrom(env),
    idleThresholdMs: idleThresholdFrom(env),
    ...ownerFrom(env),
    now: () => new Date(),
  };
}
