import { believableTime, type StateVerdict } from '../session-state.js';
import { stillRunning, type BackgroundWork } from '../transcript/detect-state.js';
import { formatAge } from '../transcript/format-age.js';

/** What the transcript tail says, already decided by the transcript reader. */
export interface TranscriptSignal {
  readonly verdict: StateVerdict;
  /** Name of a tool called and not yet answered (`Bash`), if any. */
  readonly pendingTool?: string;
  /** Background shells and agents started and not reported done, as far as the tail shows. */
  readonly background?: BackgroundWork;
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

/**
 * `busy` reaches the sessions file ~50 ms before a new prompt reaches the transcript. Busy this
 * much longer over a finished turn is work that writes nothing while it runs: a compaction.
 */
const PROMPT_LAG_MS = 1500;

/**
 * A client that writes no status (the 2.1.100 Node build) shows a permission prompt for a Bash
 * call it has not run: it starts the command's shell only once the user allows it. A call this
 * old with no child of the client running its command is taken to wait for the user.
 */
export const TOOL_START_MS = 1500;

/** Every signal known about one session, gathered by the scan. */
export interface SessionSignals {
  readonly clientStatus?: ClientStatus;
  readonly transcript?: TranscriptSignal;
  /** Why there is no transcript signal, when there is none. */
  readonly noTranscript?: 'none-yet' | 'ambiguous' | 'unreadable';
  /** When the process started, if it resumed an earlier conversation (`--continue`, `--resume`). */
  readonly resumedAt?: Date;
  /** The client has written nothing yet because a dialog at start (trust this folder?) waits for the user; since when. */
  readonly startupDialogSince?: Date;
  /**
   * For a pending Bash call of a client that writes no status, once it is TOOL_START_MS old
   * (`toolProcessWanted`): whether a child of the client runs the call's command.
   */
  readonly toolProcess?: 'started' | 'none';
}

/** Which rule of `classifySession` decided, for `vmux explain` (the rows of docs/state-model.md). */
export type ClassificationRule =
  | 'client-waiting'
  | 'client-shell'
  | 'busy-transcript'
  | 'busy-prompt-unwritten'
  | 'busy-compacting'
  | 'idle-answer-unwritten'
  | 'idle-transcript'
  | 'idle-transcript-ahead'
  | 'idle-transcript-lagging'
  | 'idle-stopped'
  | 'transcript-alone'
  | 'transcript-tool-unstarted'
  | 'startup-dialog'
  | 'no-transcript';

/** Which signal won under each rule, and why it is believed: what `vmux explain` prints. */
export const CLASSIFICATION_RULES: Readonly<Record<ClassificationRule, string>> = {
  'client-waiting': 'the client says it waits for the user (status "waiting"); the pending tool says for what',
  'client-shell': 'the client says its turn ended while a shell it started still runs (status "shell")',
  'busy-transcript': 'the client says it works (status "busy"); the transcript says on what',
  'busy-prompt-unwritten': 'the client works (status "busy") over a finished turn: a new prompt, not yet written to the transcript',
  'busy-compacting': `the client has worked (status "busy") over a finished turn for over ${PROMPT_LAG_MS / 1000} s: a compaction, which writes nothing while it runs`,
  'idle-answer-unwritten': `the client stopped (status "idle") under ${TRANSCRIPT_LAG_MS / 1000} s ago after a prompt, and its first answer has not reached a transcript yet`,
  'idle-transcript': 'the client is not working (status "idle"); the transcript says what it waits for',
  'idle-transcript-ahead': 'the client says "idle", but the transcript has a prompt written after that: the client has not caught up yet',
  'idle-transcript-lagging': `the client stopped (status "idle") under ${TRANSCRIPT_LAG_MS / 1000} s ago; the transcript is taken to be behind`,
  'idle-stopped': `the client has said "idle" for over ${TRANSCRIPT_LAG_MS / 1000} s, whatever the unfinished-looking transcript says`,
  'transcript-alone': 'the client writes no status (older versions, print mode): the transcript alone decides',
  'transcript-tool-unstarted': `the client writes no status, and ${TOOL_START_MS / 1000} s after it called Bash no child of it runs the command: its permission prompt waits`,
  'startup-dialog': 'the client has written nothing yet: a dialog at start (trust this folder?) waits for the user',
  'no-transcript': 'no transcript could be read for this session',
};

/** A decided state with the rule that decided it (kept out of what is served: `vmux explain` shows it). */
export interface Classification extends StateVerdict {
  readonly rule: ClassificationRule;
  /** The state may change by then with no file changing (only the clock): decide again then. */
  readonly decideAgainAt?: Date;
}

/**
 * When the scan should look for a child of the client running the call (`toolProcess`): the time
 * of the pending Bash call of a client that writes no status, once the call is TOOL_START_MS old.
 */
export function toolProcessWanted(signals: SessionSignals, now: Date): Date | undefined {
  const call = pendingBashCall(signals);
  return call !== undefined && now.getTime() - call.getTime() >= TOOL_START_MS ? call : undefined;
}

function pendingBashCall({ clientStatus, transcript }: SessionSignals): Date | undefined {
  if (clientStatus !== undefined || transcript?.verdict.state !== 'working' || transcript.pendingTool !== 'Bash') return undefined;
  return transcript.verdict.since;
}

/**
 * Decides a session's state from every signal and the time (SPEC §3), as one pure function. The client's
 * own status is live and exact on whether it works or waits; the transcript tells what a
 * non-working session waits for (a finished turn, or nothing after an interrupt) and is the
 * only signal of older clients and `-p` runs.
 */
export function classifySession(signals: SessionSignals, now: Date): Classification {
  const verdict = decide(withoutFutureTimes(signals, now), now);
  // A transcript verdict's time was checked by its reader; this is the last word on any time.
  if (verdict.since === undefined || believableTime(verdict.since, now)) return verdict;
  const { since: _unbelievable, ...rest } = verdict;
  return rest;
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

function decide(signals: SessionSignals, now: Date): Classification {
  const { clientStatus, transcript } = signals;
  switch (clientStatus?.status) {
    case 'waiting':
      return {
        state: 'needs_input',
        reason: waitingReason(clientStatus.waitingFor, transcript?.pendingTool),
        ...since(clientStatus.since),
        rule: 'client-waiting',
      };
    case 'shell': {
      // The turn is over; a shell Claude started in the background still runs (screen: "done · 1 shell still running").
      const shells = Math.max(1, transcript?.background?.shells ?? 0);
      const ended = transcript?.verdict.state === 'needs_input' || transcript?.verdict.state === 'idle' ? transcript.verdict : undefined;
      const head = ended?.reason.split(' · ')[0] ?? 'turn ended';
      return {
        state: 'needs_input',
        reason: `${head}${stillRunning({ shells, agents: transcript?.background?.agents ?? 0 })}`,
        ...since(ended?.since ?? clientStatus.since),
        rule: 'client-shell',
      };
    }
    case 'busy':
      return busyVerdict(clientStatus, transcript, now);
    case 'idle': {
      const justStopped = clientStatus.since !== undefined && now.getTime() - clientStatus.since.getTime() < TRANSCRIPT_LAG_MS;
      if (transcript === undefined) {
        const afterAPrompt =
          clientStatus.startedAt !== undefined &&
          clientStatus.since !== undefined &&
          clientStatus.since.getTime() - clientStatus.startedAt.getTime() > FIRST_STATUS_MS;
        // A first answer arrives before its transcript file does.
        if (justStopped && afterAPrompt) {
          return { state: 'working', reason: 'finishing the turn', rule: 'idle-answer-unwritten', ...decideAgain(clientStatus.since, TRANSCRIPT_LAG_MS) };
        }
        return fromMissingTranscript(signals.noTranscript);
      }
      if (transcript.verdict.state !== 'working') return { ...resumed(transcript.verdict, signals.resumedAt, now), rule: 'idle-transcript' };
      // A prompt written after the client last said idle: the client has not caught up yet.
      const transcriptAhead =
        transcript.verdict.since !== undefined && clientStatus.since !== undefined && transcript.verdict.since > clientStatus.since;
      if (transcriptAhead) return { ...transcript.verdict, rule: 'idle-transcript-ahead' };
      if (justStopped) return { state: 'working', reason: 'finishing the turn', rule: 'idle-transcript-lagging', ...decideAgain(clientStatus.since, TRANSCRIPT_LAG_MS) };
      // Long enough: the client is not working, whatever an unfinished-looking transcript suggests.
      return { state: 'idle', reason: 'stopped', ...since(clientStatus.since), rule: 'idle-stopped' };
    }
    default:
      if (transcript?.verdict) return fromTranscriptAlone(signals, transcript, now);
      if (signals.startupDialogSince !== undefined) {
        return { state: 'needs_input', reason: 'asks whether to trust this folder', since: signals.startupDialogSince, rule: 'startup-dialog' };
      }
      return fromMissingTranscript(signals.noTranscript);
  }
}

/**
 * The client works. The transcript says on what, except for what writes nothing while it runs:
 * a prompt not yet written (for a moment), and a compaction (for its whole length).
 */
function busyVerdict(clientStatus: ClientStatus, transcript: TranscriptSignal | undefined, now: Date): Classification {
  const base = { state: 'working' as const, ...since(clientStatus.since) };
  if (transcript?.verdict.state === 'working') return { ...base, reason: transcript.verdict.reason, rule: 'busy-transcript' };
  const busyFor = clientStatus.since === undefined ? 0 : now.getTime() - clientStatus.since.getTime();
  const after = stillRunning(transcript?.background ?? { shells: 0, agents: 0 });
  if (transcript === undefined || busyFor < PROMPT_LAG_MS) {
    return { ...base, reason: `working on your prompt${after}`, rule: 'busy-prompt-unwritten', ...decideAgain(clientStatus.since, PROMPT_LAG_MS) };
  }
  return { ...base, reason: `compacting the conversation${after}`, rule: 'busy-compacting' };
}

/**
 * A client that writes no status: the transcript decides, but for a pending Bash call that no
 * child of the client runs, where the client's permission prompt shows.
 */
function fromTranscriptAlone(signals: SessionSignals, transcript: TranscriptSignal, now: Date): Classification {
  const call = pendingBashCall(signals);
  if (call !== undefined && signals.toolProcess === 'none') {
    return {
      state: 'needs_input',
      reason: `waiting for permission: ${transcript.pendingTool ?? 'Bash'}`,
      since: call,
      rule: 'transcript-tool-unstarted',
    };
  }
  const verdict: Classification = { ...resumed(transcript.verdict, signals.resumedAt, now), rule: 'transcript-alone' };
  // Too young to tell a prompt from a command being started: look again when it is not.
  return call !== undefined && signals.toolProcess === undefined ? { ...verdict, ...decideAgain(call, TOOL_START_MS) } : verdict;
}

/** `after` from `from`: when a rule that holds for a while after `from` stops holding. */
function decideAgain(from: Date | undefined, after: number): { decideAgainAt?: Date } {
  return from === undefined ? {} : { decideAgainAt: new Date(from.getTime() + after) };
}

/**
 * A session resumed (`--continue`, `--resume`) after its last turn: it last changed when this
 * process started, not when that turn ended.
 */
function resumed(verdict: StateVerdict, resumedAt: Date | undefined, now: Date): StateVerdict {
  if (resumedAt === undefined || verdict.since === undefined || verdict.since >= resumedAt || verdict.state === 'working') return verdict;
  const rest = verdict.reason.split(' · ').slice(1);
  return { ...verdict, reason: [`resumed ${formatAge(now.getTime() - resumedAt.getTime())} ago`, ...rest].join(' · '), since: resumedAt };
}

function fromMissingTranscript(why: SessionSignals['noTranscript']): Classification {
  const rule = 'no-transcript';
  switch (why) {
    case 'ambiguous':
      return { state: 'unknown', reason: 'several sessions in this folder; cannot tell which transcript is this one', rule };
    case 'unreadable':
      return { state: 'unknown', reason: 'transcript unreadable', rule };
    case 'none-yet':
    case undefined:
      return { state: 'idle', reason: 'no prompt yet', rule };
  }
}

/** What the screen asks for, from the client's `waitingFor` and the tool it waits on. */
function waitingReason(waitingFor: string | undefined, pendingTool: string | undefined): string {
  // A question or a plan is a dialog of its own, whatever the client calls it (2.1.197: "permission prompt").
  if (pendingTool === 'AskUserQuestion') return 'question for you';
  if (pendingTool === 'ExitPlanMode') return 'plan waiting for approval';
  if (waitingFor === undefined) return pendingTool ? `waiting for you: ${pendingTool}` : 'waiting for you';
  if (/permission/i.test(waitingFor)) return pendingTool ? `waiting for permission: ${pendingTool}` : 'waiting for permission';
  if (/dialog/i.test(waitingFor)) return 'a dialog waits for you';
  if (/input/i.test(waitingFor)) return 'waiting for your answer';
  return `waiting for you: ${waitingFor}`;
}

function since(date: Date | undefined): { since?: Date } {
  return date === undefined ? {} : { since: date };
}
