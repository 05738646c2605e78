import { statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { encodePath } from './encode-path.js';
import type { ClaudeProcess } from './find-claude-processes.js';
import { START_SLACK_MS } from './proc-reader.js';
import { isSessionId, ProjectFolders, type ProjectFoldersMemory, type TranscriptFile, type TranscriptQuery } from './project-folders.js';
import { sessionIdHint } from './recognize-claude.js';
import type { SessionFile } from './session-file.js';

/** How a process was tied to its conversation, in SPEC §2's order of trust. */
export type TranscriptMatch =
  /** `sessions/<pid>.json` names the session; `path` is absent until the first prompt creates it. */
  | { readonly kind: 'sessions-file'; readonly sessionId: string; readonly path?: string }
  /** `--session-id`/`--resume` in argv, and that transcript exists. */
  | { readonly kind: 'argv'; readonly sessionId: string; readonly path: string }
  /** The only transcript of the project folder that can be this process's. */
  | { readonly kind: 'folder'; readonly sessionId: string; readonly path: string }
  /** Nothing written for it yet: a fresh session. */
  | { readonly kind: 'none-yet'; readonly sessionId?: string }
  /** Several processes could own the same transcripts; showing one would risk the wrong conversation. */
  | { readonly kind: 'ambiguous'; readonly candidates: number };

export interface MatchInput {
  readonly claudeDir: string;
  readonly processes: readonly ClaudeProcess[];
  /** Live sessions files by PID. */
  readonly sessionFiles: ReadonlyMap<number, SessionFile>;
  /** Epoch ms at which each process started. */
  readonly startTimeMs: (proc: ClaudeProcess) => number;
  /** Kept between scans by a process that scans again and again (the daemon). */
  readonly memory?: ProjectFoldersMemory;
  /** Filled with the `stat` of each transcript file looked at, for the tail reads that follow. */
  readonly stats?: Map<string, Stats>;
}

/** Ties each process to its transcript, one to one: two processes never share one. */
export function matchTranscripts(input: MatchInput): Map<number, TranscriptMatch> {
  const projects = new ProjectFolders(join(input.claudeDir, 'projects'), input.memory, input.stats);
  const matches = new Map<number, TranscriptMatch>();
  const claimed = new Set<string>();
  for (const file of input.sessionFiles.values()) {
    const id = sessionIdOf(file);
    if (id !== undefined && file.procStart !== undefined) claimed.add(id);
  }

  const unresolved: ClaudeProcess[] = [];
  const olderClientIds = new Map<number, string>();
  for (const proc of input.processes) {
    const file = input.sessionFiles.get(proc.pid);
    const fileId = sessionIdOf(file);
    if (file !== undefined && fileId !== undefined && file.procStart !== undefined) {
      const path = projects.findTranscript(namedTranscript(fileId, file, proc, input.claudeDir));
      matches.set(proc.pid, path ? { kind: 'sessions-file', sessionId: fileId, path } : { kind: 'sessions-file', sessionId: fileId });
      continue;
    }
    // Versions without `procStart` do not rewrite the file on `/clear`: their id may name a
    // conversation the process has left, so it is only a fallback for a session with none yet.
    if (fileId !== undefined) olderClientIds.set(proc.pid, fileId);
    const hint = sessionIdHint(proc.cmd);
    const hinted = hint !== undefined && !claimed.has(hint) ? projects.findTranscript(hintedTranscript(hint, proc)) : undefined;
    if (hint !== undefined && hinted !== undefined) {
      claimed.add(hint);
      matches.set(proc.pid, { kind: 'argv', sessionId: hint, path: hinted });
      continue;
    }
    unresolved.push(proc);
  }

  for (const group of groupBy(unresolved, (proc) => encodePath(proc.cwd)).values()) {
    const cwd = group[0]?.cwd ?? '';
    const transcripts = projects.transcriptsOf(cwd).filter((t) => !claimed.has(t.sessionId));
    for (const [pid, match] of matchFolder(group, transcripts, input.startTimeMs, olderClientIds)) {
      const fallbackId = olderClientIds.get(pid);
      matches.set(pid, match.kind === 'none-yet' && fallbackId !== undefined ? { kind: 'none-yet', sessionId: fallbackId } : match);
    }
  }
  projects.finish();
  return matches;
}

/** A sessions file's id, when it is one vmux may turn into a file name (see `isSessionId`). */
function sessionIdOf(file: SessionFile | undefined): string | undefined {
  return file?.sessionId !== undefined && isSessionId(file.sessionId) ? file.sessionId : undefined;
}

/**
 * A session's start-up, from the client's first write of its sessions file to its first status:
 * a sessions file not written since then belongs to a session that has done nothing yet.
 */
const START_UP_MS = 15_000;

/**
 * Where the transcript a sessions file names can be. Claude Code writes a new conversation in the
 * project folder of its cwd, and keeps the sessions file's `cwd` current (`/cd`, entering a
 * worktree), so that folder — or the one of its real path — holds it. Only a conversation it
 * resumed or forked (`--resume`, `--continue`, `/resume` of another folder's or worktree's session)
 * stays in the project folder it came from, which can be any; such a transcript exists before the
 * sessions file names it. So every folder is searched only when the session may have resumed one:
 * its command line says so, or its sessions file was written after start-up (a `/resume`
 * rewrites it, as does any status a prompt brings). A session fresh from start-up that has no
 * transcript yet (no prompt sent) costs a few `stat` calls however many folders `projects/` holds,
 * and a daemon repeats a search only when the sessions file or `projects/` changed.
 */
function namedTranscript(sessionId: string, file: SessionFile, proc: ClaudeProcess, claudeDir: string): TranscriptQuery {
  const elsewhere = () => {
    const written = writtenAt(join(claudeDir, 'sessions', `${proc.pid}.json`));
    const freshFromStartUp =
      !resumesConversation(proc.cmd) && written !== undefined && file.startedAt !== undefined && written.mtimeMs <= file.startedAt.getTime() + START_UP_MS;
    return freshFromStartUp ? undefined : { stamp: `sessions file ${written ? `${written.mtimeMs} ${written.size}` : 'gone'}` };
  };
  return { sessionId, cwds: [file.cwd, proc.cwd], elsewhere };
}

function writtenAt(path: string): { readonly mtimeMs: number; readonly size: number } | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/**
 * `--session-id` names a new conversation, written in the cwd's folder; `--resume` one that may
 * be anywhere, and is there for the whole life of the process.
 */
function hintedTranscript(sessionId: string, proc: ClaudeProcess): TranscriptQuery {
  const query = { sessionId, cwds: [proc.cwd] };
  return resumesConversation(proc.cmd) ? { ...query, elsewhere: () => ({ stamp: `process ${proc.pid} ${proc.startTicks}` }) } : query;
}

/** Whether the command line continues an older conversation rather than starting one. */
function resumesConversation(cmd: readonly string[]): boolean {
  return cmd.some((arg) => RESUME_FLAGS.has(arg.split('=', 1)[0] ?? arg));
}

const RESUME_FLAGS = new Set(['--resume', '-r', '--continue', '-c', '--fork-session', '--from-pr']);

/**
 * Matches the processes of one folder to its unclaimed transcripts. A transcript can be a
 * process's when it was written since the process started and, unless the process resumed an
 * older conversation, also created since then. The Node build hides its command line (it sets
 * its process title), so `--continue` cannot be read there; but its sessions file, written at
 * start, names the conversation it continues: that one may be older than the process. Each process has at most one current transcript
 * and no two share one: of the assignments that give the most processes a transcript, a process
 * gets the one they all agree on, and is ambiguous when they disagree.
 */
function matchFolder(
  procs: readonly ClaudeProcess[],
  transcripts: readonly TranscriptFile[],
  startTimeMs: (proc: ClaudeProcess) => number,
  namedByOlderClient: ReadonlyMap<number, string>,
): Map<number, TranscriptMatch> {
  const possible = procs.map((proc) => {
    const start = startTimeMs(proc) - START_SLACK_MS;
    const resumes = resumesConversation(proc.cmd);
    const named = namedByOlderClient.get(proc.pid);
    return transcripts.filter((t) => t.modifiedMs >= start && (resumes || t.sessionId === named || t.bornMs === 0 || t.bornMs >= start));
  });
  // A process whose candidates no other process could own: its current transcript is the one
  // written last (older ones are conversations it left with `/clear`).
  const newestUncontested = possible.map((mine, index) =>
    mine.length > 0 && possible.every((theirs, other) => other === index || !theirs.some((t) => mine.includes(t)))
      ? mine.reduce((newest, t) => (t.modifiedMs > newest.modifiedMs ? t : newest))
      : undefined,
  );
  const agreed = agreedAssignments(possible.map((mine, index) => (newestUncontested[index] ? [] : mine)));
  const matches = new Map<number, TranscriptMatch>();
  procs.forEach((proc, index) => {
    const choice = newestUncontested[index] ?? agreed?.[index];
    const candidates = possible[index]?.length ?? 0;
    if (choice === undefined || choice === AMBIGUOUS) {
      matches.set(proc.pid, candidates === 0 ? { kind: 'none-yet' } : { kind: 'ambiguous', candidates });
    } else if (choice === NONE) {
      matches.set(proc.pid, { kind: 'none-yet' });
    } else {
      matches.set(proc.pid, { kind: 'folder', sessionId: choice.sessionId, path: choice.path });
    }
  });
  return matches;
}

const NONE = Symbol('no transcript');
const AMBIGUOUS = Symbol('ambiguous');
type Assignment = TranscriptFile | typeof NONE | typeof AMBIGUOUS;

/** Beyond this many steps the folder is too crowded to reason about: everyone is ambiguous. */
const MATCHING_STEP_LIMIT = 20_000;

/**
 * Enumerates every one-to-one assignment of transcripts to processes that matches the most
 * processes, and keeps, per process, the transcript they all give it (or NONE, or AMBIGUOUS).
 * Folders hold a handful of live processes, so the search is small; it gives up past a limit.
 */
function agreedAssignments(possible: readonly (readonly TranscriptFile[])[]): Assignment[] | undefined {
  let best = -1;
  let agreed: Assignment[] = [];
  let steps = 0;
  const current: (TranscriptFile | typeof NONE)[] = [];
  const taken = new Set<TranscriptFile>();
  const search = (index: number, matched: number): boolean => {
    if (++steps > MATCHING_STEP_LIMIT) return false;
    if (index === possible.length) {
      if (matched > best) {
        best = matched;
        agreed = [...current];
      } else if (matched === best) {
        agreed = agreed.map((choice, i) => (choice === current[i] ? choice : AMBIGUOUS));
      }
      return true;
    }
    for (const transcript of possible[index] ?? []) {
      if (taken.has(transcript)) continue;
      taken.add(transcript);
      current.push(transcript);
      const finished = search(index + 1, matched + 1);
      current.pop();
      taken.delete(transcript);
      if (!finished) return false;
    }
    current.push(NONE);
    const finished = search(index + 1, matched);
    current.pop();
    return finished;
  };
  return search(0, 0) ? agreed : undefined;
}

/**
 * The transcript of a listed session, found the way a scan finds it, for a user's request (a
 * switch that needs the session's title): in its cwd's folders, else in any project folder.
 */
export function findTranscriptPath(claudeDir: string, sessionId: string, cwd: string): string | undefined {
  return new ProjectFolders(join(claudeDir, 'projects')).findTranscript({ sessionId, cwds: [cwd], elsewhere: () => ({ stamp: '' }) });
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
