import { expectArray, expectInteger, expectObject, expectString, readFlag, readOptionalInteger } from './reply-shape.js';

/** One entry of a GET_WORKSPACES reply: only the fields vmux reads, named as on the wire. */
export interface WmWorkspace {
  /** Container id (sway and recent i3); absent from older i3. */
  readonly id?: number;
  /** The workspace number, -1 for a workspace whose name does not start with one. */
  readonly num: number;
  readonly name: string;
  readonly focused: boolean;
  readonly visible: boolean;
  readonly urgent: boolean;
  /** The output (monitor) the workspace is on. */
  readonly output: string;
}

const WHAT = 'GET_WORKSPACES reply';

export function parseWorkspaces(raw: unknown): WmWorkspace[] {
  return expectArray(raw, WHAT, 'the reply').map((entry, index) => {
    const where = `workspace[${index}]`;
    const object = expectObject(entry, WHAT, where);
    const id = readOptionalInteger(object, 'id');
    return {
      ...(id === undefined ? {} : { id }),
      num: expectInteger(object, 'num', WHAT, where),
      name: expectString(object, 'name', WHAT, where),
      focused: readFlag(object, 'focused'),
      visible: readFlag(object, 'visible'),
      urgent: readFlag(object, 'urgent'),
      output: expectString(object, 'output', WHAT, where),
    };
  });
}
