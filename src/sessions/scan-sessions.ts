import type { Stats } from 'node:fs';
import { debuglog } from 'node:util';
import { errnoCode } from '../errors.js';
import { detectState } from '../transcript/detect-state.js';
import { extractPreview, pendingToolName } from '../transcript/preview.js';
import type { TailCache } from '../transcript/tail-cache.js';
import { DEFAULT_TAIL_RECORDS, tailReadJsonl, type TranscriptTail } from '../transcript/tail-read.js';
import { classifySession, type SessionSignals } from './classify-session.js';
import type { DiscoveryContext } from './discovery-context.js';
import type { ScanMemory } from './scan-memory.js';
import { findClaudeProcesses, type ClaudeProcess } from './find-claude-processes.js';
import { isPlausibleBranch, readGitInfo, type GitInfo } from './git-info.js';
import { matchTranscripts, type TranscriptMatch } from './match-transcripts.js';
import { processStartMs, readBootTimeMs } from './proc-reader.js';
import { byAttention, type Session } from './session.js';
import { liveSessionFiles, readSessionFiles, type SessionFile } from './session-file.js';

const debug = debuglog('vmux:discovery');

export interface ScanOptions {
  /** Only these PIDs (tests look only at the processes they started). */
  readonly onlyPids?: ReadonlySet<number>;
  /** Kept between scans by a process that scans repeatedly (the daemon): unchanged files are not read again. */
  readonly memory?: ScanMemory;
}

/**
 * One full pass of discovery: processes → sessions files → transcripts → state and preview.
 * Synchronous and bounded: every transcript read is a tail read.
 */
export function scanSessions(context: DiscoveryContext, options: ScanOptions = {}): Session[] {
  try {
    return scan(context, options);
  } finally {
    options.memory?.endRound();
  }
}

function scan(context: DiscoveryContext, options: ScanOptions): Session[] {
  const { memory } = options;
  const { procRoot } = context;
  const sessionFiles = liveSessionFiles(
    readSessionFiles(context.claudeDir, memory?.sessionFiles),
    procRoot,
    memory ? (pid) => memory.processes.stat(procRoot, pid) : undefined,
  );
  const knownSessionPids = new Set(sessionFiles.keys());
  const processes = findClaudeProcesses(procRoot, {
    knownSessionPids,
    ...(options.onlyPids ? { onlyPids: options.onlyPids } : {}),
    ...(memory ? { memory: memory.processes } : {}),
  });
  const bootTimeMs = (memory ? memory.bootTimeMs(procRoot) : readBootTimeMs(procRoot)) ?? 0;
  const startTimeMs = (proc: ClaudeProcess): number => processStartMs(bootTimeMs, proc.startTicks);
  // A daemon's scan reads a tail only when its file changed: the `stat` matching took tells.
  const stats = memory ? new Map<string, Stats>() : undefined;
  const matches = matchTranscripts({
    claudeDir: context.claudeDir,
    processes,
    sessionFiles,
    startTimeMs,
    ...(memory ? { memory: memory.projectFolders, stats } : {}),
  });
  const now = context.now();
  const readTail = (path: string) => readTailOf(path, memory?.tails, stats?.get(path));
  const gitInfo = (cwd: string, uid: number) => readGitInfo(cwd, uid, memory?.git);
  return processes
    .map((proc) => describeSession(proc, sessionFiles.get(proc.pid), matches.get(proc.pid), context, now, readTail, gitInfo))
    .sort(byAttention);
}

function describeSession(
  proc: ClaudeProcess,
  file: SessionFile | undefined,
  match: TranscriptMatch | undefined,
  context: DiscoveryContext,
  now: Date,
  readTail: (path: string) => TranscriptTail | undefined,
  gitInfo: (cwd: string, uid: number) => GitInfo | undefined,
): Session {
  const path = match !== undefined && 'path' in match ? match.path : undefined;
  const tail = path === undefined ? undefined : readTail(path);
  const signals: SessionSignals = {
    ...(file?.status ? { clientStatus: clientStatusOf(file) } : {}),
    ...(tail
      ? {
          transcript: {
            verdict: detectState(tail, now, { idleThresholdMs: context.idleThresholdMs }),
            ...pendingTool(readOf(tail)),
          },
        }
      : { noTranscript: noTranscriptReason(match, path) }),
  };
  const verdict = classifySession(signals, now);
  const cwd = file?.cwd ?? proc.cwd;
  const git = gitInfo(cwd, proc.uid);
  const worktree = git?.worktree;
  return {
    pid: proc.pid,
    procStart: proc.startTicks,
    sessionId: match !== undefined && 'sessionId' in match ? (match.sessionId ?? '') : '',
    cwd,
    gitBranch: branchOf(tail?.gitBranch, git?.branch),
    ...(worktree ? { worktree } : {}),
    state: verdict.state,
    reason: verdict.reason,
    // Only when a record or the client says when; a registry fills in the first observation.
    ...(verdict.state === 'needs_input' && verdict.since ? { waitingSince: verdict.since } : {}),
    preview: tail ? readOf(tail).preview : '',
    ...(path ? { transcriptPath: path } : {}),
  };
}

/**
 * The newest record's branch, else the repository's. The client records `HEAD` when git fails,
 * outside any repository too: that is no branch.
 */
function branchOf(recorded: string | undefined, fromRepository: string | undefined): string {
  // The transcript is text like any other: a name git would refuse is not shown as a branch.
  if (recorded !== undefined && !isPlausibleBranch(recorded)) recorded = undefined;
  if (recorded && !(recorded === 'HEAD' && fromRepository === undefined)) return recorded;
  return fromRepository ?? '';
}

function clientStatusOf(file: SessionFile): NonNullable<SessionSignals['clientStatus']> {
  return {
    status: file.status ?? '',
    ...(file.waitingFor ? { waitingFor: file.waitingFor } : {}),
    ...(file.statusUpdatedAt ? { since: file.statusUpdatedAt } : {}),
    ...(file.startedAt ? { startedAt: file.startedAt } : {}),
  };
}

interface TailReading {
  readonly preview: string;
  readonly pendingTool: string | undefined;
}

/** What a tail shows, whatever the time: worked out once per tail, which a daemon keeps while its file is unchanged. */
const readings = new WeakMap<TranscriptTail, TailReading>();

function readOf(tail: TranscriptTail): TailReading {
  let reading = readings.get(tail);
  if (reading === undefined) {
    reading = { preview: extractPreview(tail), pendingTool: pendingToolName(tail) };
    readings.set(tail, reading);
  }
  return reading;
}

function pendingTool(reading: TailReading): { pendingTool?: string } {
  return reading.pendingTool === undefined ? {} : { pendingTool: reading.pendingTool };
}

function noTranscriptReason(match: TranscriptMatch | undefined, path: string | undefined): SessionSignals['noTranscript'] {
  if (path !== undefined) return 'unreadable';
  return match?.kind === 'ambiguous' ? 'ambiguous' : 'none-yet';
}

/** A transcript that vanished or cannot be read leaves the session with no transcript signal. */
function readTailOf(path: string, cache: TailCache | undefined, known: Stats | undefined): TranscriptTail | undefined {
  const read = () => tailReadJsonl(path, DEFAULT_TAIL_RECORDS);
  try {
    return cache ? cache.get(path, read, known) : read();
  } catch (error) {
    debug('transcript %s unreadable: %s', path, errnoCode(error) ?? String(error));
    return undefined;
  }
}
