import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RAW_CONTROL } from '../../test/support/hostile-text.js';
import { installFakeClaude, privateTmux } from '../../test/support/private-tmux.js';
import { skippedWithout } from '../../test/support/require-wm.js';
import { tempDir } from '../../test/support/temp-dir.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { BAR_FORMATS, escapePango, escapePolybarAction, escapePolybarText, escapeTmux, i3blocksText, renderBarLine, type BarLineOptions } from './bar-formats.js';
import { barView, disconnectedView, type BarView } from './bar-view.js';
import { sessionInfo } from '../../test/support/session-info.js';

const NOW = new Date('2026-11-30T12:00:00Z');
const minutesBefore = (n: number) => new Date(NOW.getTime() - n * 60_000).toISOString();
const PLAIN: BarLineOptions = { ascii: false, showName: false };

let pids = 100;
function session(fields: Partial<SessionInfo>): SessionInfo {
  return sessionInfo(++pids, fields);
}

/** Text that is markup in every bar: Pango tags and entities, polybar tags and actions, tmux formats and jobs, JSON quotes. */
const MARKUP_NAME = '<b>&amp; %{A1:rm ~:}#{host}#(id)"q"\\';

/** One unseen (the markup name), two that need you, two working, one idle. */
const BUSY: BarView = barView(
  [
    session({ label: MARKUP_NAME, state: 'needs_input', unseen: true, reason: 'waiting for permission: Bash', waiting_since: minutesBefore(0) }),
    session({ label: 'api', state: 'needs_input', reason: 'turn ended 3 min ago', waiting_since: minutesBefore(3) }),
    session({ label: 'web', state: 'needs_input', reason: 'question for you', waiting_since: minutesBefore(12) }),
    session({ label: 'docs', state: 'working', reason: 'running tool: Edit' }),
    session({ cwd: '/home/u/infra', state: 'working', reason: 'thinking' }),
    session({ label: 'scratch', state: 'idle', reason: 'no prompt yet' }),
  ],
  NOW,
);
const EMPTY = barView([], NOW);
const DOWN = disconnectedView('vmuxd is not running (no daemon on /home/u/.vmux/vmuxd.sock)');

function json(line: string): Record<string, unknown> {
  assert.doesNotMatch(line, /\n/, 'one line');
  return JSON.parse(line) as Record<string, unknown>;
}

test('text: counts by state, what needs you first, unseen apart; --ascii for fonts without the symbols', () => {
  assert.equal(json(renderBarLine(BUSY, 'json', PLAIN))['text'], '●1 ⏸2 ⏵2 ○1');
  assert.equal(json(renderBarLine(BUSY, 'json', { ascii: true, showName: false }))['text'], '*1 !2 >2 -1');
  assert.equal(json(renderBarLine(EMPTY, 'json', PLAIN))['text'], '∅');
  assert.equal(json(renderBarLine(EMPTY, 'json', { ascii: true, showName: false }))['text'], '0');
  assert.equal(json(renderBarLine(DOWN, 'json', PLAIN))['text'], 'no vmuxd');
  const oneWorking = barView([session({ state: 'working' })], NOW);
  assert.equal(json(renderBarLine(oneWorking, 'json', { ascii: false, showName: true }))['text'], '⏵1', 'no name when nothing needs you');
});

