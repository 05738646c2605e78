/**
 * Every i3/sway IPC message and event type in one place (i3's docs/ipc, sway-ipc(7)). `swayOnly`
 * marks the ones i3 does not know: sending them to i3 gets an error reply, not a hang.
 */
export const MESSAGE_TYPES = {
  /** Runs the payload as WM commands. vmux only ever sends `[con_id=N] focus` (see wm-command.ts). */
  RUN_COMMAND: { code: 0, swayOnly: false },
  GET_WORKSPACES: { code: 1, swayOnly: false },
  /** Turns the connection into an event stream: done on a connection of its own. */
  SUBSCRIBE: { code: 2, swayOnly: false },
  GET_OUTPUTS: { code: 3, swayOnly: false },
  GET_TREE: { code: 4, swayOnly: false },
  GET_MARKS: { code: 5, swayOnly: false },
  GET_BAR_CONFIG: { code: 6, swayOnly: false },
  GET_VERSION: { code: 7, swayOnly: false },
  GET_BINDING_MODES: { code: 8, swayOnly: false },
  GET_CONFIG: { code: 9, swayOnly: false },
  SEND_TICK: { code: 10, swayOnly: false },
  SYNC: { code: 11, swayOnly: false },
  GET_BINDING_STATE: { code: 12, swayOnly: false },
  // sway only
  GET_INPUTS: { code: 100, swayOnly: true },
  GET_SEATS: { code: 101, swayOnly: true },
} as const satisfies Record<string, { readonly code: number; readonly swayOnly: boolean }>;

/**
 * Event types, by the name used in a SUBSCRIBE payload. On the wire an event's type is
 * `code | EVENT_BIT`; the codec strips the bit, so these are the bare codes.
 */
export const EVENT_TYPES = {
  workspace: { code: 0, swayOnly: false },
  /** i3, and newer sway (sway 1.7's manual does not list it). */
  output: { code: 1, swayOnly: false },
  mode: { code: 2, swayOnly: false },
  window: { code: 3, swayOnly: false },
  barconfig_update: { code: 4, swayOnly: false },
  binding: { code: 5, swayOnly: false },
  shutdown: { code: 6, swayOnly: false },
  tick: { code: 7, swayOnly: false },
  // sway only
  bar_state_update: { code: 0x14, swayOnly: true },
  input: { code: 0x15, swayOnly: true },
} as const satisfies Record<string, { readonly code: number; readonly swayOnly: boolean }>;

export type MessageTypeName = keyof typeof MESSAGE_TYPES;
export type MessageTypeCode = (typeof MESSAGE_TYPES)[MessageTypeName]['code'];
export type EventTypeName = keyof typeof EVENT_TYPES;
export type EventTypeCode = (typeof EVENT_TYPES)[EventTypeName]['code'];

/** The high bit of the type field: set on events, clear on replies. */
export const EVENT_BIT = 0x8000_0000;

/** The type field of an event on the wire (`>>> 0`: JavaScript's `|` would make it negative). */
export function eventWireType(code: number): number {
  return (EVENT_BIT | code) >>> 0;
}

const messageNames = new Map<number, MessageTypeName>(
  (Object.keys(MESSAGE_TYPES) as MessageTypeName[]).map((name) => [MESSAGE_TYPES[name].code, name]),
);
const eventNames = new Map<number, EventTypeName>(
  (Object.keys(EVENT_TYPES) as EventTypeName[]).map((name) => [EVENT_TYPES[name].code, name]),
);

/** The name of a reply or message type code, or undefined for a code no WM documents. */
export function messageTypeName(code: number): MessageTypeName | undefined {
  return messageNames.get(code);
}

/** The name of an event code (without the event bit), or undefined for a code no WM documents. */
export function eventTypeName(code: number): EventTypeName | undefined {
  return eventNames.get(code);
}

/** For messages: `GET_TREE (4)`, or `type 77` for a code outside the table. */
export function describeMessageType(code: number): string {
  const name = messageTypeName(code);
  return name === undefined ? `type ${code}` : `${name} (${code})`;
}
