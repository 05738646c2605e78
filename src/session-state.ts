/** What a session asks of the user right now (SPEC §3). The JSON spelling is the contract. */
export type SessionState = 'working' | 'needs_input' | 'idle' | 'unknown';

export const SESSION_STATES: readonly SessionState[] = ['working', 'needs_input', 'idle', 'unknown'];

/** A decided state, the short phrase that explains it to the user, and when it began if known. */
export interface StateVerdict {
  readonly state: SessionState;
  /** User-facing, e.g. "waiting for permission: Bash", "turn ended 2 min ago". */
  readonly reason: string;
  /** Transcript time of the record that put the session in this state, when known. */
  readonly since?: Date;
}

/** Finished turns stop being "waiting for you" and become idle after this long (SPEC §3). */
export const DEFAULT_IDLE_THRESHOLD_MS = 10 * 60 * 1000;

/**
 * A time later than now by more than this is not believed (a wrong clock, or a forged record):
 * taken at face value it would keep a session "waiting 0 s" until that date.
 */
export const MAX_CLOCK_SKEW_MS = 60 * 1000;

/** `at` unless it lies too far in the future to be true. */
export function believableTime(at: Date | undefined, now: Date): Date | undefined {
  return at !== undefined && at.getTime() <= now.getTime() + MAX_CLOCK_SKEW_MS ? at : undefined;
}