test('waybar: JSON with Pango-escaped text and tooltip, a class per condition for CSS, and alt', () => {
  const line = renderBarLine(BUSY, 'waybar', { ascii: false, showName: true });
  const module = json(line);
  assert.deepEqual(Object.keys(module).sort(), ['alt', 'class', 'text', 'tooltip']);
  assert.deepEqual(module['class'], ['needs-input', 'unseen']);
  assert.equal(module['alt'], 'unseen');
  assert.equal(module['text'], `●1 ⏸2 ⏵2 ○1 ${escapePango(MARKUP_NAME)}`);
  assert.deepEqual(String(module['tooltip']).split('\n'), [
    `● ${escapePango(MARKUP_NAME)} — waiting for permission: Bash (waiting under a minute)`,
    '⏸ web — question for you (waiting 12 min)',
    '⏸ api — turn ended 3 min ago (waiting 3 min)',
    '⏵ docs — running tool: Edit',
    '⏵ infra — thinking',
    '○ scratch — no prompt yet',
  ]);
  for (const markup of [String(module['text']), String(module['tooltip'])]) {
    assert.doesNotMatch(markup, /<|>|&(?!amp;|lt;|gt;)/, 'no tag or entity but the escapes');
  }
  assert.deepEqual(json(renderBarLine(barView([session({ state: 'needs_input' })], NOW), 'waybar', PLAIN))['class'], ['needs-input']);
  assert.deepEqual(json(renderBarLine(barView([session({ state: 'working' })], NOW), 'waybar', PLAIN))['class'], ['working']);
  assert.deepEqual(json(renderBarLine(barView([session({ state: 'idle' })], NOW), 'waybar', PLAIN))['class'], ['idle']);
  assert.deepEqual(json(renderBarLine(EMPTY, 'waybar', PLAIN)), { text: '∅', tooltip: 'No Claude Code session is running.', class: ['empty'], alt: 'empty' });
  const down = json(renderBarLine(DOWN, 'waybar', PLAIN));
  assert.deepEqual(down['class'], ['disconnected']);
  assert.equal(down['text'], 'no vmuxd');
  assert.match(String(down['tooltip']), /^vmuxd is not running \(no daemon on .*\)\nThe bar reconnects by itself/);
});

test('waybar: a tooltip lists 25 sessions at most and says how many more there are', () => {
  const many = barView(Array.from({ length: 30 }, () => session({ state: 'working' })), NOW);
  const lines = String(json(renderBarLine(many, 'waybar', PLAIN))['tooltip']).split('\n');
  assert.equal(lines.length, 26);
  assert.equal(lines.at(-1), '… and 5 more (vmux list shows all)');
});

test('i3blocks: JSON for format=json, coloured by condition, urgent while a session is unseen, no quote or backslash in text', () => {
  const block = json(renderBarLine(BUSY, 'i3blocks', { ascii: false, showName: true }));
  assert.deepEqual(Object.keys(block).sort(), ['color', 'full_text', 'short_text', 'urgent']);
  assert.equal(block['urgent'], true);
  assert.equal(block['short_text'], '●1 ⏸2 ⏵2 ○1', 'the counts alone when i3bar shortens the block');
  assert.equal(block['full_text'], `●1 ⏸2 ⏵2 ○1 ${i3blocksText(MARKUP_NAME)}`);
  // i3blocks 1.4 ends a string at the first quote and keeps backslashes: the raw line has none inside strings.
  assert.doesNotMatch(line(BUSY), /\\/);
  assert.match(String(block['color']), /^#[0-9a-f]{6}$/);
  const calm = json(renderBarLine(barView([session({ state: 'working' })], NOW), 'i3blocks', PLAIN));
  assert.equal(calm['urgent'], undefined);
  assert.notEqual(calm['color'], block['color']);
  assert.equal(json(renderBarLine(DOWN, 'i3blocks', PLAIN))['full_text'], 'no vmuxd');

  function line(view: BarView): string {
    return renderBarLine(view, 'i3blocks', { ascii: false, showName: true });
  }
});

/** polybar's tags in a line, as its parser finds them: `%{` up to the next `}` (an action's command may hold none here). */
function polybarTags(line: string): string[] {
  return [...line.matchAll(/%\{([^}]*)\}/g)].map((match) => match[1] ?? '');
}

