import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../test/support/temp-dir.js';
import { COMMANDS, EXIT_CODES } from './command-table.js';
import { manPage, roff } from './man-page.js';
import { VERSION } from './version.js';

const BUILT = fileURLToPath(new URL('../../vmux.1', import.meta.url));
const root = tempDir('vmux-man-');

function skipWithout(t: TestContext, program: string): boolean {
  if (spawnSync(program, ['--version']).error === undefined) return false;
  t.skip(`${program} is not installed`);
  return true;
}

/** The page as man shows it, wide enough that no example is folded. */
function rendered(path: string): { text: string; stderr: string; status: number | null } {
  const run = spawnSync('man', ['-l', path], { env: { PATH: process.env['PATH'], MANPAGER: 'cat', MANWIDTH: '160', LANG: 'C.UTF-8' }, encoding: 'utf8' });
  return { text: run.stdout, stderr: run.stderr, status: run.status };
}

test('npm run build writes vmux(1) from the command table', () => {
  assert.ok(existsSync(BUILT), `${BUILT} is missing: npm run build writes it`);
  const page = readFileSync(BUILT, 'utf8');
  const date = /^\.TH VMUX 1 "(\d{4}-\d\d-\d\d)" "vmux ([^"]+)" "User Commands"$/m.exec(page);
  assert.equal(date?.[2], VERSION);
  assert.equal(page, manPage({ date: date?.[1] ?? '' }));
});

test('man -l renders vmux(1) with every command, its usage, options and examples, and the exit codes', (t) => {
  if (skipWithout(t, 'man')) return;
  const { text, stderr, status } = rendered(BUILT);
  assert.equal(status, 0, stderr);
  assert.equal(stderr, '');
  for (const section of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'COMMANDS', 'EXIT STATUS', 'ENVIRONMENT', 'FILES', 'SEE ALSO']) assert.match(text, new RegExp(`^${section}$`, 'm'));
  for (const command of COMMANDS) {
    assert.match(text, new RegExp(`^ {3}${command.name}\\b`, 'm'), command.name);
    for (const usage of command.usage) assert.ok(text.includes(usage), `usage: ${usage}`);
    for (const example of command.examples ?? []) assert.ok(text.includes(`       ${example}`), `example: ${example}`);
  }
  assert.match(text, /^ +--launcher <command>$/m);
  for (const [code] of EXIT_CODES) assert.match(text, new RegExp(`^ {7}${code}\\s`, 'm'));
  // The example config file, line for line.
  assert.match(text, /^ {7} {2}launcher = "fuzzel --dmenu" {2}# the chooser/m);
});

test('groff reads vmux(1) without a warning', (t) => {
  if (skipWithout(t, 'groff')) return;
  const run = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', BUILT], { encoding: 'utf8' });
  assert.equal(run.status, 0);
  assert.equal(run.stderr, '');
});

test('text is escaped for roff: backslashes, hyphens, non-ASCII, and lines that would be requests', () => {
  assert.equal(roff('vmux list --json'), 'vmux list \\-\\-json');
  assert.equal(roff('a\\b'), 'a\\eb');
  assert.equal(roff('command’s'), 'command\\[u2019]s');
  assert.equal(roff('.not a request\n\'nor this'), "\\&.not a request\n\\&'nor this");
  assert.equal(roff('flag 🏁'), 'flag \\[u1F3C1]');
});

test('a page made from hostile table text still renders as text', (t) => {
  if (skipWithout(t, 'man')) return;
  const path = join(root, 'hostile.1');
  const page = manPage({ date: '2025-01-01' }).replace('.SH NAME', `.SH NAME\n${roff('.so /etc/passwd\n\\fBbold? \\(dq')}\n.PP`);
  writeFileSync(path, page);
  const { text } = rendered(path);
  assert.match(text, /\.so \/etc\/passwd/);
  assert.match(text, /\\fBbold\? \\\(dq/);
});
