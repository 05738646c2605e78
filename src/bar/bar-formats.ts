import { assertNever } from '../assert-never.js';
import { printableJson } from '../text/printable-json.js';
import { formatAge } from '../transcript/format-age.js';
import type { BarCondition, BarCounts, BarEntry, BarView } from './bar-view.js';

/**
 * A bar's picture spelt as one line for each bar, in that bar's own markup. Every piece of text
 * from outside (names, reasons) was cleaned in `barView`; here it is escaped for the markup it
 * lands in: Pango for waybar, polybar's `%{…}` tags, tmux's `#` formats, and the JSON that
 * i3blocks 1.4 reads without unescaping.
 */

export const BAR_FORMATS = ['waybar', 'i3blocks', 'polybar', 'tmux', 'json'] as const;
export type BarFormat = (typeof BAR_FORMATS)[number];

export interface BarLineOptions {
  /** Plain ASCII symbols, for fonts without ● ⏸ ⏵ ○. */
  readonly ascii: boolean;
  /** Follow the counts with the name of the session that needs you first. */
  readonly showName: boolean;
}

/** What a click on the module does: left → `vmux next`, right → the launcher's picker. */
export const CLICK_COMMANDS = { left: 'vmux next', right: 'vmux switch --dmenu' } as const;

/** The symbol of each count, and of the module with nothing to count. */
type SymbolKey = keyof BarCounts | 'empty';
const SYMBOLS: Readonly<Record<'unicode' | 'ascii', Readonly<Record<SymbolKey, string>>>> = {
  unicode: { unseen: '●', waiting: '⏸', working: '⏵', idle: '○', unknown: '?', empty: '∅' },
  ascii: { unseen: '*', waiting: '!', working: '>', idle: '-', unknown: '?', empty: '0' },
};

/** The order counts are shown in: what needs you first. */
const COUNT_ORDER: readonly (keyof BarCounts)[] = ['unseen', 'waiting', 'working', 'idle', 'unknown'];

/** What the module says while vmuxd cannot be asked. */
const DISCONNECTED_TEXT = 'no vmuxd';

/** One colour per condition and count, for the bars that take colours inline (i3blocks, polybar, tmux). */
const COLORS: Readonly<Record<BarCondition | keyof BarCounts, string>> = {
  unseen: '#ff6b6b',
  'needs-input': '#e5c07b',
  waiting: '#e5c07b',
  working: '#98c379',
  idle: '#7f848e',
  unknown: '#7f848e',
  empty: '#7f848e',
  disconnected: '#c678dd',
};

/** A tooltip longer than this many sessions says how many more there are instead. */
const MAX_TOOLTIP_ENTRIES = 25;

/** The line `format` prints for `view` (no newline). */
export function renderBarLine(view: BarView, format: BarFormat, options: BarLineOptions): string {
  switch (format) {
    case 'waybar':
      return waybarLine(view, options);
    case 'i3blocks':
      return i3blocksLine(view, options);
    case 'polybar':
      return polybarLine(view, options);
    case 'tmux':
      return tmuxLine(view, options);
    case 'json':
      return jsonLine(view, options);
    default:
      return assertNever(format);
  }
}

/** A piece of the module's text, coloured as its own state in the bars that can. */
interface TextPart {
  readonly text: string;
  readonly color: string;
  /** Text from outside (a session's name), to be escaped for the markup. */
  readonly outside: boolean;
}

function textParts(view: BarView, options: BarLineOptions): TextPart[] {
  if (view.kind === 'disconnected') return [{ text: DISCONNECTED_TEXT, color: COLORS.disconnected, outside: false }];
  const symbols = SYMBOLS[options.ascii ? 'ascii' : 'unicode'];
  const parts: TextPart[] = COUNT_ORDER.filter((key) => view.counts[key] > 0).map((key) => ({
    text: `${symbols[key]}${view.counts[key]}`,
    color: COLORS[key],
    outside: false,
  }));
  if (parts.length === 0) return [{ text: symbols.empty, color: COLORS.empty, outside: false }];
  const first = view.entries[0];
  if (options.showName && first !== undefined && first.state === 'needs_input') {
    parts.push({ text: first.name, color: first.unseen ? COLORS.unseen : COLORS.waiting, outside: true });
  }
  return parts;
}

function plainText(parts: readonly TextPart[]): string {
  return parts.map((part) => part.text).join(' ');
}

/** One line per session, most pressing first; or why there is nothing to list. */
export function tooltipLines(view: BarView, options: Pick<BarLineOptions, 'ascii'>): string[] {
  if (view.kind === 'disconnected') {
    return [view.why, 'The bar reconnects by itself once vmuxd runs (vmux service install, or vmuxd).'];
  }
  if (view.entries.length === 0) return ['No Claude Code session is running.'];
  const symbols = SYMBOLS[options.ascii ? 'ascii' : 'unicode'];
  const lines = view.entries.slice(0, MAX_TOOLTIP_ENTRIES).map((entry) => tooltipLine(entry, symbols));
  const more = view.entries.length - MAX_TOOLTIP_ENTRIES;
  if (more > 0) lines.push(`… and ${more} more (vmux list shows all)`);
  return lines;
}

