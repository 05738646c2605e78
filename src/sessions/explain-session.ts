import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StateVerdict } from '../session-state.js';
import { backgroundTasks, conversationEnd } from '../transcript/detect-state.js';
import type { TranscriptTail } from '../transcript/tail-read.js';
import type { ConversationEntry } from '../transcript/transcript-record.js';
import { oneLine } from '../text/sanitize-text.js';
import type { Classification, SessionSignals } from './classify-session.js';
import type { DiscoveryContext } from './discovery-context.js';
import type { TranscriptMatch } from './match-transcripts.js';
import { readProcLink } from './proc-reader.js';
import { isJsRuntimePath, resumeFlags, sessionIdHint } from './recognize-claude.js';
import { scanSessions, type SessionEvidence } from './scan-sessions.js';
import type { Session } from './session.js';
import { pidsWithKeyFiles, readSessionFiles, type SessionFile } from './session-file.js';

/** Every signal vmux read for one session and how they decided its state: what `vmux explain` shows. */
export interface SessionExplanation {
  readonly session: Session;
  readonly process: ProcessFindings;
  readonly sessionFile: SessionFileFindings;
  readonly transcript: TranscriptFindings;
  /** What the transcript tail says, when one was read. */
  readonly reading?: TranscriptReading;
  readonly signals: SessionSignals;
  readonly classification: Classification;
}

export interface ProcessFindings {
  readonly pid: number;
  readonly ppid: number;
  readonly startedAt: Date;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly uid: number;
  /** The native executable, the Node build run by a JS runtime, or something else (a launcher script). */
  readonly build: 'native' | 'node' | 'other';
  /** Target of `/proc/<pid>/exe`, when readable. */
  readonly exe?: string;
  /** `--continue`, `--resume`…: the session continues an older conversation. */
  readonly resumeFlags: readonly string[];
  /** The session id the command line names (a hint only: stale after `/clear`). */
  readonly sessionIdHint?: string;
}

export type SessionFileFindings =
  | { readonly found: true; readonly path: string; readonly file: SessionFile }
  | { readonly found: false; readonly path: string; readonly why: string };

export interface TranscriptFindings {
  readonly match?: TranscriptMatch;
  /** How the process was tied to its transcript, or why it was not. */
  readonly how: string;
  readonly path?: string;
  readonly sizeBytes?: number;
  readonly modifiedAt?: Date;
  /** The last records that move the conversation, oldest first. */
  readonly records: readonly RecordSummary[];
  /** The tail read stopped before the start of the file (as it should on a long transcript). */
  readonly truncated?: boolean;
  /** Newest time of any record read. */
  readonly lastActivity?: Date;
}

/** One transcript record in a line: what kind, when, which tools, and what else about it counts. */
export interface RecordSummary {
  readonly kind: ConversationEntry['kind'];
  readonly at?: Date;
  readonly tools: readonly string[];
  readonly notes: readonly string[];
}

export interface TranscriptReading {
  /** `detectState`'s verdict on the tail alone. */
  readonly verdict: StateVerdict;
  /** The record the verdict comes from. */
  readonly deciding?: RecordSummary;
  readonly pendingTool?: string;
  /** When the conversation was compacted, after the deciding record. */
  readonly compactedAt?: Date;
  /** The newest retry notice after the deciding record (older clients). */
  readonly retry?: { readonly attempt?: number; readonly maxRetries?: number };
  /** Attempts of the current request (2.1.332 writes one record each). */
  readonly attempts: number;
  readonly background: BackgroundFindings;
}

export interface BackgroundFindings {
  readonly shells: number;
  readonly agents: number;
  /** Launched in the tail, with no `<task-notification>` naming their tool call since. */
  readonly running: readonly BackgroundTaskFinding[];
  /** Agents the newest turn end counted still running (2.1.332). */
  readonly agentsAtTurnEnd: number;
}

export interface BackgroundTaskFinding {
  readonly kind: 'shell' | 'agent';
  readonly toolUseId: string;
  readonly at?: Date;
  /** The tool whose call launched it, and what it runs, when that call is in the tail. */
  readonly tool?: string;
  readonly what?: string;
}

/** Records listed by `vmux explain`: enough to see the turn that decides. */
const RECORDS_SHOWN = 8;

/** Tool names, commands and notes are outside text: one short line each. */
const TOOL_NAME_CHARS = 40;
const WHAT_CHARS = 80;

/**
 * Explains one session: runs the scan every command runs (its decision is the one shown, by the
 * same code) and gathers, for the process `pid`, every signal it read. Undefined when that
 * process is not a Claude Code session this scan sees.
 */
