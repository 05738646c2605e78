/**
 * vmux's own i3/sway IPC client, layered from the wire up:
 * - message-types: every message and event type, sway-only ones marked
 * - ipc-codec: framing (`i3-ipc` magic, uint32 length and type), a pure decoder
 * - ipc-connection: one socket, frames in and out, one end however it ends
 * - wm-socket-path: finding the socket ($SWAYSOCK, $I3SOCK, `i3`/`sway --get-socketpath`)
 * - wm-client: requests and replies, typed helpers, focusing by container id
 * - wm-subscription: events, on a connection of their own
 * - wm-tree, wm-workspaces, wm-version, wm-command, wm-events: one file per reply or message
 */
export { EVENT_TYPES, MESSAGE_TYPES, type EventTypeName, type MessageTypeName } from './message-types.js';
export { findWmSocketPath, type WmSocketAttempt, type WmSocketPath, type WmSocketSource } from './wm-socket-path.js';
export { connectToWindowManager, DEFAULT_REPLY_TIMEOUT_MS, WmClient, type RequestType, type WmClientOptions } from './wm-client.js';
export type { WmSubscription } from './wm-subscription.js';
export { walkTree, type PlacedNode, type WmNode, type WmNodeType, type WmWindowProperties } from './wm-tree.js';
export type { WmWorkspace } from './wm-workspaces.js';
export type { WmVersion } from './wm-version.js';
export type { CommandOutcome, WmCommand } from './wm-command.js';
export type { WmEvent, WmOtherEvent, WmWindowEvent, WmWorkspaceEvent } from './wm-events.js';
