/**
 * What `JSON.stringify` leaves raw but a terminal may act on or reorder: DEL, the C1 controls
 * (U+0080–U+009F: U+009B is CSI, U+009D is OSC), the bidirectional controls, and the line and
 * paragraph separators. JSON.stringify already escapes C0 (ESC becomes `\u001b`).
 */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON that is plain text: those characters are written as `\uXXXX` escapes, so `vmux list
 * --json` and vmuxd's answers can be shown on a terminal without driving it, and a program
 * parsing them still gets every string exactly (a folder's real name, to `cd` into). They can
 * only occur inside strings, where an escape means the same character.
 */
export function printableJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(RAW_IN_JSON, unicodeEscape);
}

/**
 * JSON in ASCII: every other character written as a `\uXXXX` escape (a pair of them beyond
 * U+FFFF). For a file vmux reads back: one character outside ASCII makes V8 hold the whole text
 * read from it two bytes a character, twice the memory to fill and slower to parse.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[^\x00-\x7f]/g, unicodeEscape);
}

function unicodeEscape(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
