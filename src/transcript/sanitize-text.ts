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

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * One printable line of at most `max` characters: control sequences stripped, whitespace
 * collapsed, cut on a character boundary (a grapheme, so no emoji or accent is split) with `…`.
 */
export function oneLine(text: string, max: number): string {
  const line = stripControlSequences(text).replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const kept: string[] = [];
  for (const { segment } of graphemes.segment(line)) {
    if (kept.length === max) {
      kept[max - 1] = '…';
      return kept.join('').trimEnd().replace(/\s…$/, '…');
    }
    kept.push(segment);
  }
  return kept.join('');
}
