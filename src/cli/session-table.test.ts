import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionInfo } from '../protocol/session-info.js';
import { renderSessionTable } from './session-table.js';
import { palette } from './style.js';

const now = new Date('2026-11-24T12:00:00Z');

function info(fields: Partial<SessionInfo>): SessionInfo {
  return {
    pid: 1, session_id: 's', cwd: '/home/u/app', git_branch: 'main', state: 'working', preview: '', workspace: '', reason: 'r', unseen: false, focused: false,
    ...fields,
  };
}

test('table shows state, folder, branch, waiting time, why and preview; no colour when asked for none', () => {
  const text = renderSessionTable(
    [
      info({ state: 'needs_input', waiting_since: '2026-11-24T11:57:00Z', reason: 'turn ended 3 min ago', preview: 'Done. Tests pass.' }),
      info({ pid: 2, cwd: '/home/u/api', git_branch: 'fix', label: 'review MR', reason: 'running tool: Bash', preview: 'Bash: npm test' }),
    ],
    { now, palette: palette(false) },
  );
  assert.equal(
    text,
    [
      'STATE        SESSION    BRANCH  WAITING  WHY                   PREVIEW',
      'needs input  app        main    3m       turn ended 3 min ago  Done. Tests pass.',
      'working      review MR  fix              running tool: Bash    Bash: npm test',
      '',
    ].join('\n'),
  );
  assert.doesNotMatch(text, /\u001b/);
});

test('labels and previews cannot smuggle escape sequences into the terminal', () => {
  const text = renderSessionTable([info({ label: 'evil\u001b]0;pwned\u0007\u001b[2J', reason: 'r\u001b[1m', preview: 'x\u001b[31my' })], {
    now,
    palette: palette(false),
  });
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f]/);
});

test('the preview is cut to the terminal width', () => {
  const text = renderSessionTable([info({ preview: 'p'.repeat(200) })], { now, palette: palette(false), columns: 80 });
  for (const line of text.trimEnd().split('\n')) assert.ok([...line].length <= 80, line);
  assert.match(text, /…$/m);
});

test('an empty listing says so', () => {
  assert.equal(renderSessionTable([], { now, palette: palette(false) }), 'No Claude Code sessions running.\n');
});

test('an unseen session is marked in its state cell', () => {
  const text = renderSessionTable([info({ state: 'needs_input', unseen: true, reason: 'waiting for permission: Bash' })], { now, palette: palette(false) });
  assert.match(text, /^needs input ● +app /m);
});
