import type { EventTypeName } from './message-types.js';
import { expectObject, expectString } from './reply-shape.js';
import { parseTree, type WmNode } from './wm-tree.js';

/** A container opened, closed, got focus, moved, was retitled, … (`change` says which). */
export interface WmWindowEvent {
  readonly type: 'window';
  readonly change: string;
  readonly container: WmNode;
}

/** A workspace was focused, created, emptied, renamed, … `old` is set on focus changes. */
export interface WmWorkspaceEvent {
  readonly type: 'workspace';
  readonly change: string;
  readonly current: WmNode | null;
  readonly old: WmNode | null;
}

/** Events vmux does not read field by field: the parsed JSON as the WM sent it. */
export interface WmOtherEvent {
  readonly type: Exclude<EventTypeName, 'window' | 'workspace'>;
  readonly payload: unknown;
}

export type WmEvent = WmWindowEvent | WmWorkspaceEvent | WmOtherEvent;

export function parseEvent(type: EventTypeName, raw: unknown): WmEvent {
  const what = `${type} event`;
  switch (type) {
    case 'window': {
      const object = expectObject(raw, what, 'the event');
      return { type, change: expectString(object, 'change', what, 'the event'), container: parseTree(object['container'], what, 'container') };
    }
    case 'workspace': {
      const object = expectObject(raw, what, 'the event');
      return {
        type,
        change: expectString(object, 'change', what, 'the event'),
        current: readOptionalNode(object['current'], what, 'current'),
        old: readOptionalNode(object['old'], what, 'old'),
      };
    }
    default:
      return { type, payload: raw };
  }
}

function readOptionalNode(raw: unknown, what: string, where: string): WmNode | null {
  return raw === null || raw === undefined ? null : parseTree(raw, what, where);
}
