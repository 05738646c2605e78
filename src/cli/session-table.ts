import { basename } from 'node:path';
import type { SessionInfo } from '../protocol/session-info.js';
import type { SessionState } from '../session-state.js';
import { formatAge } from '../transcript/format-age.js';
import { printableLine } from '../text/sanitize-text.js';
import type { Palette } from './style.js';

/** A state as people read it. */
export const STATE_LABEL: Readonly<Record<SessionState, string>> = {
  needs_input: 'needs input',
  working: 'working',
  idle: 'idle',
  unknown: 'unknown',
};

/** Marks a session that needs you and that you have not looked at yet. */
export const UNSEEN_MARK = '●';

/** A session's state in words, marked when it is unseen: how every list, picker and launcher names it. */
export function stateWords(session: Pick<SessionInfo, 'state' | 'unseen'>): string {
  return session.unseen ? `${STATE_LABEL[session.state]} ${UNSEEN_MARK}` : STATE_LABEL[session.state];
}

/** Columns never shrink below these, so a narrow terminal still shows something of each. */
const MIN_PREVIEW_WIDTH = 20;
const MAX_NAME_WIDTH = 32;
const MAX_REASON_WIDTH = 32;

export interface TableOptions {
  readonly now: Date;
  readonly palette: Palette;
  /** Terminal width; undefined when not on a terminal (nothing is cut then). */
  readonly columns?: number;
}

/**
 * The human listing: state, label or folder, branch, workspace (when any is known), waiting
 * time, why (the reason for the state), preview. Every cell is stripped of control sequences: labels and previews come from
 * users and transcripts.
 */
export function renderSessionTable(sessions: readonly SessionInfo[], options: TableOptions): string {
  if (sessions.length === 0) return 'No Claude Code sessions running.\n';
  const withWorkspace = sessions.some((s) => s.workspace !== '');
  const header = ['STATE', 'SESSION', 'BRANCH', ...(withWorkspace ? ['WORKSPACE'] : []), 'WAITING', 'WHY', 'PREVIEW'];
  const rows = sessions.map((s) => [
    stateWords(s),
    truncate(printableLine(`${s.label || basename(s.cwd) || s.cwd}${s.background_job !== undefined ? ' (bg)' : ''}`), MAX_NAME_WIDTH),
    printableLine(s.git_branch),
    ...(withWorkspace ? [printableLine(s.workspace)] : []),
    s.waiting_since ? formatAge(options.now.getTime() - Date.parse(s.waiting_since), 'compact') : '',
    truncate(printableLine(s.reason), MAX_REASON_WIDTH),
    printableLine(s.preview),
  ]);
  const widths = header.map((title, i) => Math.max(width(title), ...rows.map((row) => width(row[i] ?? ''))));
  const last = header.length - 1;
  if (options.columns !== undefined) {
    const used = widths.slice(0, last).reduce((sum, w) => sum + w + 2, 0);
    widths[last] = Math.max(MIN_PREVIEW_WIDTH, Math.min(widths[last] ?? 0, options.columns - used));
  }
  const { palette: p } = options;
  const lines = [formatRow(header, widths).map((cell) => p.bold(cell)).join('  ').trimEnd()];
  sessions.forEach((session, index) => {
    const cells = formatRow(rows[index] ?? [], widths);
    cells[0] = colorState(session.state, cells[0] ?? '', p);
    lines.push(cells.join('  ').trimEnd());
  });
  return `${lines.join('\n')}\n`;
}

function formatRow(cells: readonly string[], widths: readonly number[]): string[] {
  return widths.map((w, i) => pad(truncate(cells[i] ?? '', w), w));
}

function colorState(state: SessionState, cell: string, p: Palette): string {
  switch (state) {
    case 'needs_input':
      return p.bold(p.yellow(cell));
    case 'working':
      return p.green(cell);
    case 'idle':
      return p.dim(cell);
    case 'unknown':
      return p.red(cell);
  }
}

/** Width in code points; good enough for a terminal table and never splits a character. */
function width(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function truncate(text: string, max: number): string {
  if (width(text) <= max) return text;
  return `${[...text].slice(0, Math.max(0, max - 1)).join('')}…`;
}

function pad(text: string, size: number): string {
  return text + ' '.repeat(Math.max(0, size - width(text)));
}
