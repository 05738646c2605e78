import { assertNever } from '../../assert-never.js';
import { WmRefusedError } from '../../errors.js';
import { expectArray, expectObject, isObject, malformed, readOptionalString } from './reply-shape.js';

/**
 * The commands vmux sends, as data. Text for RUN_COMMAND is only ever made here, from numbers
 * checked here: a label, query, title or path has no way into a WM command.
 */
export type WmCommand =
  /** Focus a container of the tree. */
  | { readonly kind: 'focus'; readonly conId: number }
  /** Focus the window with this X11 id (i3's `id` criterion; sway's, for Xwayland windows). */
  | { readonly kind: 'focus-window'; readonly windowId: number };

/** The WM command line for `command`; a RangeError for an id that is not a positive safe integer. */
export function renderCommand(command: WmCommand): string {
  switch (command.kind) {
    case 'focus':
      return `[con_id=${checkId(command.conId, 'a container id')}] focus`;
    case 'focus-window':
      return `[id=${checkId(command.windowId, 'an X11 window id')}] focus`;
    default:
      return assertNever(command);
  }
}

function checkId(id: number, what: string): number {
  // `typeof` too: a caller without types could pass the string "1] exec …".
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    throw new RangeError(`${what} is a positive integer, not ${String(id)}`);
  }
  return id;
}

/** What the WM said about one command of a RUN_COMMAND payload. */
export interface CommandOutcome {
  readonly success: boolean;
  readonly error?: string;
  /** The WM could not parse the command (as opposed to: parsed it, and it failed). */
  readonly parse_error?: boolean;
}

const WHAT = 'RUN_COMMAND reply';

/** Reads a RUN_COMMAND reply: a list of outcomes (very old i3 sent one bare object). */
export function parseCommandReply(raw: unknown): CommandOutcome[] {
  const list = isObject(raw) ? [raw] : expectArray(raw, WHAT, 'the reply');
  return list.map((entry, index) => {
    const object = expectObject(entry, WHAT, `outcome[${index}]`);
    if (typeof object['success'] !== 'boolean') throw malformed(WHAT, `outcome[${index}].success is not a boolean`);
    const error = readOptionalString(object, 'error');
    return {
      success: object['success'],
      ...(error === undefined ? {} : { error }),
      ...(object['parse_error'] === true ? { parse_error: true } : {}),
    };
  });
}

/** Throws `WmRefusedError` unless every outcome succeeded (an empty list did nothing: refused too). */
export function checkOutcomes(commandText: string, outcomes: readonly CommandOutcome[]): void {
  const failed = outcomes.filter((outcome) => !outcome.success);
  if (outcomes.length > 0 && failed.length === 0) return;
  const reasons = failed.map((outcome) => outcome.error ?? (outcome.parse_error === true ? 'could not parse the command' : 'no reason given'));
  const said = reasons.length === 0 ? 'ran nothing' : reasons.join('; ');
  throw new WmRefusedError(`the window manager refused "${commandText}": ${said}`, reasons);
}
