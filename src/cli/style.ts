import { styleText } from 'node:util';

type Style = 'bold' | 'dim' | 'yellow' | 'green' | 'red' | 'cyan';

/** The few styles the CLI uses; a plain palette returns text unchanged. */
export type Palette = Readonly<Record<Style, (text: string) => string>>;

// The caller has already decided colour is wanted (see wantsColor), for whichever stream it writes.
const colored = (style: Style) => (text: string): string => styleText(style, text, { validateStream: false });
const plain = (text: string): string => text;

const COLORED: Palette = {
  bold: colored('bold'),
  dim: colored('dim'),
  yellow: colored('yellow'),
  green: colored('green'),
  red: colored('red'),
  cyan: colored('cyan'),
};
const PLAIN: Palette = { bold: plain, dim: plain, yellow: plain, green: plain, red: plain, cyan: plain };

export function palette(enabled: boolean): Palette {
  return enabled ? COLORED : PLAIN;
}
