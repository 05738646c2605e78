import type { SessionInfo } from '../protocol/session-info.js';
import { CLASSIFICATION_RULES, type SessionSignals } from '../sessions/classify-session.js';
import type { BackgroundFindings, RecordSummary, SessionExplanation, TranscriptReading } from '../sessions/explain-session.js';
import { formatAge } from '../transcript/format-age.js';
import { stripControlSequences } from '../text/sanitize-text.js';
import { STATE_LABEL } from './session-table.js';
import type { Palette } from './style.js';

/** What `vmux list` shows for the session, and whether vmuxd or vmux's own scan said it. */
export interface ListedSession {
  readonly source: 'daemon' | 'scan';
  readonly session: SessionInfo;
}

export interface ReportOptions {
  readonly now: Date;
  readonly palette: Palette;
}

const KEY_WIDTH = 14;

/** `vmux explain`'s text: one section per source of signals, then the decision and what is served. */
export function renderExplanation(explanation: SessionExplanation, listed: ListedSession, options: ReportOptions): string {
  const { now, palette: p } = options;
  const when = (date: Date | undefined): string => (date === undefined ? 'unknown' : `${localTime(date)} (${formatAge(now.getTime() - date.getTime())} ago)`);
  const lines: string[] = [];
  const section = (title: string, rows: ReadonlyArray<readonly [string, string] | undefined>): void => {
    lines.push('', p.bold(title));
    for (const row of rows) if (row !== undefined) lines.push(`  ${row[0].padEnd(KEY_WIDTH)}${row[1]}`);
  };
  const { session, process: proc, sessionFile, transcript, reading, classification, signals } = explanation;

  lines.push(`${p.bold(`${STATE_LABEL[classification.state]}: ${clean(classification.reason)}`)}  ${p.dim(`pid ${proc.pid}, session ${clean(session.sessionId) || '(no id yet)'}`)}`);

  section('Process', [
    ['pid', `${proc.pid} (parent ${proc.ppid})`],
    ['started', when(proc.startedAt)],
    ['command', clean(proc.argv.join(' '))],
    ['folder', clean(proc.cwd)],
    ['user', `uid ${proc.uid}`],
    ['build', `${BUILD_WORDS[proc.build]}${proc.exe !== undefined ? ` (${clean(proc.exe)})` : ''}`],
    [
      'resumes',
      proc.resumeFlags.length === 0
        ? 'no: a new conversation'
        : `yes (${clean(proc.resumeFlags.join(' '))}): a finished turn counts from the process start`,
    ],
    proc.sessionIdHint !== undefined ? ['argv names', `session ${clean(proc.sessionIdHint)} (a hint: stale after /clear)`] : undefined,
  ]);

  if (sessionFile.found) {
    const { file } = sessionFile;
    section(`Sessions file ${clean(sessionFile.path)}`, [
      ['status', file.status === undefined ? 'none written (the client writes no status)' : clean(file.status)],
      file.waitingFor !== undefined ? ['waiting for', clean(file.waitingFor)] : undefined,
      ['updated', when(file.statusUpdatedAt)],
      ['session', clean(file.sessionId ?? '(none)')],
      file.version !== undefined ? ['version', clean(file.version)] : undefined,
      file.kind !== undefined ? ['kind', `${clean(file.kind)}${file.backgroundJob !== undefined ? `, job ${clean(file.backgroundJob)}` : ''}`] : undefined,
      ['tmux pane', file.tmuxPane ?? 'none reported'],
    ]);
  } else {
    section('Sessions file', [['none', clean(sessionFile.why)], ['looked at', clean(sessionFile.path)]]);
  }

  section(transcript.path !== undefined ? `Transcript ${clean(transcript.path)}` : 'Transcript', [
    ['matched', clean(transcript.how)],
    transcript.sizeBytes !== undefined ? ['size', `${formatBytes(transcript.sizeBytes)}, written ${when(transcript.modifiedAt)}`] : undefined,
    transcript.truncated === false ? ['read', 'the whole file'] : undefined,
    ...transcript.records.map((record, index): readonly [string, string] => [index === 0 ? 'last records' : '', recordLine(record, now)]),
  ]);

  if (reading !== undefined) section('Transcript says', readingRows(reading, now, when));

  section('Decision', [
    ['rule', `${classification.rule}: ${CLASSIFICATION_RULES[classification.rule]}`],
    ['state', STATE_LABEL[classification.state]],
    ['reason', clean(classification.reason)],
    classification.since !== undefined ? ['since', when(classification.since)] : undefined,
    signals.resumedAt !== undefined ? ['resumed', when(signals.resumedAt)] : undefined,
    signals.toolProcess !== undefined ? ['process for the call', TOOL_PROCESS_LABEL[signals.toolProcess]] : undefined,
    ['preview', clean(session.preview) || '(nothing)'],
  ]);

  lines.push('', ...servedLines(listed, explanation, when, p));
  return `${lines.join('\n').replace(/^\n/, '')}\n`;
}

