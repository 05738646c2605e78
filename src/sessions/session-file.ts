import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { debuglog } from 'node:util';
import { isGoneOrForbidden, messageOf } from '../errors.js';
import { readRegularTextFile } from '../files/read-regular-file.js';
import type { FileMemo } from '../files/file-memo.js';
import { processStartMs, readBootTimeMs, readProcStat, START_SLACK_MS, type ProcStat } from './proc-reader.js';

const debug = debuglog('vmux:discovery');

/** Claude Code writes a few hundred bytes (ids, a path, times); anything much larger is not its file. */
const MAX_SESSION_FILE_BYTES = 64 * 1024;

/**
 * `sessions/<pid>.json`, which Claude Code writes for each live interactive process and
 * rewrites as its state changes. Older versions write fewer fields; every field is optional.
 */
export interface SessionFile {
  readonly pid: number;
  readonly sessionId?: string;
  readonly cwd?: string;
  /** Field 22 of `/proc/<pid>/stat` when the client started: tells a live file from PID reuse. */
  readonly procStart?: string;
  /** `idle`, `busy`, `waiting`, `shell`, … as the client reports itself. */
  readonly status?: string;
  /** What a `waiting` client waits for, e.g. "permission prompt". */
  readonly waitingFor?: string;
  readonly statusUpdatedAt?: Date;
  /** When the client started; the only PID-reuse check for versions without `procStart`. */
  readonly startedAt?: Date;
  readonly version?: string;
  /** `interactive`, or `bg` / `daemon` / `daemon-worker` for background sessions (2.1.332). */
  readonly kind?: string;
  /** A background session's job id (2.1.332 `claude --bg`: `kind: "bg"`, `jobId`); it has no terminal of its own. */
  readonly backgroundJob?: string;
  /** The tmux pane (`%N`) the client says it runs in (2.1.332+: `"tmux": "<session>:@<window>.%<pane>"`). */
  readonly tmuxPane?: string;
}

/**
 * PIDs with a `sessions/<pid>.<hex>.key` file: 2.1.332 writes it at start, before the folder-trust
 * dialog is answered, while `<pid>.json` waits for that answer.
 */
export function pidsWithKeyFiles(claudeDir: string): Set<number> {
  const pids = new Set<number>();
  let names: string[];
  try {
    names = readdirSync(join(claudeDir, 'sessions'));
  } catch {
    return pids;
  }
  for (const name of names) {
    const match = /^([0-9]+)\.[0-9a-f]+\.key$/.exec(name);
    if (match?.[1]) pids.add(Number(match[1]));
  }
  return pids;
}

/**
 * Every parseable `sessions/<pid>.json` under `claudeDir`, keyed by PID; junk is skipped, and so
 * is anything but a small regular file (a FIFO or a link to a device is never waited on or read).
 */
export function readSessionFiles(claudeDir: string, memo?: FileMemo<SessionFile | undefined>): Map<number, SessionFile> {
  const dir = join(claudeDir, 'sessions');
  const files = new Map<number, SessionFile>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if (isGoneOrForbidden(error)) return files;
    throw error;
  }
  for (const name of names) {
    const match = /^([0-9]+)\.json$/.exec(name);
    if (!match?.[1]) continue;
    const pid = Number(match[1]);
    const path = join(dir, name);
    const file = memo ? rememberedSessionFile(memo, path, pid) : readSessionFile(path, pid);
    if (file) files.set(pid, file);
  }
  return files;
}

/** Through a daemon's memo: a file unchanged since it was read is not read again. */
function rememberedSessionFile(memo: FileMemo<SessionFile | undefined>, path: string, pid: number): SessionFile | undefined {
  try {
    return memo.get(path, () => readSessionFile(path, pid));
  } catch (error) {
    debug('sessions file %s unreadable: %s', path, messageOf(error));
    return undefined;
  }
}

function readSessionFile(path: string, pid: number): SessionFile | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readRegularTextFile(path, { maxBytes: MAX_SESSION_FILE_BYTES }));
  } catch (error) {
    // Being rewritten, removed, corrupt, or no file at all: this scan does without it.
    debug('sessions file %s unreadable: %s', path, messageOf(error));
    return undefined;
  }
  return parseSessionFile(raw, pid);
}

/** Keeps only well-typed fields of an untrusted sessions file; undefined when it names another PID. */
export function parseSessionFile(raw: unknown, pid: number): SessionFile | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const record = raw as Record<string, unknown>;
  if (record['pid'] !== undefined && record['pid'] !== pid) return undefined;
  const procStart = record['procStart'];
  const tmuxPane = paneOf(stringField(record, 'tmux'));
  const kind = stringField(record, 'kind');
  const jobId = stringField(record, 'jobId');
  const backgroundJob = kind === 'bg' && jobId !== undefined && /^[0-9a-zA-Z_-]{1,64}$/.test(jobId) ? jobId : undefined;
  return {
    pid,
    sessionId: stringField(record, 'sessionId'),
    cwd: stringField(record, 'cwd'),
    procStart: typeof procStart === 'number' ? String(procStart) : stringField(record, 'procStart'),
    status: stringField(record, 'status'),
    waitingFor: stringField(record, 'waitingFor'),
    statusUpdatedAt: timeField(record, 'statusUpdatedAt') ?? timeField(record, 'updatedAt'),
    startedAt: timeField(record, 'startedAt'),
    version: stringField(record, 'version'),
    ...(kind !== undefined ? { kind } : {}),
    ...(tmuxPane !== undefined ? { tmuxPane } : {}),
    ...(backgroundJob !== undefined ? { backgroundJob } : {}),
  };
}

/** `%N` from the client's `<session>:@<window>.%<pane>`; nothing else is ever passed on to tmux. */
function paneOf(tmux: string | undefined): string | undefined {
  return tmux === undefined ? undefined : /\.(%[0-9]+)$/.exec(tmux)?.[1];
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Times appear as epoch milliseconds or ISO strings depending on the version. */
function timeField(record: Record<string, unknown>, key: string): Date | undefined {
  const value = record[key];
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * The files whose process still runs: same PID and same start time (`procStart`). Versions that
 * write no `procStart` must have started (`startedAt`) after the process did, or the file is a
 * leftover of an earlier process that had the same PID. A file left behind by a killed client is
 * ignored.
 */
export function liveSessionFiles(
  files: ReadonlyMap<number, SessionFile>,
  procRoot: string,
  readStat: (pid: number) => ProcStat | undefined = (pid) => readProcStat(procRoot, pid),
): Map<number, SessionFile> {
  const live = new Map<number, SessionFile>();
  let bootTimeMs: number | undefined;
  for (const [pid, file] of files) {
    const stat = readStat(pid);
    if (stat === undefined) continue;
    if (file.procStart !== undefined) {
      if (file.procStart !== stat.startTicks) continue;
    } else {
      bootTimeMs ??= readBootTimeMs(procRoot) ?? 0;
      const startedBefore = processStartMs(bootTimeMs, stat.startTicks) - START_SLACK_MS;
      if (file.startedAt === undefined || file.startedAt.getTime() < startedBefore) continue;
    }
    live.set(pid, file);
  }
  return live;
}
