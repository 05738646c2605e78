import { VmuxError } from '../../errors.js';

/**
 * Small readers for the JSON the WM sends. Each reply is checked for the fields vmux reads and
 * nothing else, so a newer i3 or sway that adds fields still works; a reply missing one is not
 * from a WM vmux can talk to, and says so.
 */
export type JsonObject = { readonly [key: string]: unknown };

export function malformed(what: string, detail: string): VmuxError {
  return new VmuxError(
    'WM_UNREACHABLE',
    `the window manager's ${what} is not what i3 or sway send (${detail}); is $I3SOCK/$SWAYSOCK the WM's socket?`,
  );
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, what: string, where: string): JsonObject {
  if (!isObject(value)) throw malformed(what, `${where} is not an object`);
  return value;
}

export function expectArray(value: unknown, what: string, where: string): readonly unknown[] {
  if (!Array.isArray(value)) throw malformed(what, `${where} is not a list`);
  return value;
}

/** An integer field that must be there: ids, workspace numbers, version parts. */
export function expectInteger(object: JsonObject, key: string, what: string, where: string): number {
  const value = object[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw malformed(what, `${where}.${key} is not an integer`);
  return value;
}

export function expectString(object: JsonObject, key: string, what: string, where: string): string {
  const value = object[key];
  if (typeof value !== 'string') throw malformed(what, `${where}.${key} is not a string`);
  return value;
}

/** A flag that i3 and sway always send but that reads as false when absent. */
export function readFlag(object: JsonObject, key: string): boolean {
  return object[key] === true;
}

export function readOptionalString(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

export function readOptionalInteger(object: JsonObject, key: string): number | undefined {
  const value = object[key];
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}
