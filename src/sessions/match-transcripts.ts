import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isGoneOrForbidden } from '../errors.js';
import { encodePath, isProjectFolderFor } from './encode-path.js';
import type { ClaudeProcess } from './find-claude-processes.js';
import { START_SLACK_MS } from './proc-reader.js';
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
}


interface TranscriptFile {
  readonly sessionId: string;
  readonly path: string;
  readonly modifiedMs: number;
  /** 0 when the file system does not record it. */
  readonly bornMs: number;
}

/** Ties each process to its transcript, one to one: two processes never share one. */
export function matchTranscripts(input: MatchInput): Map<number, TranscriptMatch> {
  const projects = new ProjectFolders(join(input.claudeDir, 'projects'));
  const matches = new Map<number, TranscriptMatch>();
  const claimed = new Set<string>();
  for (const file of input.sessionFiles.values()) if (file.sessionId && file.procStart !== undefined) claimed.add(file.sessionId);

  const unresolved: ClaudeProcess[] = [];
  const olderClientIds = new Map<number, string>();
  for (const proc of input.processes) {
    const file = input.sessionFiles.get(proc.pid);
    if (file?.sessionId && file.procStart !== undefined) {
      const path = projects.findTranscript(file.sessionId, [file.cwd, proc.cwd]);
      matches.set(proc.pid, path ? { kind: 'sessions-file', sessionId: file.sessionId, path } : { kind: 'sessions-file', sessionId: file.sessionId });
      continue;
    }
    // Versions without `procStart` do not rewrite the file on `/clear`: their id may name a
    // conversation the process has left, so it is only a fallback for a session with none yet.
    if (file?.sessionId) olderClientIds.set(proc.pid, file.sessionId);
    const hint = sessionIdHint(proc.cmd);
    const hinted = hint !== undefined && !claimed.has(hint) ? projects.findTranscript(hint, [proc.cwd]) : undefined;
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
    for (const [pid, match] of matchFolder(group, transcripts, input.startTimeMs)) {
      const fallbackId = olderClientIds.get(pid);
      matches.set(pid, match.kind === 'none-yet' && fallbackId !== undefined ? { kind: 'none-yet', sessionId: fallbackId } : match);
    }
  }
  return matches;
}

/**
 * Matches the processes of one folder to its unclaimed transcripts. A transcript can be a
 * process's when it was written since the process started and, unless the process resumed an
 * older conversation, also created since then. Each process has at most one current transcript
 * and no two share one: of the assignments that give the most processes a transcript, a process
 * gets the one they all agree on, and is ambiguous when they disagree.
 */
function matchFolder(
  procs: readonly ClaudeProcess[],
  transcripts: readonly TranscriptFile[],
  startTimeMs: (proc: ClaudeProcess) => number,
): Map<number, TranscriptMatch> {
  const possible = procs.map((proc) => {
    const start = startTimeMs(proc) - START_SLACK_MS;
    const resumes = proc.cmd.some((arg) => arg === '--resume' || arg === '-r' || arg === '--continue' || arg === '-c');
    return transcripts.filter((t) => t.modifiedMs >= start && (resumes || t.bornMs === 0 || t.bornMs >= start));
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

/** The transcript of a session id, found the way a scan finds it: in its cwd's project folder, else in any. */
export function findTranscriptPath(claudeDir: string, sessionId: string, cwd: string): string | undefined {
  return new ProjectFolders(join(claudeDir, 'projects')).findTranscript(sessionId, [cwd]);
}

/** The `projects/` folder, listed at most once per scan. */
class ProjectFolders {
  private names: string[] | undefined;

  constructor(private readonly root: string) {}

  /** `<folder>/<sessionId>.jsonl` in the folder of one of `cwds`, else in any project folder. */
  findTranscript(sessionId: string, cwds: ReadonlyArray<string | undefined>): string | undefined {
    const file = `${sessionId}.jsonl`;
    const tried = new Set<string>();
    for (const cwd of cwds) {
      if (cwd === undefined) continue;
      for (const folder of this.foldersOf(cwd)) {
        tried.add(folder);
        if (isFile(join(this.root, folder, file))) return join(this.root, folder, file);
      }
    }
    // The client may have recorded a cwd that differs from ours (a symlinked path, say).
    for (const folder of this.list()) {
      if (!tried.has(folder) && isFile(join(this.root, folder, file))) return join(this.root, folder, file);
    }
    return undefined;
  }

  transcriptsOf(cwd: string): TranscriptFile[] {
    const found: TranscriptFile[] = [];
    for (const folder of this.foldersOf(cwd)) {
      for (const name of listDir(join(this.root, folder))) {
        // Subagent transcripts of 2.0.x sit beside the session files as `agent-<hex>.jsonl`.
        if (!name.endsWith('.jsonl') || name.startsWith('agent-')) continue;
        const path = join(this.root, folder, name);
        try {
          const stat = statSync(path);
          found.push({ sessionId: basename(name, '.jsonl'), path, modifiedMs: stat.mtimeMs, bornMs: stat.birthtimeMs });
        } catch (error) {
          if (!isGoneOrForbidden(error)) throw error;
        }
      }
    }
    return found;
  }

  private foldersOf(cwd: string): string[] {
    const encoded = encodePath(cwd);
    if (isDir(join(this.root, encoded))) return [encoded];
    return this.list().filter((folder) => isProjectFolderFor(folder, cwd));
  }

  private list(): string[] {
    this.names ??= listDir(this.root);
    return this.names;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if (isGoneOrForbidden(error)) return [];
    throw error;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
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
