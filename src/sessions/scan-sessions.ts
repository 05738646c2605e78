import { existsSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { debuglog } from 'node:util';
import { errnoCode } from '../errors.js';
import { detectState } from '../transcript/detect-state.js';
import { pendingBashCommand } from '../transcript/preview.js';
import { readingOf, type TailReading } from '../transcript/tail-reading.js';
import type { TailCache } from '../transcript/tail-cache.js';
import type { SavedTails } from '../transcript/saved-tails.js';
import { DEFAULT_TAIL_RECORDS, tailReadJsonl, type TranscriptTail } from '../transcript/tail-read.js';
import { classifySession, toolProcessWanted, type Classification, type SessionSignals } from './classify-session.js';
import type { DiscoveryContext } from './discovery-context.js';
import type { ScanMemory } from './scan-memory.js';
import { findClaudeProcesses, type ClaudeProcess } from './find-claude-processes.js';
import { ProcessMemory } from './process-memory.js';
import { resumesConversation } from './recognize-claude.js';
import { GitMemo, isPlausibleBranch, readGitInfo, type GitInfo } from './git-info.js';
import { matchTranscripts, type TranscriptMatch } from './match-transcripts.js';
import { childRuns, processStartMs, readBootTimeMs, readEnviron } from './proc-reader.js';
import { byAttention, type Session } from './session.js';
import { liveSessionFiles, pidsWithKeyFiles, readSessionFiles, type SessionFile } from './session-file.js';

const debug = debuglog('vmux:discovery');

export interface ScanOptions {
  /** Only these PIDs (tests look only at the processes they started). */
  readonly onlyPids?: ReadonlySet<number>;
  /** Kept between scans by a process that scans repeatedly (the daemon): unchanged files are not read again. */
  readonly memory?: ScanMemory;
  /** Without a memory, the tails a command scanning by itself read the last time (see SavedTails). */
  readonly savedTails?: SavedTails;
  /** Given, for each session, what the scan read and how it decided (`vmux explain`). */
  readonly onEvidence?: (evidence: SessionEvidence) => void;
}

/** What one session's state and reason were decided from, as the scan read it. */
export interface SessionEvidence {
  readonly process: ClaudeProcess;
  readonly startedAt: Date;
  /** Its live `sessions/<pid>.json`, when it has one. */
  readonly sessionFile?: SessionFile;
  readonly match?: TranscriptMatch;
  readonly tail?: TranscriptTail;
  readonly signals: SessionSignals;
  readonly classification: Classification;
  readonly session: Session;
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
  // A scan of its own reads each process once too: `stat` is asked for a session's PID twice.
  const processMemory = memory?.processes ?? new ProcessMemory();
  const sessionFiles = liveSessionFiles(readSessionFiles(context.claudeDir, memory?.sessionFiles), procRoot, (pid) => processMemory.stat(procRoot, pid));
  const keyFilePids = pidsWithKeyFiles(context.claudeDir);
  const knownSessionPids = new Set(sessionFiles.keys());
  const processes = findClaudeProcesses(procRoot, {
    knownSessionPids,
    ...(options.onlyPids ? { onlyPids: options.onlyPids } : {}),
    memory: processMemory,
  }).filter((proc) => context.onlyUid === undefined || proc.uid === context.onlyUid);
  const bootTimeMs = (memory ? memory.bootTimeMs(procRoot) : readBootTimeMs(procRoot)) ?? 0;
  const startTimeMs = (proc: ClaudeProcess): number => processStartMs(bootTimeMs, proc.startTicks);
  // A tail is read only when its file changed since it was kept: the `stat` matching took tells.
  const tails: TailSource | undefined = memory?.tails ?? options.savedTails;
  const stats = tails ? new Map<string, Stats>() : undefined;
  const matches = matchTranscripts({
    claudeDir: context.claudeDir,
    processes,
    sessionFiles,
    startTimeMs,
    ...(memory ? { memory: memory.projectFolders } : {}),
    ...(stats ? { stats } : {}),
  });
  const now = context.now();
  const readTail = (path: string) => readTailOf(path, tails, stats?.get(path));
  // Sessions in one folder tree walk up through the same folders: each is looked at once a scan.
  const git = memory?.git ?? new GitMemo();
  const gitInfo = (cwd: string, uid: number, branchNeeded: boolean) => readGitInfo(cwd, uid, git, branchNeeded);
  const toolProcess = (pid: number, command: string): SessionSignals['toolProcess'] => {
    const runs = childRuns(procRoot, pid, command);
    return runs === undefined ? undefined : runs ? 'started' : 'none';
  };
  return processes
    .map((proc) => {
      const startedMs = startTimeMs(proc);
      const file = sessionFiles.get(proc.pid);
      // A sessions file on disk that this scan could not use (caught mid-rewrite) is no dialog.
      // Asked only of a session with no transcript to read: a daemon's poll reads no environ then.
      const atStartupDialog = () =>
        file === undefined &&
        !existsSync(join(context.claudeDir, 'sessions', `${proc.pid}.json`)) &&
        waitsAtStartupDialog(proc, keyFilePids.has(proc.pid), now.getTime() - startedMs, () => usesClaudeDir(context, proc.pid));
      return describeSession(proc, file, matches.get(proc.pid), context, now, { readTail, gitInfo, toolProcess }, startedMs, atStartupDialog, options.onEvidence);
    })
    .sort(byAttention);
}

function describeSession(
  proc: ClaudeProcess,
  file: SessionFile | undefined,
  match: TranscriptMatch | undefined,
  context: DiscoveryContext,
  now: Date,
  read: SessionReaders,
  startedMs: number,
  atStartupDialog: () => boolean,
  onEvidence: ScanOptions['onEvidence'],
): Session {
  const path = match !== undefined && 'path' in match ? match.path : undefined;
  const tail = path === undefined ? undefined : read.readTail(path);
  const gathered: SessionSignals = {
    ...(file?.status ? { clientStatus: clientStatusOf(file) } : {}),
    ...(tail
      ? {
          transcript: {
            verdict: detectState(tail, now, { idleThresholdMs: context.idleThresholdMs }),
            background: readingOf(tail).background,
            ...pendingTool(readingOf(tail)),
          },
        }
      : { noTranscript: noTranscriptReason(match, path) }),
    ...(resumesConversation(proc.cmd) ? { resumedAt: new Date(startedMs) } : {}),
    ...(tail === undefined && atStartupDialog() ? { startupDialogSince: new Date(startedMs) } : {}),
  };
  // What a process running the pending Bash call would have in its command line.
  const command = tail !== undefined && toolProcessWanted(gathered, now) !== undefined ? commandToFind(tail) : undefined;
  const toolProcess = command === undefined ? undefined : read.toolProcess(proc.pid, command);
  const signals: SessionSignals = toolProcess === undefined ? gathered : { ...gathered, toolProcess };
  const verdict = classifySession(signals, now);
  const cwd = file?.cwd ?? proc.cwd;
  // The newest record's branch is the one shown (branchOf): then only the worktree is looked up.
  const git = read.gitInfo(cwd, proc.uid, !recordsBranch(tail?.gitBranch));
  const worktree = git?.worktree;
  const session: Session = {
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
    preview: tail ? readingOf(tail).preview : '',
    ...(path ? { transcriptPath: path } : {}),
    ...(file?.tmuxPane ? { tmuxPane: file.tmuxPane } : {}),
    ...(file?.backgroundJob ? { backgroundJob: file.backgroundJob } : {}),
    ...(verdict.decideAgainAt ? { decideAgainAt: verdict.decideAgainAt } : {}),
    ...(verdict.rule === 'transcript-tool-unstarted' && command !== undefined ? { toolCommand: command } : {}),
  };
  onEvidence?.({
    process: proc,
    startedAt: new Date(startedMs),
    ...(file ? { sessionFile: file } : {}),
    ...(match ? { match } : {}),
    ...(tail ? { tail } : {}),
    signals,
    classification: verdict,
    session,
  });
  return session;
}

/**
 * The part of the pending Bash command that its shell's command line holds as it is: the client
 * quotes the command (`eval '…'`), so it is cut at the first quote or backslash. Too short a part
 * would be found in other command lines: then nothing is looked for.
 */
function commandToFind(tail: TranscriptTail): string | undefined {
  const verbatim = pendingBashCommand(tail)?.split(/['\\]/)[0]?.trim();
  return verbatim !== undefined && verbatim.length >= MIN_COMMAND_CHARS ? verbatim.slice(0, 200) : undefined;
}

const MIN_COMMAND_CHARS = 4;

/** The transcript's branch is shown as it is (see branchOf). */
function recordsBranch(recorded: string | undefined): boolean {
  return recorded !== undefined && recorded !== 'HEAD' && isPlausibleBranch(recorded);
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

/** A native client writes its sessions file within a second of starting, once the folder is trusted. */
const SESSIONS_FILE_DUE_MS = 3000;

/**
 * A client that has written no sessions file yet waits at its folder-trust dialog: 2.1.332 says
 * so with a `<pid>.<hex>.key` file alone; other native builds by having written nothing for
 * seconds. Print mode (`-p`) writes its file late and shows no dialog.
 */
function waitsAtStartupDialog(proc: ClaudeProcess, hasKeyFile: boolean, ageMs: number, writesHere: () => boolean): boolean {
  if (proc.cmd.some((arg) => arg === '-p' || arg === '--print')) return false;
  // Silence means something only from a client that would write into the folder read here.
  return hasKeyFile || (proc.native === true && ageMs > SESSIONS_FILE_DUE_MS && writesHere());
}

/** The client keeps its files in the Claude folder this scan reads (its CLAUDE_CONFIG_DIR, else its ~/.claude). */
function usesClaudeDir(context: DiscoveryContext, pid: number): boolean {
  const env = readEnviron(context.procRoot, pid);
  if (env === undefined) return false;
  const own = env.get('CLAUDE_CONFIG_DIR') || (env.get('HOME') ? join(env.get('HOME') ?? '', '.claude') : undefined);
  return own !== undefined && resolve(own) === resolve(context.claudeDir);
}

function clientStatusOf(file: SessionFile): NonNullable<SessionSignals['clientStatus']> {
  return {
    status: file.status ?? '',
    ...(file.waitingFor ? { waitingFor: file.waitingFor } : {}),
    ...(file.statusUpdatedAt ? { since: file.statusUpdatedAt } : {}),
    ...(file.startedAt ? { startedAt: file.startedAt } : {}),
  };
}

/** How a scan reads a session's files: through the daemon's memory, or afresh. */
interface SessionReaders {
  readonly readTail: (path: string) => TranscriptTail | undefined;
  readonly gitInfo: (cwd: string, uid: number, branchNeeded: boolean) => GitInfo | undefined;
  /** Whether a child of `pid` runs `command`; undefined when /proc cannot tell. */
  readonly toolProcess: (pid: number, command: string) => SessionSignals['toolProcess'];
}

function pendingTool(reading: TailReading): { pendingTool?: string } {
  return reading.pendingTool === undefined ? {} : { pendingTool: reading.pendingTool };
}

function noTranscriptReason(match: TranscriptMatch | undefined, path: string | undefined): SessionSignals['noTranscript'] {
  if (path !== undefined) return 'unreadable';
  return match?.kind === 'ambiguous' ? 'ambiguous' : 'none-yet';
}

/** Where tails of unchanged transcripts are kept: the daemon's memory, or the file of a command's last run. */
type TailSource = Pick<TailCache, 'get'>;

/** A transcript that vanished or cannot be read leaves the session with no transcript signal. */
function readTailOf(path: string, cache: TailSource | undefined, known: Stats | undefined): TranscriptTail | undefined {
  const read = () => tailReadJsonl(path, DEFAULT_TAIL_RECORDS);
  try {
    return cache ? cache.get(path, read, known) : read();
  } catch (error) {
    debug('transcript %s unreadable: %s', path, errnoCode(error) ?? String(error));
    return undefined;
  }
}
