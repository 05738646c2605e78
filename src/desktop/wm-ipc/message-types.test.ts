import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeMessageType, EVENT_TYPES, eventTypeName, eventWireType, MESSAGE_TYPES, messageTypeName } from './message-types.js';

test('the codes vmux uses are the documented ones', () => {
  assert.equal(MESSAGE_TYPES.RUN_COMMAND.code, 0);
  assert.equal(MESSAGE_TYPES.GET_WORKSPACES.code, 1);
  assert.equal(MESSAGE_TYPES.SUBSCRIBE.code, 2);
  assert.equal(MESSAGE_TYPES.GET_TREE.code, 4);
  assert.equal(MESSAGE_TYPES.GET_VERSION.code, 7);
  assert.equal(EVENT_TYPES.workspace.code, 0);
  assert.equal(EVENT_TYPES.window.code, 3);
  assert.equal(EVENT_TYPES.shutdown.code, 6);
});

test('every code appears once, and names and codes map both ways', () => {
  for (const table of [MESSAGE_TYPES, EVENT_TYPES]) {
    const codes = Object.values(table).map((entry) => entry.code);
    assert.equal(new Set(codes).size, codes.length);
  }
  for (const [name, { code }] of Object.entries(MESSAGE_TYPES)) assert.equal(messageTypeName(code), name);
  for (const [name, { code }] of Object.entries(EVENT_TYPES)) assert.equal(eventTypeName(code), name);
  assert.equal(messageTypeName(99), undefined);
  assert.equal(eventTypeName(0x42), undefined);
});

test('sway-only types are marked, and only those', () => {
  const swayOnly = (table: Record<string, { swayOnly: boolean }>) =>
    Object.entries(table)
      .filter(([, entry]) => entry.swayOnly)
      .map(([name]) => name);
  assert.deepEqual(swayOnly(MESSAGE_TYPES), ['GET_INPUTS', 'GET_SEATS']);
  assert.deepEqual(swayOnly(EVENT_TYPES), ['bar_state_update', 'input']);
});

test('event wire types carry the high bit as an unsigned number', () => {
  assert.equal(eventWireType(EVENT_TYPES.window.code), 0x8000_0003);
  assert.equal(eventWireType(EVENT_TYPES.input.code), 0x8000_0015);
  assert.equal(describeMessageType(4), 'GET_TREE (4)');
  assert.equal(describeMessageType(77), 'type 77');
});
