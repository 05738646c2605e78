import { basename } from 'node:path';
import type { SessionInfo } from '../protocol/session-info.js';
import { oneLine } from '../text/sanitize-text.js';
import type { Palette } from './style.js';
import { stateWords } from './session-table.js';

/** What the picker shows and where its cursor is. */
export interface PickerState {
  readonly sessions: readonly SessionInfo[];
  readonly filter: string;
  /** Index into the filtered list. */
  readonly selected: number;
}

/** A key, decoded from what a terminal in raw mode sends. */
export type PickerKey =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'up' | 'down' | 'backspace' | 'enter' | 'cancel' };

export type PickerStep =
  | { readonly kind: 'continue'; readonly state: PickerState }
  | { readonly kind: 'chosen'; readonly session: SessionInfo }
  | { readonly kind: 'cancelled' };

/** Keys in one chunk of terminal input; unknown sequences are dropped. */
export function decodeKeys(chunk: string): PickerKey[] {
  const keys: PickerKey[] = [];
  for (let i = 0; i < chunk.length; ) {
    const rest = chunk.slice(i);
    const arrow = /^\u001b[[O]([AB])/.exec(rest);
    if (arrow) {
      keys.push({ kind: arrow[1] === 'A' ? 'up' : 'down' });
      i += arrow[0].length;
      continue;
    }
    const other = /^\u001b[[O][0-9;]*[~A-Za-z]/.exec(rest);
    if (other) {
      i += other[0].length;
      continue;
    }
    const char = rest.codePointAt(0) ?? 0;
    const width = char > 0xffff ? 2 : 1;
    if (char === 0x1b || char === 0x03 || char === 0x07) keys.push({ kind: 'cancel' });
    else if (char === 0x0d || char === 0x0a) keys.push({ kind: 'enter' });
    else if (char === 0x7f || char === 0x08) keys.push({ kind: 'backspace' });
    else if (char === 0x10) keys.push({ kind: 'up' });
    else if (char === 0x0e) keys.push({ kind: 'down' });
    else if (char >= 0x20) keys.push({ kind: 'text', text: String.fromCodePoint(char) });
    i += width;
  }
  return keys;
}

/** Sessions holding every word of the filter in their PID, state, label, folder, branch, why or preview. */
export function filterSessions(sessions: readonly SessionInfo[], filter: string): SessionInfo[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...sessions];
  return sessions.filter((s) => {
    const haystack = [String(s.pid), s.state, s.label ?? '', s.cwd, s.git_branch, s.reason, s.preview].join(' ').toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

/** One key applied to the picker: a pure step, so the picker's behaviour is tested without a terminal. */
export function pickerStep(state: PickerState, key: PickerKey): PickerStep {
  const visible = filterSessions(state.sessions, state.filter);
  switch (key.kind) {
    case 'cancel':
      return { kind: 'cancelled' };
    case 'enter': {
      const session = visible[state.selected];
      return session === undefined ? { kind: 'continue', state } : { kind: 'chosen', session };
    }
    case 'up':
      return { kind: 'continue', state: { ...state, selected: Math.max(0, state.selected - 1) } };
    case 'down':
      return { kind: 'continue', state: { ...state, selected: Math.min(Math.max(0, visible.length - 1), state.selected + 1) } };
    case 'backspace':
      return { kind: 'continue', state: { ...state, filter: [...state.filter].slice(0, -1).join(''), selected: 0 } };
    case 'text':
      return { kind: 'continue', state: { ...state, filter: state.filter + key.text, selected: 0 } };
  }
}

/** The picker's screen: a prompt with the filter, then one line per matching session, cut to the terminal. */
export function renderPicker(state: PickerState, size: { columns: number; rows: number }, palette: Palette): string {
  const visible = filterSessions(state.sessions, state.filter);
  const lines = [`vmux › ${oneLine(state.filter, Math.max(1, size.columns - 8))}`];
  const room = Math.max(1, size.rows - 2);
  // Keep the selection on screen when the list is longer than the terminal.
  const first = Math.max(0, Math.min(state.selected - room + 1, visible.length - room));
  visible.slice(first, first + room).forEach((session, offset) => {
    const index = first + offset;
    const cells = [stateWords(session).padEnd(13), oneLine(session.label || basename(session.cwd), 24), oneLine(session.reason, 30), oneLine(session.preview, 100)];
    const text = [...`${index === state.selected ? '›' : ' '} ${cells.join('  ')}`].slice(0, size.columns).join('');
    lines.push(index === state.selected ? palette.bold(text) : text);
  });
  if (visible.length === 0) lines.push(palette.dim('  no session matches'));
  return lines.join('\n');
}
