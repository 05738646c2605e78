import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { findProgram } from '../../../test/support/programs.js';
import { TmuxStaleError } from '../../errors.js';
import { attachCommand, checkPaneHoldsProcess, planTmuxSwitch, shellQuote } from './plan-tmux-switch.js';
import type { TmuxAttachedClient, TmuxPane } from './tmux-client.js';
import type { TmuxLocation } from './tmux-location.js';

const location: TmuxLocation = {
  socketPath: '/tmp/tmux-1000/default',
  serverPid: 500,
  sessionNumber: 2,
  paneId: '%12',
  envPid: 901,
  ancestry: [901, 900, 500, 1],
  ptsNumber: 4,
};

const pane: TmuxPane = {
  serverPid: 500,
  sessionId: '$2',
  sessionName: 'work',
  windowId: '@7',
  windowIndex: 1,
  paneId: '%12',
  paneIndex: 1,
  panePid: 900,
  paneTty: '/dev/pts/4',
  windowActive: false,
  paneActive: false,
};

function client(fields: Partial<TmuxAttachedClient> & Pick<TmuxAttachedClient, 'tty' | 'pid'>): TmuxAttachedClient {
  return { activity: 1_700_000_000, sessionId: '$0', sessionName: 'main', controlMode: false, ...fields };
}

const SELECT = [
  { kind: 'select-window', sessionId: '$2', windowId: '@7' },
  { kind: 'select-pane', paneId: '%12' },
] as const;

test('a client already shows the session: select window and pane, focus that client', () => {
  const shows = client({ tty: '/dev/pts/9', pid: 3000, sessionId: '$2', sessionName: 'work' });
  const other = client({ tty: '/dev/pts/8', pid: 3100, activity: 1_800_000_000 });
  const plan = planTmuxSwitch(location, pane, [other, shows]);
  assert.equal(plan.socketPath, location.socketPath);
  assert.deepEqual(plan.steps, SELECT);
  assert.deepEqual(plan.outcome, { kind: 'shown', client: shows });
});

test('several clients show the session: the most recently active one', () => {
  const older = client({ tty: '/dev/pts/9', pid: 3000, sessionId: '$2', activity: 100 });
  const newer = client({ tty: '/dev/pts/10', pid: 2000, sessionId: '$2', activity: 200 });
  const tieLowPid = client({ tty: '/dev/pts/11', pid: 1000, sessionId: '$2', activity: 200 });
  const plan = planTmuxSwitch(location, pane, [older, tieLowPid, newer]);
  assert.deepEqual(plan.outcome, { kind: 'shown', client: newer });
  // Same state in another order, same plan.
  assert.deepEqual(planTmuxSwitch(location, pane, [newer, older, tieLowPid]).outcome, plan.outcome);
});

test('clients attached, none shows the session: switch the most recently active one there', () => {
  const a = client({ tty: '/dev/pts/3', pid: 3000, sessionId: '$0', sessionName: 'main', activity: 100 });
  const b = client({ tty: '/dev/pts/5', pid: 3100, sessionId: '$1', sessionName: ']; exec rm -rf ~ [', activity: 300 });
  const c = client({ tty: '/dev/pts/6', pid: 3200, sessionId: '$0', sessionName: 'main', activity: 200 });
  const plan = planTmuxSwitch(location, pane, [a, b, c]);
  assert.deepEqual(plan.steps, [...SELECT, { kind: 'switch-client', clientTty: '/dev/pts/5', sessionId: '$2' }]);
  assert.deepEqual(plan.outcome, {
    kind: 'moved',
    client: { ...b, sessionId: '$2', sessionName: 'work' },
    fromSessionId: '$1',
    fromSessionName: ']; exec rm -rf ~ [',
  });
});

test('control-mode clients and clients without a tty are never chosen', () => {
  const control = client({ tty: '/dev/pts/3', pid: 3000, sessionId: '$2', controlMode: true, activity: 900 });
  const noTty = client({ tty: '', pid: 3100, sessionId: '$2', activity: 900 });
  const terminal = client({ tty: '/dev/pts/4', pid: 3200, sessionId: '$0', activity: 100 });
  assert.equal(planTmuxSwitch(location, pane, [control, noTty, terminal]).outcome.kind, 'moved');
  assert.equal(planTmuxSwitch(location, pane, [control, noTty]).outcome.kind, 'attach');
});

