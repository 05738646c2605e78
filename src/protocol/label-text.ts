import { printableLine } from '../text/sanitize-text.js';
import { MAX_LABEL_LENGTH } from './messages.js';

/** A label as vmux stores, serves and matches it: one line of printable text. */
export function cleanLabel(text: string): string {
  return printableLine(text);
}

export type CheckedLabel = { readonly ok: true; readonly label: string } | { readonly ok: false; readonly error: string };

/** Reads as a PID: `vmux switch 4242` means process 4242. */
const LOOKS_LIKE_PID = /^[0-9]+$/;
/** Reads as a session id or the start of one (ids are hex digits and dashes). */
const LOOKS_LIKE_SESSION_ID = /^[0-9a-f-]{8,}$/i;

/**
 * The one check of a new label, for `vmux label` and vmuxd's `label` request: the text is
 * cleaned (escape sequences and bidirectional controls removed, other control characters and
 * runs of whitespace made one space, trimmed), and must then say something, fit
 * MAX_LABEL_LENGTH characters, and not read as what a query names first: a PID (only digits) or
 * a session id (8 or more hex digits and dashes). Removing a label is the caller's business.
 */
export function checkLabel(text: string): CheckedLabel {
  const label = cleanLabel(text);
  if (label === '') {
    return { ok: false, error: 'the label is empty once control characters and escape sequences are removed; give it some text' };
  }
  if ([...label].length > MAX_LABEL_LENGTH) return { ok: false, error: `label too long: at most ${MAX_LABEL_LENGTH} characters` };
  if (LOOKS_LIKE_PID.test(label)) {
    return { ok: false, error: `a label cannot be only digits: '${label}' would be read as a PID; add a word, e.g. '#${label}'` };
  }
  if (LOOKS_LIKE_SESSION_ID.test(label)) {
    return { ok: false, error: `a label cannot look like a session id: '${label}' holds only hex digits and dashes; add another character` };
  }
  return { ok: true, label };
}