export function explainSession(context: DiscoveryContext, pid: number): SessionExplanation | undefined {
  const gathered: SessionEvidence[] = [];
  // The whole machine is scanned: which transcript is whose depends on the other sessions of its folder.
  scanSessions(context, {
    onEvidence: (found) => {
      if (found.process.pid === pid) gathered.push(found);
    },
  });
  const [evidence] = gathered;
  if (evidence === undefined) return undefined;
  const { tail } = evidence;
  return {
    session: evidence.session,
    process: processFindings(context, evidence),
    sessionFile: sessionFileFindings(context, evidence),
    transcript: transcriptFindings(evidence),
    ...(tail && evidence.signals.transcript ? { reading: transcriptReading(tail, evidence.signals.transcript) } : {}),
    signals: evidence.signals,
    classification: evidence.classification,
  };
}

function processFindings(context: DiscoveryContext, evidence: SessionEvidence): ProcessFindings {
  const { process: proc } = evidence;
  const exe = readProcLink(context.procRoot, proc.pid, 'exe');
  const hint = sessionIdHint(proc.cmd);
  return {
    pid: proc.pid,
    ppid: proc.ppid,
    startedAt: evidence.startedAt,
    argv: proc.cmd,
    cwd: proc.cwd,
    uid: proc.uid,
    build: proc.native ? 'native' : exe !== undefined && isJsRuntimePath(exe) ? 'node' : 'other',
    ...(exe !== undefined ? { exe } : {}),
    resumeFlags: resumeFlags(proc.cmd),
    ...(hint !== undefined ? { sessionIdHint: hint } : {}),
  };
}

function sessionFileFindings(context: DiscoveryContext, evidence: SessionEvidence): SessionFileFindings {
  const path = join(context.claudeDir, 'sessions', `${evidence.process.pid}.json`);
  if (evidence.sessionFile !== undefined) return { found: true, path, file: evidence.sessionFile };
  return { found: false, path, why: whyNoSessionFile(context, evidence, path) };
}

/** Why the scan had no live sessions file for the process, in the words of what each client does. */
function whyNoSessionFile(context: DiscoveryContext, evidence: SessionEvidence, path: string): string {
  const { process: proc } = evidence;
  if (existsSync(path)) {
    const onDisk = readSessionFiles(context.claudeDir).get(proc.pid);
    if (onDisk === undefined) return "the file is there but is not this process's: unreadable, not JSON, or it names another PID";
    if (onDisk.procStart !== undefined && onDisk.procStart !== proc.startTicks) {
      return `stale: left by an earlier process with this PID (its procStart ${onDisk.procStart}, this process's ${proc.startTicks})`;
    }
    if (onDisk.procStart === undefined) return 'stale: its startedAt is before this process started, so an earlier process with this PID wrote it';
    return 'it was being rewritten while vmux read it; ask again';
  }
  if (evidence.signals.startupDialogSince !== undefined) {
    return pidsWithKeyFiles(context.claudeDir).has(proc.pid)
      ? 'the client has written only its key file: it waits at the folder-trust dialog (2.1.332)'
      : 'the native client has written nothing for seconds: a dialog at start waits for an answer';
  }
  if (proc.cmd.some((arg) => arg === '-p' || arg === '--print')) return 'print mode (-p): 2.1.197 writes none, 2.1.332 writes it late';
  if (!proc.native) return 'the Node build (2.1.100 and older) and clients before 2.1.x write none';
  return `not written (yet): the native client writes it within a second of starting, in its own Claude folder (vmux reads ${context.claudeDir})`;
}

function transcriptFindings(evidence: SessionEvidence): TranscriptFindings {
  const { match, tail } = evidence;
  const path = match !== undefined && 'path' in match ? match.path : undefined;
  const stats = path === undefined ? undefined : statQuietly(path);
  return {
    ...(match ? { match } : {}),
    how: howMatched(match, evidence.signals.noTranscript),
    ...(path !== undefined ? { path } : {}),
    ...(stats ? { sizeBytes: stats.size, modifiedAt: stats.mtime } : {}),
    records: tail ? summarizeRecords(tail.entries, tail.entries.slice(-RECORDS_SHOWN)) : [],
    ...(tail ? { truncated: tail.truncated } : {}),
    ...(tail?.lastActivity ? { lastActivity: tail.lastActivity } : {}),
  };
}

function howMatched(match: TranscriptMatch | undefined, noTranscript: SessionSignals['noTranscript']): string {
  const unreadable = noTranscript === 'unreadable' ? '; it could not be read' : '';
  switch (match?.kind) {
    case 'sessions-file':
      return match.path === undefined
        ? `the sessions file names session ${match.sessionId}, which has no transcript yet (the client writes it at the first prompt)`
        : `the sessions file names session ${match.sessionId}${unreadable}`;
    case 'argv':
      return `the command line names session ${match.sessionId} and that transcript exists (a hint: stale after /clear)${unreadable}`;
    case 'folder':
      return `the newest transcript of the project folder written since the process started, which no other process there can own${unreadable}`;
    case 'none-yet':
      return match.sessionId === undefined
        ? 'no transcript of the project folder was written since the process started: no prompt yet'
        : `no transcript of the project folder was written since the process started; its sessions file names session ${match.sessionId}`;
    case 'ambiguous':
      return `${match.candidates} transcript(s) of the project folder could be this session's or another's started there; vmux will not guess`;
    case undefined:
      return 'not matched';
  }
}