test('no client attached: select window and pane, and say how to attach', () => {
  const plan = planTmuxSwitch(location, pane, []);
  assert.deepEqual(plan.steps, SELECT);
  assert.deepEqual(plan.outcome, {
    kind: 'attach',
    argv: ['tmux', '-S', '/tmp/tmux-1000/default', 'attach', '-t', 'work'],
    commandLine: 'tmux -S /tmp/tmux-1000/default attach -t work',
  });
});

test('the attach command names a plain session by name and any other by its id, quoted for a shell', () => {
  const odd = { ...pane, sessionName: ']; exec rm -rf ~ [' };
  const plan = planTmuxSwitch({ ...location, socketPath: "/tmp/my dir/it's" }, odd, []);
  assert.deepEqual(plan.outcome, {
    kind: 'attach',
    argv: ['tmux', '-S', "/tmp/my dir/it's", 'attach', '-t', '$2'],
    commandLine: `tmux -S '/tmp/my dir/it'\\''s' attach -t '$2'`,
  });
  for (const name of ['a b', '-t', 'x*', 'é', '$1', '=x', '']) {
    assert.deepEqual(attachCommand('/s', { sessionId: '$3', sessionName: name }).slice(-1), ['$3'], name);
  }
  for (const name of ['0', 'main', 'my_project-2']) {
    assert.deepEqual(attachCommand('/s', { sessionId: '$3', sessionName: name }).slice(-1), [name], name);
  }
});

test('shellQuote leaves safe words alone and single-quotes the rest', () => {
  assert.equal(shellQuote('/tmp/tmux-1000/default'), '/tmp/tmux-1000/default');
  assert.equal(shellQuote('$(rm -rf ~)'), `'$(rm -rf ~)'`);
  assert.equal(shellQuote("a'b"), `'a'\\''b'`);
  assert.equal(shellQuote(''), `''`);
});

test('shellQuote writes control characters as octal bytes in $\'…\', so the printed word drives no terminal', () => {
  assert.equal(shellQuote('line\nbreak'), `$'line\\012break'`);
  assert.equal(shellQuote('/tmp/a\u001b]0;x\u0007/s'), `$'/tmp/a\\033]0;x\\007/s'`);
  assert.equal(shellQuote('a\u009bb'), `$'a\\302\\233b'`);
  assert.equal(shellQuote("it's\\\u202e"), `$'it\\'s\\\\\\342\\200\\256'`);
});

const bash = findProgram('bash');

test('a word quoted by shellQuote is read back by bash as the same word', { skip: bash === undefined && 'bash not on PATH' }, () => {
  const words = ['/tmp/a\u001b]0;pwned\u0007b', 'x\u009b2J\u009d0;t\u009c', "it's \\ $HOME \u202eevil\u2066", 'tab\there\nnew 1', '$(touch /tmp/x)', '道友 🎉'];
  for (const word of words) {
    const quoted = shellQuote(word);
    assert.doesNotMatch(quoted, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    // The quoted word is the script's text: bash parses it, printf gives back its bytes.
    const echoed = execFileSync(bash ?? 'bash', ['-c', `printf '%s' ${quoted}`], { env: { LC_ALL: 'C' } });
    assert.deepEqual(echoed, Buffer.from(word, 'utf8'), word);
  }
});

test('never a guess: a restarted server, or a pane that does not hold the process, is stale', () => {
  const stale = (reason: string) => (error: unknown) => error instanceof TmuxStaleError && error.reason === reason;
  assert.throws(() => planTmuxSwitch(location, { ...pane, serverPid: 777 }, []), stale('server-replaced'));
  // TMUX/TMUX_PANE inherited by something started from the pane but running elsewhere.
  assert.throws(() => planTmuxSwitch({ ...location, ancestry: [901, 1] }, pane, []), stale('not-in-pane'));
  assert.throws(() => planTmuxSwitch({ ...location, ptsNumber: 8 }, pane, []), stale('not-in-pane'));
  assert.throws(() => planTmuxSwitch(location, { ...pane, paneTty: 'not a pty' }, []), stale('not-in-pane'));
  // No controlling terminal to compare: the ancestry decides.
  assert.equal(checkPaneHoldsProcess({ ...location, ptsNumber: undefined }, pane), undefined);
  assert.equal(checkPaneHoldsProcess(location, pane), undefined);
});
