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
/** Below this, no code point continues another: most text never needs the pattern, whose first use costs milliseconds. */
const FIRST_CONTINUING = 0x300;

function continuesCharacter(point: string | undefined): boolean {
  return point !== undefined && (point.codePointAt(0) ?? 0) >= FIRST_CONTINUING && CONTINUES_CHARACTER.test(point);
}

/** Half of a flag: two regional indicators make one. */
function isRegionalIndicator(point: string | undefined): boolean {
  const code = point?.codePointAt(0);
  return code !== undefined && code >= 0x1f1e6 && code <= 0x1f1ff;
}

/**
 * One printable line of at most `max` characters: control sequences stripped, whitespace
 * collapsed, cut with `…` where no character is split: not between a letter and its accents,
 * inside an emoji sequence, or between the two halves of a flag.
 *
 * A long text (an answer of many pages) is cleaned only as far as the line can reach: what
 * follows cannot change a line cut well before it, and cleaning it all took a good part of a
 * listing's time. Text that the cleaning shrinks below the line's length is read whole.
 */
export function oneLine(text: string, max: number): string {
  const reach = 4 * max + 256;
  if (text.length > reach) {
    // The end of the head may be torn (half an escape sequence, half a surrogate pair): only its
    // last few characters, which the cut leaves out.
    const head = Array.from(printableLine(text.slice(0, reach)));
    if (head.length >= max + 8) return cutLine(head, max);
  }
  const line = printableLine(text);
  if (line.length <= max) return line;
  const points = Array.from(line);
  return points.length <= max ? line : cutLine(points, max);
}

/** One printable line, whole: control sequences stripped, whitespace collapsed (`oneLine` without the cut). */
export function printableLine(text: string): string {
  return stripControlSequences(text).replace(/\s+/g, ' ').trim();
}

/** The first characters of a line longer than `max`, with `…`, cut between whole characters. */
function cutLine(points: readonly string[], max: number): string {
  let cut = max - 1;
  while (cut > 0 && (continuesCharacter(points[cut]) || points[cut - 1] === '\u200d')) cut--;
  let flagHalves = 0;
  while (isRegionalIndicator(points[cut - 1 - flagHalves])) flagHalves++;
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
