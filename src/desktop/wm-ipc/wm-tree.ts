import { expectArray, expectInteger, expectObject, isObject, malformed, readFlag, readOptionalInteger, readOptionalString, type JsonObject } from './reply-shape.js';

/** The container types i3 and sway document; anything newer reads as `other`. */
export type WmNodeType = 'root' | 'output' | 'con' | 'floating_con' | 'workspace' | 'dockarea';

const NODE_TYPES: ReadonlySet<string> = new Set<WmNodeType>(['root', 'output', 'con', 'floating_con', 'workspace', 'dockarea']);

/** The X11 properties i3 (and sway, for Xwayland windows) report for a window. */
export interface WmWindowProperties {
  readonly class?: string;
  readonly instance?: string;
  readonly title?: string;
}

/** One container of the layout tree: only the fields vmux reads, named as on the wire. */
export interface WmNode {
  /** The WM's container id, what `[con_id=N]` addresses. */
  readonly id: number;
  /** Window title for windows, workspace or output name for those; null on some i3 containers. */
  readonly name: string | null;
  readonly type: WmNodeType | 'other';
  readonly focused: boolean;
  readonly urgent: boolean;
  /** sway: PID of the client that owns the view. i3 never sends it. */
  readonly pid?: number;
  /** X11 window id (i3; sway only for Xwayland windows). Absent or null for non-windows. */
  readonly window?: number | null;
  /** sway: the Wayland app id of a native view. */
  readonly app_id?: string | null;
  readonly window_properties?: WmWindowProperties;
  /** Workspaces: their number (i3 sends -1 for a workspace whose name has none). */
  readonly num?: number;
  /** Ids of the children, most recently focused first. */
  readonly focus: readonly number[];
  readonly nodes: readonly WmNode[];
  readonly floating_nodes: readonly WmNode[];
}

const WHAT = 'GET_TREE reply';

/** No real layout is anywhere near this deep; a reply that is can only be garbage. */
const MAX_TREE_DEPTH = 256;

/** Checks and narrows a GET_TREE reply (or a window event's `container`). */
export function parseTree(raw: unknown, what = WHAT, where = 'tree'): WmNode {
  return parseNode(raw, what, where, 0);
}

function parseNode(raw: unknown, what: string, where: string, depth: number): WmNode {
  if (depth > MAX_TREE_DEPTH) throw malformed(what, `the tree is more than ${MAX_TREE_DEPTH} levels deep`);
  const object = expectObject(raw, what, where);
  const id = expectInteger(object, 'id', what, where);
  const here = `${where}[id=${id}]`;
  const name = object['name'];
  const type = object['type'];
  const node: WmNode = {
    id,
    name: typeof name === 'string' ? name : null,
    type: typeof type === 'string' && NODE_TYPES.has(type) ? (type as WmNodeType) : 'other',
    focused: readFlag(object, 'focused'),
    urgent: readFlag(object, 'urgent'),
    ...optional('pid', readOptionalInteger(object, 'pid')),
    ...optional('window', readWindow(object)),
    ...optional('app_id', readAppId(object)),
    ...optional('window_properties', readWindowProperties(object)),
    ...optional('num', readOptionalInteger(object, 'num')),
    focus: readIds(object, 'focus'),
    nodes: readChildren(object, 'nodes', what, here, depth),
    floating_nodes: readChildren(object, 'floating_nodes', what, here, depth),
  };
  return node;
}

/** `{ key: value }` when there is a value, `{}` when not, so absent fields stay absent. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

function readWindow(object: JsonObject): number | null | undefined {
  const value = object['window'];
  if (value === null) return null;
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

function readAppId(object: JsonObject): string | null | undefined {
  const value = object['app_id'];
  return value === null ? null : typeof value === 'string' ? value : undefined;
}

function readWindowProperties(object: JsonObject): WmWindowProperties | undefined {
  const value = object['window_properties'];
  if (!isObject(value)) return undefined;
  return {
    ...optional('class', readOptionalString(value, 'class')),
    ...optional('instance', readOptionalString(value, 'instance')),
    ...optional('title', readOptionalString(value, 'title')),
  };
}

function readIds(object: JsonObject, key: string): number[] {
  const value = object[key];
  if (!Array.isArray(value)) return [];
  return value.filter((id): id is number => typeof id === 'number' && Number.isSafeInteger(id));
}

function readChildren(object: JsonObject, key: string, what: string, where: string, depth: number): WmNode[] {
  // Leaf containers of some i3 versions leave the lists out: absent reads as empty.
  if (object[key] === undefined) return [];
  const list = expectArray(object[key], what, `${where}.${key}`);
  return list.map((child, index) => parseNode(child, what, `${where}.${key}[${index}]`, depth + 1));
}

/** A node and the workspace that holds it (undefined above the workspaces and in dock areas). */
export interface PlacedNode {
  readonly node: WmNode;
  readonly workspace: WmNode | undefined;
}

/** Every node of the tree, tiled and floating, each with its workspace; parents before children. */
export function* walkTree(root: WmNode): Generator<PlacedNode> {
  const stack: PlacedNode[] = [{ node: root, workspace: root.type === 'workspace' ? root : undefined }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    yield item;
    const children = [...item.node.nodes, ...item.node.floating_nodes];
    for (let index = children.length - 1; index >= 0; index--) {
      const child = children[index] as WmNode;
      stack.push({ node: child, workspace: child.type === 'workspace' ? child : item.workspace });
    }
  }
}

/** The container with the focus: a window, or an empty workspace (which shows no session). */
export function focusedWindowIn(node: WmNode): number | undefined {
  if (node.focused) return node.id;
  for (const child of [...node.nodes, ...node.floating_nodes]) {
    const found = focusedWindowIn(child);
    if (found !== undefined) return found;
  }
  return undefined;
}