function transcriptReading(tail: TranscriptTail, signal: NonNullable<SessionSignals['transcript']>): TranscriptReading {
  const end = conversationEnd(tail.entries);
  const tasks = backgroundTasks(tail.entries);
  const deciding = end.last === undefined ? undefined : summarizeRecords(tail.entries, [end.last])[0];
  return {
    verdict: signal.verdict,
    ...(deciding ? { deciding } : {}),
    ...(signal.pendingTool !== undefined ? { pendingTool: signal.pendingTool } : {}),
    ...(end.compactedAt ? { compactedAt: end.compactedAt } : {}),
    ...(end.retry ? { retry: { attempt: end.retry.attempt, maxRetries: end.retry.maxRetries } } : {}),
    attempts: end.attempts,
    background: {
      shells: signal.background?.shells ?? 0,
      agents: signal.background?.agents ?? 0,
      running: tasks.running.map((task) => {
        const call = toolCall(tail.entries, task.toolUseId);
        return {
          kind: task.kind,
          toolUseId: oneLine(task.toolUseId, WHAT_CHARS),
          ...(task.at ? { at: task.at } : {}),
          ...(call ? { tool: call.name, ...(call.what ? { what: call.what } : {}) } : {}),
        };
      }),
      agentsAtTurnEnd: tasks.agentsAtTurnEnd,
    },
  };
}

/** The tool call with this id in the tail: its tool's name and what it was asked to run, cleaned. */
function toolCall(entries: readonly ConversationEntry[], id: string): { name: string; what?: string } | undefined {
  for (const entry of entries) {
    if (entry.kind !== 'assistant') continue;
    for (const block of entry.blocks) {
      if (block.type !== 'tool_use' || block.id !== id) continue;
      const what = ['command', 'description', 'prompt'].map((key) => block.input[key]).find((value) => typeof value === 'string');
      return { name: oneLine(block.name, TOOL_NAME_CHARS), ...(typeof what === 'string' && what.trim() !== '' ? { what: oneLine(what, WHAT_CHARS) } : {}) };
    }
  }
  return undefined;
}

/** Each record in one line; a tool result is named by the call it answers, looked up in `all`. */
function summarizeRecords(all: readonly ConversationEntry[], records: readonly ConversationEntry[]): RecordSummary[] {
  const toolNames = new Map<string, string>();
  for (const entry of all) {
    if (entry.kind !== 'assistant') continue;
    for (const block of entry.blocks) if (block.type === 'tool_use') toolNames.set(block.id, oneLine(block.name, TOOL_NAME_CHARS));
  }
  const named = (ids: readonly string[] | undefined): string[] => (ids ?? []).map((id) => toolNames.get(id) ?? 'a tool not in the tail');
  return records.map((entry) => {
    const at = entry.at ? { at: entry.at } : {};
    switch (entry.kind) {
      case 'prompt':
        return { kind: entry.kind, ...at, tools: [], notes: entry.fromTaskNotification ? ['a background task ended (<task-notification>)'] : [] };
      case 'tool-result':
        return {
          kind: entry.kind,
          ...at,
          tools: named(entry.toolUseIds),
          notes: [
            ...(entry.rejected ? ['the user declined or stopped it'] : []),
            ...(entry.backgroundLaunches ?? []).map((launch) => `launched a background ${launch.kind}`),
          ],
        };
      case 'interrupt':
        return { kind: entry.kind, ...at, tools: named(entry.toolUseIds), notes: ['[Request interrupted by user]'] };
      case 'assistant':
        return {
          kind: entry.kind,
          ...at,
          tools: entry.blocks.flatMap((block) => (block.type === 'tool_use' ? [oneLine(block.name, TOOL_NAME_CHARS)] : [])),
          notes: [
            entry.blocks.map((block) => block.type).join('+') || 'no content',
            ...(entry.stopReason !== undefined ? [`stop_reason ${oneLine(entry.stopReason, TOOL_NAME_CHARS)}`] : []),
            ...(entry.apiError !== undefined ? [`API error: ${oneLine(entry.apiError, WHAT_CHARS)}`] : []),
          ],
        };
      case 'turn-end':
        return { kind: entry.kind, ...at, tools: [], notes: entry.pendingBackgroundAgents ? [`${entry.pendingBackgroundAgents} background agent(s) still running`] : [] };
      case 'api-retry':
        return { kind: entry.kind, ...at, tools: [], notes: [`attempt ${entry.attempt ?? '?'}/${entry.maxRetries ?? '?'}`] };
      case 'api-request':
      case 'compacted':
        return { kind: entry.kind, ...at, tools: [], notes: [] };
    }
  });
}

function statQuietly(path: string): { size: number; mtime: Date } | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