const TOOL_PROCESS_LABEL: { readonly [K in NonNullable<SessionSignals['toolProcess']>]: string } = {
  started: 'started under the client since the Bash call',
  none: 'none started under the client since the Bash call',
};

function readingRows(reading: TranscriptReading, now: Date, when: (date: Date | undefined) => string): Array<readonly [string, string] | undefined> {
  return [
    ['verdict', `${STATE_LABEL[reading.verdict.state]}: ${clean(reading.verdict.reason)}`],
    ['from', reading.deciding === undefined ? 'no record that decides (nothing asked yet)' : recordLine(reading.deciding, now)],
    reading.pendingTool !== undefined ? ['pending tool', clean(reading.pendingTool)] : undefined,
    reading.compactedAt !== undefined ? ['compacted', when(reading.compactedAt)] : undefined,
    reading.retry !== undefined ? ['API retry', `${reading.retry.attempt ?? '?'}/${reading.retry.maxRetries ?? '?'}`] : undefined,
    reading.attempts >= 2 ? ['API attempts', `${reading.attempts} for the current request`] : undefined,
    ...backgroundRows(reading.background, when),
  ];
}

function backgroundRows(background: BackgroundFindings, when: (date: Date | undefined) => string): Array<readonly [string, string]> {
  if (background.shells === 0 && background.agents === 0) return [['background', 'nothing still running']];
  const rows: Array<readonly [string, string]> = [['background', `${count(background.shells, 'shell')}, ${count(background.agents, 'agent')} still running`]];
  for (const task of background.running) {
    const call = task.tool === undefined ? 'a call before the tail' : `${clean(task.tool)}${task.what !== undefined ? ` "${clean(task.what)}"` : ''}`;
    rows.push(['', `${task.kind} from ${call}, launched ${when(task.at)}; no <task-notification> for ${clean(task.toolUseId)} since`]);
  }
  if (background.agentsAtTurnEnd > 0) rows.push(['', `the last turn end counted ${count(background.agentsAtTurnEnd, 'agent')} still running`]);
  return rows;
}

/** What vmuxd serves for the session, or why there is no vmuxd to ask. */
function servedLines(listed: ListedSession, explanation: SessionExplanation, when: (date: Date | undefined) => string, p: Palette): string[] {
  const served = listed.session;
  const rows: Array<readonly [string, string] | undefined> = [
    ['state', `${STATE_LABEL[served.state]}: ${clean(served.reason)}`],
    served.waiting_since !== undefined ? ['waiting since', when(new Date(served.waiting_since))] : undefined,
    ['label', served.label !== undefined ? clean(served.label) : 'none'],
    ['workspace', clean(served.workspace) || 'unknown'],
    ['tmux pane', served.tmux_pane ?? 'none reported'],
  ];
  const title =
    listed.source === 'daemon' ? 'vmuxd serves' : 'vmuxd is not running: vmux scanned by itself (label from labels.json; only vmuxd follows what you look at)';
  const lines = [p.bold(title), ...rows.filter((row) => row !== undefined).map(([key, value]) => `  ${key.padEnd(KEY_WIDTH)}${value}`)];
  if (listed.source === 'daemon') {
    lines.push(`  ${'unseen'.padEnd(KEY_WIDTH)}${served.unseen ? 'yes: it needed you while you looked elsewhere' : 'no'}`);
    lines.push(`  ${'focused'.padEnd(KEY_WIDTH)}${served.focused ? 'yes' : 'no'}`);
    if (served.state !== explanation.classification.state || served.reason !== explanation.classification.reason) {
      lines.push(`  ${p.dim("vmuxd's last picture differs from this scan: it rescans every few seconds and adds what it watched happen (a permission prompt before a decline)")}`);
    }
  }
  return lines;
}

/** One record in one line: time, kind, tools and what else counts. */
function recordLine(record: RecordSummary, now: Date): string {
  const time = record.at === undefined ? '(no time)' : record.at.toDateString() === now.toDateString() ? localClock(record.at) : localTime(record.at);
  const tools = record.tools.length > 0 ? ` ${record.tools.map(clean).join(', ')}` : '';
  const notes = record.notes.length > 0 ? ` (${record.notes.map(clean).join('; ')})` : '';
  return `${time}  ${record.kind}${tools}${notes}`;
}

