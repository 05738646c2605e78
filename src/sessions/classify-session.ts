import { believableTime, type StateVerdict } from '../session-state.js';

/** What the transcript tail says, already decided by the transcript reader. */
export interface TranscriptSignal {
  readonly verdict: StateVerdict;
  /** Name of a tool called and not yet answered (`Bash`), if any. */
  readonly pendingTool?: string;
}

/** The client's own report in `sessions/<pid>.json` (2.1.x interactive sessions only). */
export interface ClientStatus {
  readonly status: string;
  readonly waitingFor?: string;
  /** When the client last changed `status`. */
  readonly since?: Date;
  /** When the client started. */
  readonly startedAt?: Date;
}

/**
 * The client reports a finished turn before the answer reaches the transcript (seen with 2.1.197:
 * `idle` about 100 ms ahead of the final records). For this long after such a report the
 * transcript is taken to be behind, not the turn to be abandoned.
 */
export const TRANSCRIPT_LAG_MS = 3000;

/** A status written this soon after start is the fresh session's first, not the end of a turn. */
const FIRST_STATUS_MS = 1500;

/** Every signal known about one session, gathered by the scan. */
export interface SessionSignals {
  readonly clientStatus?: ClientStatus;
  readonly transcript?: TranscriptSignal;
  /** Why there is no transcript signal, when there is none. */
  readonly noTranscript?: 'none-yet' | 'ambiguous' | 'unreadable';
}

/**
 * Decides a session's state from every signal and the time (SPEC §3), as one pure function. The client's
 * own status is live and exact on whether it works or waits; the transcript tells what a
 * non-working session waits for (a finished turn, or nothing after an interrupt) and is the
 * only signal of older clients and `-p` runs.
 */
export function classifySession(signals: SessionSignals, now: Date): StateVerdict {
  const verdict = decide(withoutFutureTimes(signals, now), now);
  // A transcript verdict's time was checked by its reader; this is the last word on any time.
  return verdict.since === undefined || believableTime(verdict.since, now) ? verdict : { state: verdict.state, reason: verdict.reason };
}

/** Client times in the future (a wrong clock, a forged file) are not believed. */
function withoutFutureTimes(signals: SessionSignals, now: Date): SessionSignals {
  const status = signals.clientStatus;
  if (status === undefined) return signals;
  const { since: statusSince, startedAt, ...rest } = status;
  const believedSince = believableTime(statusSince, now);
  const believedStart = believableTime(startedAt, now);
  return {
    ...signals,
    clientStatus: { ...rest, ...(believedSince ? { since: believedSince } : {}), ...(believedStart ? { startedAt: believedStart } : {}) },
  };
}

function decide(signals: SessionSignals, now: Date): StateVerdict {
  const { clientStatus, transcript } = signals;
  switch (clientStatus?.status) {
    case 'waiting':
      return {
        state: 'needs_input',
        reason: waitingReason(clientStatus.waitingFor, transcript?.pendingTool),
        ...since(clientStatus.since),
      };
    case 'busy':
    case 'shell':
      return {
        state: 'working',
        reason: transcript?.verdict.state === 'working' ? transcript.verdict.reason : 'working',
        ...since(clientStatus.since),
      };
    case 'idle': {
      const justStopped = clientStatus.since !== undefined && now.getTime() - clientStatus.since.getTime() < TRANSCRIPT_LAG_MS;
      if (transcript === undefined) {
        const afterAPrompt =
          clientStatus.startedAt !== undefined &&
          clientStatus.since !== undefined &&
          clientStatus.since.getTime() - clientStatus.startedAt.getTime() > FIRST_STATUS_MS;
        // A first answer arrives before its transcript file does.
        if (justStopped && afterAPrompt) return { state: 'working', reason: 'finishing the turn' };
        return fromMissingTranscript(signals.noTranscript);
      }
      if (transcript.verdict.state !== 'working') return transcript.verdict;
      // A prompt written after the client last said idle: the client has not caught up yet.
      const transcriptAhead =
        transcript.verdict.since !== undefined && clientStatus.since !== undefined && transcript.verdict.since > clientStatus.since;
      if (transcriptAhead) return transcript.verdict;
      if (justStopped) return { state: 'working', reason: 'finishing the turn' };
      // Long enough: the client is not working, whatever an unfinished-looking transcript suggests.
      return { state: 'idle', reason: 'stopped', ...since(clientStatus.since) };
    }
    default:
      return transcript?.verdict ?? fromMissingTranscript(signals.noTranscript);
  }
}

function fromMissingTranscript(why: SessionSignals['noTranscript']): StateVerdict {
  switch (why) {
    case 'ambiguous':
      return { state: 'unknown', reason: 'several sessions in this folder; cannot tell which transcript is this one' };
    case 'unreadable':
      return { state: 'unknown', reason: 'transcript unreadable' };
    case 'none-yet':
    case undefined:
      return { state: 'idle', reason: 'no prompt yet' };
  }
}

/** "waiting for permission: Bash" from the client's "permission prompt" and the pending tool. */
function waitingReason(waitingFor: string | undefined, pendingTool: string | undefined): string {
  if (waitingFor === undefined) return pendingTool ? `waiting for you: ${pendingTool}` : 'waiting for you';
  if (/permission/i.test(waitingFor)) return pendingTool ? `waiting for permission: ${pendingTool}` : 'waiting for permission';
  return `waiting for ${waitingFor}`;
}

function since(date: Date | undefined): { since?: Date } {
  return date === undefined ? {} : { since: date };
}
