/**
 * Terminal escape sequences: CSI (`ESC [` … final byte), OSC (`ESC ]` … BEL or ST), the string
 * sequences DCS/SOS/PM/APC (`ESC P|X|^|_` … ST), their 8-bit C1 forms, and two-byte escapes.
 * An unterminated string sequence runs to the end of the text, as a terminal would swallow it.
 */
const ESCAPE_SEQUENCE =
  /\x1b\[[0-?]*[ -/]*[@-~]?|\x9b[0-?]*[ -/]*[@-~]?|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[\s\S]*?(?:\x07|\x1b\\|\x9c|$)|\x1b[ -/]*[0-~]?/g;

/** C0 and C1 control characters, DEL, and the bidirectional overrides that reorder what is shown. */
const CONTROL_CHARACTER = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes untrusted text (transcripts, labels, window titles) safe to print on a terminal:
 * escape sequences are removed and every other control character becomes a space.
 */
export function stripControlSequences(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL_CHARACTER, ' ');
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
 * A piece of someone's input echoed back in an error: every control character shown as `?` (so
 * the reader sees something was there), cut to `max` characters.
 */
export function echoInput(text: string, max = Number.POSITIVE_INFINITY): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