/** The explanation as one JSON object: the same sections, times in RFC 3339. */
export function explanationJson(explanation: SessionExplanation, listed: ListedSession): Record<string, unknown> {
  const { session, process: proc, sessionFile, transcript, reading, classification, signals } = explanation;
  return {
    pid: proc.pid,
    session_id: session.sessionId,
    state: classification.state,
    reason: classification.reason,
    ...iso('since', classification.since),
    rule: classification.rule,
    rule_says: CLASSIFICATION_RULES[classification.rule],
    preview: session.preview,
    process: {
      pid: proc.pid,
      ppid: proc.ppid,
      started_at: proc.startedAt.toISOString(),
      argv: proc.argv,
      cwd: proc.cwd,
      uid: proc.uid,
      build: proc.build,
      ...(proc.exe !== undefined ? { exe: proc.exe } : {}),
      resume_flags: proc.resumeFlags,
      ...(proc.sessionIdHint !== undefined ? { session_id_hint: proc.sessionIdHint } : {}),
      ...iso('resumed_at', signals.resumedAt),
      ...iso('startup_dialog_since', signals.startupDialogSince),
      ...optional('tool_process', signals.toolProcess),
    },
    sessions_file: sessionFile.found
      ? {
          found: true,
          path: sessionFile.path,
          ...optional('status', sessionFile.file.status),
          ...optional('waiting_for', sessionFile.file.waitingFor),
          ...iso('status_updated_at', sessionFile.file.statusUpdatedAt),
          ...iso('started_at', sessionFile.file.startedAt),
          ...optional('session_id', sessionFile.file.sessionId),
          ...optional('version', sessionFile.file.version),
          ...optional('kind', sessionFile.file.kind),
          ...optional('job_id', sessionFile.file.backgroundJob),
          ...optional('tmux_pane', sessionFile.file.tmuxPane),
        }
      : { found: false, path: sessionFile.path, why: sessionFile.why },
    transcript: {
      matched_by: transcript.match?.kind ?? 'none',
      how: transcript.how,
      ...optional('path', transcript.path),
      ...(transcript.sizeBytes !== undefined ? { size_bytes: transcript.sizeBytes } : {}),
      ...iso('modified_at', transcript.modifiedAt),
      ...(transcript.truncated !== undefined ? { truncated: transcript.truncated } : {}),
      ...iso('last_activity', transcript.lastActivity),
      records: transcript.records.map(recordJson),
    },
    transcript_says:
      reading === undefined
        ? null
        : {
            state: reading.verdict.state,
            reason: reading.verdict.reason,
            ...iso('since', reading.verdict.since),
            deciding_record: reading.deciding === undefined ? null : recordJson(reading.deciding),
            ...optional('pending_tool', reading.pendingTool),
            ...iso('compacted_at', reading.compactedAt),
            ...(reading.retry !== undefined ? { api_retry: { attempt: reading.retry.attempt ?? null, max_retries: reading.retry.maxRetries ?? null } } : {}),
            api_attempts: reading.attempts,
            background: {
              shells: reading.background.shells,
              agents: reading.background.agents,
              running: reading.background.running.map((task) => ({
                kind: task.kind,
                tool_use_id: task.toolUseId,
                ...iso('launched_at', task.at),
                ...optional('tool', task.tool),
                ...optional('what', task.what),
              })),
              agents_at_turn_end: reading.background.agentsAtTurnEnd,
            },
          },
    vmuxd: listed.source === 'daemon' ? { running: true, serves: listed.session } : { running: false, scanned: listed.session },
  };
}

function recordJson(record: RecordSummary): Record<string, unknown> {
  return { kind: record.kind, ...iso('at', record.at), tools: record.tools, notes: record.notes };
}

function iso(key: string, date: Date | undefined): Record<string, string> {
  return date === undefined ? {} : { [key]: date.toISOString() };
}

function optional(key: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [key]: value };
}

const BUILD_WORDS = {
  native: 'native executable',
  node: 'Node build (2.1.100 and older)',
  other: 'neither the native executable nor a JS runtime: a launcher, or a client vmux does not know',
} as const;

/** Everything shown comes from outside (argv, paths, transcripts, the sessions file). */
function clean(text: string): string {
  return stripControlSequences(text);
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

function localClock(date: Date): string {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function localTime(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${localClock(date)}`;
}
