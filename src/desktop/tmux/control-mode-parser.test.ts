import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ControlModeParser, controlCommandLine, type ControlModeEvent } from './control-mode-parser.js';

/** What tmux 3.3a wrote to a control client attached with no-output, while clients moved around. */
const SESSION = [
  '%begin 1796035178 286 0',
  '%end 1796035178 286 0',
  '%session-changed $0 one',
  '%window-pane-changed @0 %0',
  '%client-session-changed /dev/pts/4 $1 two',
  '%begin 1796035270 321 1',
  '/dev/pts/4\t2760\t$0',
  '\t2889\t$1',
  '%end 1796035270 321 1',
  '%sessions-changed',
  '%begin 1796035271 322 1',
  "can't find session: $9",
  '%error 1796035271 322 1',
  '%exit',
  '',
].join('\n');

const EXPECTED: ControlModeEvent[] = [
  { kind: 'reply', number: 286, fromThisClient: false, ok: true, lines: [] },
  { kind: 'notification', name: 'session-changed', args: '$0 one' },
  { kind: 'notification', name: 'window-pane-changed', args: '@0 %0' },
  { kind: 'notification', name: 'client-session-changed', args: '/dev/pts/4 $1 two' },
  { kind: 'reply', number: 321, fromThisClient: true, ok: true, lines: ['/dev/pts/4\t2760\t$0', '\t2889\t$1'] },
  { kind: 'notification', name: 'sessions-changed', args: '' },
  { kind: 'reply', number: 322, fromThisClient: true, ok: false, lines: ["can't find session: $9"] },
  { kind: 'exit', reason: '' },
];

test('ControlModeParser reads notifications, replies and errors, whole', () => {
  assert.deepEqual(new ControlModeParser().push(SESSION), EXPECTED);
});

test('ControlModeParser gives the same events however the output is cut', () => {
  for (const size of [1, 2, 3, 7, 64]) {
    const parser = new ControlModeParser();
    const events: ControlModeEvent[] = [];
    for (let i = 0; i < SESSION.length; i += size) events.push(...parser.push(SESSION.slice(i, i + size)));
    assert.deepEqual(events, EXPECTED, `chunks of ${size}`);
  }
});

test('ControlModeParser: reply lines that look like markers stay output; only the matching %end closes a block', () => {
  const text = [
    '%begin 10 5 1',
    '%window-pane-changed @1 %1',
    '%end 10 4 1',
    '%end 11 5 1',
    '%exit',
    '%end 10 5 1',
    '%exit server exited',
    '',
  ].join('\n');
  assert.deepEqual(new ControlModeParser().push(text), [
    { kind: 'reply', number: 5, fromThisClient: true, ok: true, lines: ['%window-pane-changed @1 %1', '%end 10 4 1', '%end 11 5 1', '%exit'] },
    { kind: 'exit', reason: 'server exited' },
  ]);
});

test('ControlModeParser ignores what tmux never writes outside a block', () => {
  const text = ['garbage', '%end 1 2 1', '%', '%Capital', '%window-pane-changed @1 %2', ''].join('\n');
  assert.deepEqual(new ControlModeParser().push(text), [{ kind: 'notification', name: 'window-pane-changed', args: '@1 %2' }]);
});

test('ControlModeParser fails an oversized reply without keeping it', () => {
  const parser = new ControlModeParser();
  const line = 'x'.repeat(64 * 1024);
  const events: ControlModeEvent[] = [...parser.push('%begin 1 1 1\n')];
  for (let i = 0; i < 20; i++) events.push(...parser.push(`${line}\n`));
  events.push(...parser.push('%end 1 1 1\n%sessions-changed\n'));
  assert.deepEqual(events, [
    { kind: 'reply', number: 1, fromThisClient: true, ok: false, lines: [] },
    { kind: 'notification', name: 'sessions-changed', args: '' },
  ]);
});

test('controlCommandLine single-quotes every word and refuses what cannot be quoted so', () => {
  assert.equal(controlCommandLine(['list-clients', '-F', '#{client_tty}\t#{session_name}']), "'list-clients' '-F' '#{client_tty}\t#{session_name}'\n");
  assert.equal(controlCommandLine(['switch-client', '-t', '$3']), "'switch-client' '-t' '$3'\n");
  for (const bad of ["it's", 'a\nkill-server', 'a\rb']) assert.throws(() => controlCommandLine(['display-message', bad]), TypeError);
});
