import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isClaudeExecutablePath, recognizeClaude, sessionIdHint, type ProcessIdentity } from './recognize-claude.js';

function kind(identity: ProcessIdentity): string {
  return recognizeClaude(identity).kind;
}

test('native executable started as claude is a session', () => {
  assert.equal(kind({ comm: 'claude', exe: '/home/u/.local/share/claude/versions/2.1.197', argv: ['claude'] }), 'session');
  assert.equal(kind({ comm: 'claude', exe: '/x/node_modules/@anthropic-ai/claude-code/bin/claude.exe', argv: ['claude', '--resume'] }), 'session');
});

test('native executable run under its own name has comm claude.exe (seen with 2.1.197 from npm)', () => {
  const exe = '/x/node_modules/@anthropic-ai/claude-code/bin/claude.exe';
  assert.equal(kind({ comm: 'claude.exe', exe, argv: [exe] }), 'session');
  assert.equal(kind({ comm: 'claude.exe', exe: undefined, argv: [exe] }), 'session');
});

test('native executable run from a versions folder has a version string as comm', () => {
  const exe = '/home/u/.local/share/claude/versions/2.1.197';
  assert.equal(kind({ comm: '2.1.197', exe, argv: [exe] }), 'session');
  // exe unreadable (another user's process): argv[0] still shows the versions path.
  assert.equal(kind({ comm: '2.1.197', exe: undefined, argv: [exe] }), 'session');
});

test('a version-named process that is not Claude Code is not a session', () => {
  assert.equal(kind({ comm: '1.2.3', exe: '/usr/bin/python3', argv: ['/opt/tool/1.2.3'] }), 'not-claude');
});

test('older Node build with comm claude, exe node and argv overwritten is a session', () => {
  assert.equal(kind({ comm: 'claude', exe: '/usr/bin/node', argv: ['claude'] }), 'session');
});

test('a JS runtime running the claude launcher is a session', () => {
  assert.equal(kind({ comm: 'node', exe: '/usr/bin/node', argv: ['node', '/usr/local/bin/claude'] }), 'session');
  assert.equal(
    kind({ comm: 'node', exe: '/usr/bin/node', argv: ['/usr/bin/node', '/x/node_modules/@anthropic-ai/claude-code/cli.js', '-c'] }),
    'session',
  );
  assert.equal(kind({ comm: 'bun', exe: '/usr/bin/bun', argv: ['bun', '/home/u/.bun/bin/claude'] }), 'session');
});

test('node running something else is not claude', () => {
  assert.equal(kind({ comm: 'node', exe: '/usr/bin/node', argv: ['node', 'server.js'] }), 'not-claude');
  assert.equal(kind({ comm: 'bash', exe: '/bin/bash', argv: ['bash'] }), 'not-claude');
});

test('non-session subcommands are not sessions', () => {
  for (const sub of ['mcp', 'config', 'doctor', 'update', 'install', '--version', '--help', '-v', '-h']) {
    assert.equal(kind({ comm: 'claude', exe: '/b/claude', argv: ['claude', sub] }), 'not-a-session', sub);
    assert.equal(kind({ comm: 'node', exe: '/usr/bin/node', argv: ['node', '/b/claude', sub, 'x'] }), 'not-a-session', sub);
  }
});

test('a prompt argument that happens to be a subcommand name after an option value is still a session', () => {
  assert.equal(kind({ comm: 'claude', exe: '/b/claude', argv: ['claude', '--model', 'opus', 'fix the config'] }), 'session');
  assert.equal(kind({ comm: 'claude', exe: '/b/claude', argv: ['claude', '--model', 'config'] }), 'session');
});

test('helper processes of the native client are not sessions', () => {
  assert.equal(kind({ comm: 'claude', exe: '/b/claude', argv: ['/b/claude', '--bg-pty-host', '123'] }), 'not-a-session');
  assert.equal(kind({ comm: 'claude', exe: '/b/claude', argv: ['/b/claude', '--bg-spare'] }), 'not-a-session');
});

test('a shell script named claude is recognised by its comm', () => {
  assert.equal(kind({ comm: 'claude', exe: '/usr/bin/dash', argv: ['/bin/sh', '/tmp/x/claude', '--session-id', 'abc'] }), 'session');
  assert.equal(kind({ comm: 'claude', exe: '/usr/bin/dash', argv: ['/bin/sh', '/tmp/x/claude', 'mcp'] }), 'not-a-session');
});

test('claude executable paths', () => {
  assert.ok(isClaudeExecutablePath('/a/claude'));
  assert.ok(isClaudeExecutablePath('/a/bin/claude.exe'));
  assert.ok(isClaudeExecutablePath('/home/u/.local/share/claude/versions/2.1.197'));
  assert.ok(isClaudeExecutablePath('/home/u/.local/share/claude/versions/2.1.197 (deleted)'));
  assert.ok(!isClaudeExecutablePath('/usr/bin/claudette'));
  assert.ok(!isClaudeExecutablePath('/usr/bin/node'));
});

test('session id hint from argv', () => {
  const id = '0a1b2c3d-0000-4000-8000-123456789abc';
  assert.equal(sessionIdHint(['claude', '--session-id', id]), id);
  assert.equal(sessionIdHint(['claude', `--resume=${id.toUpperCase()}`]), id);
  assert.equal(sessionIdHint(['claude', '-r', id]), id);
  assert.equal(sessionIdHint(['claude', '--resume']), undefined);
  assert.equal(sessionIdHint(['claude', '--session-id', 'not-a-uuid']), undefined);
});
