/**
 * Clicks on a persistent i3blocks block. i3blocks 1.5 writes each click on the block's stdin: a
 * JSON object (`{"button":1,…}`) with `format=json`, the button number alone otherwise.
 * (i3blocks 1.4 sends a persistent block no clicks at all.)
 */

/** What a click asks for: go to the next session, or choose one in the launcher. */
export type BarClick = 'next' | 'pick';

/** i3bar's button numbers: 1 left, 3 right (2 middle, 4/5 the wheel: nothing). */
const LEFT_BUTTON = 1;
const RIGHT_BUTTON = 3;

/** The action of one line of click input; undefined for any other button or anything unreadable. */
export function clickOf(line: string): BarClick | undefined {
  const button = buttonOf(line.trim());
  if (button === LEFT_BUTTON) return 'next';
  if (button === RIGHT_BUTTON) return 'pick';
  return undefined;
}

function buttonOf(line: string): number | undefined {
  if (/^\d+$/.test(line)) return Number(line);
  if (!line.startsWith('{')) return undefined;
  try {
    const click: unknown = JSON.parse(line);
    if (typeof click !== 'object' || click === null) return undefined;
    // i3blocks sends every value of the block, the button as a string or a number.
    const button = (click as { button?: unknown }).button;
    if (typeof button === 'number') return button;
    if (typeof button === 'string' && /^\d+$/.test(button)) return Number(button);
  } catch {
    // Not JSON: not a click.
  }
  return undefined;
}