test('polybar: left click runs vmux next, right click the picker; each count in its colour; outside text opens no tag', () => {
  const line = renderBarLine(BUSY, 'polybar', { ascii: false, showName: true });
  assert.doesNotMatch(line, /\n/);
  assert.ok(line.startsWith('%{A1:vmux next:}%{A3:vmux switch --dmenu:}'), line);
  assert.ok(line.endsWith('%{A}%{A}'));
  const tags = polybarTags(line);
  assert.deepEqual(
    tags.filter((tag) => tag.startsWith('A')),
    ['A1:vmux next:', 'A3:vmux switch --dmenu:', 'A', 'A'],
    'the name adds no action',
  );
  assert.deepEqual(
    tags.filter((tag) => tag.startsWith('F')),
    ['F#ff6b6b', 'F-', 'F#e5c07b', 'F-', 'F#98c379', 'F-', 'F#7f848e', 'F-', 'F#ff6b6b', 'F-'],
  );
  assert.ok(line.includes('% {A1:rm ~:}'), 'a %{ from outside is shown, not parsed');
  assert.match(renderBarLine(DOWN, 'polybar', PLAIN), /%\{F#c678dd\}no vmuxd%\{F-\}/);
});

test('tmux: a status-line string with #[…] styles; # from outside is doubled so tmux expands nothing', () => {
  const line = renderBarLine(BUSY, 'tmux', { ascii: false, showName: true });
  assert.equal(
    line,
    `#[fg=#ff6b6b,bold]●1#[default] #[fg=#e5c07b]⏸2#[default] #[fg=#98c379]⏵2#[default] #[fg=#7f848e]○1#[default] #[fg=#ff6b6b,bold]${escapeTmux(MARKUP_NAME)}#[default]`,
  );
  assert.ok(line.includes('##{host}##(id)'));
  assert.equal(renderBarLine(DOWN, 'tmux', PLAIN), '#[fg=#c678dd]no vmuxd#[default]');
});

test('tmux: a real tmux expands the line (as it does a job\'s output) to the name as written, styles kept for drawing', async (t) => {
  if (skippedWithout(t, 'tmux')) return;
  const dir = tempDir('vmux-bar-tmux-');
  const server = privateTmux(dir, installFakeClaude(dir));
  const { paneId } = await server.newSession('bar', { kind: 'idle' });
  const line = renderBarLine(BUSY, 'tmux', { ascii: false, showName: true });
  assert.equal(await server.show(paneId, line), line.replace(/##/g, '#'));
  assert.ok((await server.show(paneId, line)).includes(MARKUP_NAME), 'no #{…} or #(…) of the name was expanded');
  await server.close();
});

test('json: the counts (with the total), condition, text, tooltip and each session, for scripts', () => {
  const picture = json(renderBarLine(BUSY, 'json', PLAIN));
  assert.equal(picture['connected'], true);
  assert.equal(picture['condition'], 'unseen');
  assert.deepEqual(picture['counts'], { unseen: 1, waiting: 2, working: 2, idle: 1, unknown: 0, total: 6 });
  const sessions = picture['sessions'] as Record<string, unknown>[];
  assert.deepEqual(sessions[1], { name: 'web', state: 'needs_input', unseen: false, reason: 'question for you', waiting_s: 720, waiting_since: minutesBefore(12) });
  assert.equal(sessions[0]?.['name'], MARKUP_NAME, 'JSON carries the name as it is (cleaned of controls only)');
  assert.deepEqual(json(renderBarLine(DOWN, 'json', PLAIN)), {
    connected: false,
    condition: 'disconnected',
    why: 'vmuxd is not running (no daemon on /home/u/.vmux/vmuxd.sock)',
    text: 'no vmuxd',
    tooltip: ['vmuxd is not running (no daemon on /home/u/.vmux/vmuxd.sock)', 'The bar reconnects by itself once vmuxd runs (vmux service install, or vmuxd).'],
  });
});

test('every format: one line, no terminal control, whatever the sessions hold', () => {
  const hostile = barView([session({ label: 'a\u001b]0;x\u0007\u2028b\u009bc\nd', reason: '\u202eevil', state: 'needs_input', unseen: true })], NOW);
  for (const format of BAR_FORMATS) {
    for (const view of [hostile, BUSY, EMPTY, DOWN]) {
      const line = renderBarLine(view, format, { ascii: false, showName: true });
      assert.doesNotMatch(line, RAW_CONTROL, format);
      assert.doesNotMatch(line, /[\n\u2028\u2029]/, format);
    }
  }
});

test('escapes: each one does what its bar needs and nothing else', () => {
  assert.equal(escapePango('a<b>&c'), 'a&lt;b&gt;&amp;c');
  assert.equal(escapePolybarText('50% done %{F#f00}'), '50% done % {F#f00}');
  assert.equal(escapePolybarAction('notify-send a:b'), 'notify-send a\\:b');
  assert.equal(escapeTmux('#1 #[fg=red]'), '##1 ##[fg=red]');
  assert.equal(i3blocksText('say "hi" \\o/'), 'say \u201dhi\u201d \u2216o/');
});