function tooltipLine(entry: BarEntry, symbols: Readonly<Record<SymbolKey, string>>): string {
  const symbol = entry.state === 'needs_input' ? symbols[entry.unseen ? 'unseen' : 'waiting'] : symbols[entry.state];
  const waited = entry.waitedMs === undefined ? '' : ` (waiting ${waitedFor(entry.waitedMs)})`;
  return `${symbol} ${entry.name}${entry.reason ? ` — ${entry.reason}` : ''}${waited}`;
}

/** Minutes at most: a bar line that changed every second would be printed every second. */
function waitedFor(ms: number): string {
  return ms < 60_000 ? 'under a minute' : formatAge(ms, 'speech');
}

/** CSS classes of the module: its condition, and `needs-input` for unseen ones too, so one rule styles both. */
function waybarClasses(condition: BarCondition): string[] {
  return condition === 'unseen' ? ['needs-input', 'unseen'] : [condition];
}

/** waybar's custom module with `"return-type": "json"`; its text and tooltip are Pango markup. */
function waybarLine(view: BarView, options: BarLineOptions): string {
  return printableJson({
    text: escapePango(plainText(textParts(view, options))),
    tooltip: escapePango(tooltipLines(view, options).join('\n')),
    class: waybarClasses(view.condition),
    alt: view.condition,
  });
}

/** i3blocks with `format=json` and `interval=persist`: one JSON object per line. */
function i3blocksLine(view: BarView, options: BarLineOptions): string {
  const parts = textParts(view, options);
  const counts = parts.filter((part) => !part.outside);
  return printableJson({
    full_text: i3blocksText(plainText(parts)),
    short_text: i3blocksText(plainText(counts)),
    color: COLORS[view.condition],
    // i3blocks 1.5 passes it on to i3bar (a red block); 1.4 ignores it.
    ...(view.condition === 'unseen' ? { urgent: true } : {}),
  });
}

/**
 * polybar's `custom/script` with `tail = true`: each count in its colour, the whole module
 * clickable (left: next, right: the picker).
 */
function polybarLine(view: BarView, options: BarLineOptions): string {
  const text = textParts(view, options)
    .map((part) => `%{F${part.color}}${part.outside ? escapePolybarText(part.text) : part.text}%{F-}`)
    .join(' ');
  return `%{A1:${escapePolybarAction(CLICK_COMMANDS.left)}:}%{A3:${escapePolybarAction(CLICK_COMMANDS.right)}:}${text}%{A}%{A}`;
}

/** tmux `status-right` running `#(vmux bar --format tmux)`: styles as `#[fg=…]`, reset after each part. */
function tmuxLine(view: BarView, options: BarLineOptions): string {
  return textParts(view, options)
    .map((part) => {
      const bold = part.color === COLORS.unseen ? ',bold' : '';
      return `#[fg=${part.color}${bold}]${part.outside ? escapeTmux(part.text) : part.text}#[default]`;
    })
    .join(' ');
}

/** For scripts: the picture itself, with the text and tooltip the other bars show. */
function jsonLine(view: BarView, options: BarLineOptions): string {
  const text = plainText(textParts(view, options));
  if (view.kind === 'disconnected') {
    return printableJson({ connected: false, condition: view.condition, why: view.why, text, tooltip: tooltipLines(view, options) });
  }
  const total = COUNT_ORDER.reduce((sum, key) => sum + view.counts[key], 0);
  return printableJson({
    connected: true,
    condition: view.condition,
    counts: { ...view.counts, total },
    text,
    tooltip: tooltipLines(view, options),
    sessions: view.entries.map((entry) => ({
      name: entry.name,
      state: entry.state,
      unseen: entry.unseen,
      reason: entry.reason,
      ...(entry.waitedMs !== undefined ? { waiting_s: Math.floor(entry.waitedMs / 1000), waiting_since: entry.waitingSince } : {}),
    })),
  });
}

/** Text inside Pango markup: `&`, `<` and `>` would open entities and tags. */
export function escapePango(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Text in a polybar label: polybar 3.6 has no escape for `%{`, which opens a tag (an action that
 * runs a command; `%%{` is a `%` and then the tag), so a space goes between `%` and `{`. Not a
 * look-alike such as the full-width `％`: polybar drops a character its fonts have no glyph for,
 * and says so in its log at every redraw.
 */
export function escapePolybarText(text: string): string {
  return text.replace(/%(?=\{)/g, '% ');
}

/** A command inside `%{A1:…:}`: the tag ends at the first `:` not preceded by a backslash. */
export function escapePolybarAction(command: string): string {
  return command.replace(/:/g, '\\:');
}

/** Text in tmux's status line: tmux expands `#` formats in a job's output; `##` is a `#`. */
export function escapeTmux(text: string): string {
  return text.replace(/#/g, '##');
}

/**
 * Text for i3blocks 1.4, whose JSON reader ends a string at the first `"` and keeps backslashes
 * as they are: both are replaced by look-alikes that need no escape.
 */
export function i3blocksText(text: string): string {
  return text.replace(/"/g, '\u201d').replace(/\\/g, '\u2216');
}
