/*
 * The output of a tmux control-mode client (`tmux -C`), as lines: no I/O here. tmux writes one
 * line per notification (`%window-pane-changed @1 %3`), and wraps the output of every command in
 * `%begin <time> <number> <flags>` … `%end`/`%error` with the same time and number; notifications
 * never come between those two lines. `%exit [reason]` is the last line before the client quits.
 */

/** What one complete line (or block of lines) of control-mode output says. */
export type ControlModeEvent =
  /**
   * The output of one command. `fromThisClient` (flags 1) marks the commands written to this
   * client's stdin, in the order they were written; the command the client was started with
   * (`attach-session`) answers with flags 0.
   */
  | { readonly kind: 'reply'; readonly number: number; readonly fromThisClient: boolean; readonly ok: boolean; readonly lines: readonly string[] }
  /** `%name args…`: `name` without the `%`, `args` the rest of the line as tmux wrote it. */
  | { readonly kind: 'notification'; readonly name: string; readonly args: string }
  /** `%exit`: the client detaches (`reason` is tmux's, possibly empty). */
  | { readonly kind: 'exit'; readonly reason: string };

/** A reply longer than this is not tmux answering vmux's queries: its lines are dropped, and it fails. */
const MAX_REPLY_CHARS = 1024 * 1024;

const BLOCK_LINE = /^%(begin|end|error) ([0-9]+) ([0-9]+) ([0-9]+)$/;

interface OpenBlock {
  readonly time: string;
  readonly number: number;
  readonly flags: number;
  readonly lines: string[];
  chars: number;
  overflowed: boolean;
}

/**
 * Turns control-mode output into events. Feed it text as it arrives (decoded UTF-8, any
 * chunking); it keeps a partial last line for the next chunk. A line that is not a notification
 * outside a block, or an `%end` that does not close the open block, is ignored: tmux writes
 * neither, and vmux must not trust a stream more than its shape.
 */
export class ControlModeParser {
  #partial = '';
  #block: OpenBlock | undefined;

  push(text: string): ControlModeEvent[] {
    const events: ControlModeEvent[] = [];
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop() ?? '';
    if (this.#partial.length > MAX_REPLY_CHARS) this.#partial = '';
    for (const line of lines) {
      const event = this.#line(line);
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  #line(line: string): ControlModeEvent | undefined {
    const block = this.#block;
    const marker = BLOCK_LINE.exec(line);
    if (block !== undefined) {
      if (marker !== null && marker[1] !== 'begin' && marker[2] === block.time && Number(marker[3]) === block.number) {
        this.#block = undefined;
        return {
          kind: 'reply',
          number: block.number,
          fromThisClient: (block.flags & 1) === 1,
          ok: marker[1] === 'end' && !block.overflowed,
          lines: block.lines,
        };
      }
      block.chars += line.length + 1;
      if (block.chars > MAX_REPLY_CHARS) {
        block.overflowed = true;
        block.lines.length = 0;
      } else if (!block.overflowed) {
        block.lines.push(line);
      }
      return undefined;
    }
    if (marker !== null) {
      if (marker[1] === 'begin' && marker[2] !== undefined) {
        this.#block = { time: marker[2], number: Number(marker[3]), flags: Number(marker[4]), lines: [], chars: 0, overflowed: false };
      }
      return undefined;
    }
    const notification = /^%([a-z][a-z-]*)(?: (.*))?$/.exec(line);
    if (notification?.[1] === undefined) return undefined;
    if (notification[1] === 'exit') return { kind: 'exit', reason: notification[2] ?? '' };
    return { kind: 'notification', name: notification[1], args: notification[2] ?? '' };
  }
}

/**
 * One command line for a control client's stdin, which tmux parses like its configuration file.
 * Every word is single-quoted; a word with a quote or a line break cannot be written that way and
 * is refused. Only constant words and ids tmux reported ever reach it.
 */
export function controlCommandLine(words: readonly string[]): string {
  for (const word of words) {
    if (/['\n\r]/.test(word)) throw new TypeError(`not a word for a tmux control client: ${JSON.stringify(word)}`);
  }
  return `${words.map((word) => `'${word}'`).join(' ')}\n`;
}
