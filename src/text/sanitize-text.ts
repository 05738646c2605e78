/**
 * Terminal escape sequences: CSI (`ESC [` … final byte), OSC (`ESC ]` … BEL or ST), the string
 * sequences DCS/SOS/PM/APC (`ESC P|X|^|_` … ST), their 8-bit C1 forms, and two-byte escapes.
 * An unterminated string sequence runs to the end of the text, as a terminal would swallow it.
 */
const ESCAPE_SEQUENCE =
  /\x1b\[[0-?]*[ -/]*[@-~]?|\x9b[0-?]*[ -/]*[@-~]?|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[\s\S]*?(?:\x07|\x1b\\|\x9c|$)|\x1b[ -/]*[0-~]?/g;

/** C0 and C1 control characters and DEL: each stands between words (a tab, a newline, NEL). */
const CONTROL_CHARACTER = /[\x00-\x1f\x7f-\x9f]/g;

/**
 * The invisible characters that reorder what is shown around them: the bidirectional marks
 * (ALM U+061C, LRM U+200E, RLM U+200F), embeddings and overrides (U+202A–U+202E) and isolates
 * (U+2066–U+2069). A folder name holding U+202E shows its end first.
 */
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes untrusted text (folder names, branches, transcripts, labels, window titles, paths)
 * safe to print on a terminal: escape sequences and bidirectional controls are removed, and
 * every other control character becomes a space.
 */
export function stripControlSequences(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(BIDI_CONTROL, '').replace(CONTROL_CHARACTER, ' ');
}

/** A message of several lines (a list of candidates) made safe to print, its line breaks kept. */
export function printableLines(text: string): string {
  return text.split('\n').map(stripControlSequences).join('\n');
}

/** Code points that continue the character before them: combining marks, joiners, variation selectors. */
const CONTINUES_CHARACTER = /^[\p{M}\u200c\u200d\ufe00-\ufe0f\u{e0020}-\u{e007f}\u{1f3fb}-\u{1f3ff}]$/u;
const REGIONAL_INDICATOR = /^[\u{1f1e6}-\u{1f1ff}]$/u;

/**
 * One printable line of at most `max` characters: control sequences stripped, whitespace
 * collapsed, cut with `…` where no character is split: not between a letter and its accents,
 * inside an emoji sequence, or between the two halves of a flag.
 */
export function oneLine(text: string, max: number): string {
  const line = stripControlSequences(text).replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const points = Array.from(line);
  if (points.length <= max) return line;
  let cut = max - 1;
  while (cut > 0 && (CONTINUES_CHARACTER.test(points[cut] ?? '') || points[cut - 1] === '\u200d')) cut--;
  let flagHalves = 0;
  while (REGIONAL_INDICATOR.test(points[cut - 1 - flagHalves] ?? '')) flagHalves++;
  if (flagHalves % 2 === 1) cut--;
  return `${points.slice(0, cut).join('').trimEnd()}…`;
}

/**
 * A piece of someone's input echoed back in an error: every control character (bidirectional
 * ones too) shown as `?` (so the reader sees something was there), cut to `max` characters.
 */
export function echoInput(text: string, max = Number.POSITIVE_INFINITY): string {
  const clean = text.replace(CONTROL_CHARACTER, '?').replace(BIDI_CONTROL, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
