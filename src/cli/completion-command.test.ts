import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { capturedIo } from '../../test/support/captured-io.js';
import { startFakeClaude, writeSessionFile, type FakeClaude } from '../../test/support/fake-claude.js';
import { requireProgram } from '../../test/support/programs.js';
import { skippedWithout } from '../../test/support/require-wm.js';
import { VMUX } from '../../test/support/run-vmux.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { COMMANDS } from './command-table.js';
import { completionScript } from './completion-command.js';
import { runCli } from './run-cli.js';

const root = tempDir('vmux-completion-');
const claudeDir = join(root, 'claude');
const bin = join(root, 'bin');
mkdirSync(bin, { recursive: true });
symlinkSync(VMUX, join(bin, 'vmux'));
const scripts = { bash: join(root, 'vmux.bash'), zsh: join(root, '_vmux'), fish: join(root, 'vmux.fish') };
for (const [shell, path] of Object.entries(scripts)) writeFileSync(path, completionScript(shell as keyof typeof scripts));

/** vmux on PATH (through a link, as npm installs it), with this test's own Claude folder and vmux home. */
const env = {
  HOME: root,
  PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
  CLAUDE_CONFIG_DIR: claudeDir,
  VMUX_HOME: join(root, 'vmux-home'),
  XDG_CONFIG_HOME: join(root, 'config'),
};

const SESSION_ID = '7e57c0de-0000-4000-8000-00000000c0de';
const LABEL = "it's $HOME now";
let session: FakeClaude;

before(async () => {
  const cwd = join(root, 'project');
  mkdirSync(cwd, { recursive: true });
  session = await startFakeClaude({ cwd, binDir: cwd });
  writeSessionFile(claudeDir, session.pid, { sessionId: SESSION_ID, cwd, status: 'waiting', waitingFor: 'permission prompt' });
  const io = { env, stdout: { write: () => true }, stderr: { write: (text: string) => assert.fail(text) } };
  assert.equal(await runCli(['label', String(session.pid), LABEL], io), 0);
});
after(async () => session.stop('SIGKILL'));

/** What bash completes for `words` (the last one being completed), the way Tab would call `_vmux`. */
function bashCompletes(words: readonly string[], environment: Record<string, string> = env): Promise<{ replies: string[]; stderr: string }> {
  const program = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _vmux; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return new Promise((resolve, reject) => {
    execFile('bash', ['--norc', '--noprofile', '-c', program, 'bash', scripts.bash, ...words], { env: environment }, (error, stdout, stderr) => {
      if (error) reject(error);
      else resolve({ replies: stdout.split('\n').filter((line) => line !== ''), stderr });
    });
  });
}

describe('bash completion', () => {
  test('completes commands, and each command’s options, from the command table', async () => {
    assert.deepEqual((await bashCompletes(['vmux', 'co'])).replies, ['config', 'completion']);
    const all = (await bashCompletes(['vmux', ''])).replies;
    for (const command of COMMANDS) assert.ok(all.includes(command.name), command.name);
    assert.deepEqual((await bashCompletes(['vmux', 'list', '--'])).replies, ['--json', '--help']);
    assert.deepEqual((await bashCompletes(['vmux', 'switch', '--l'])).replies, ['--launcher']);
    assert.deepEqual((await bashCompletes(['vmux', 'daemon', '--poll-seconds', ''])).replies, []);
  });

  test('completes the fixed operands: shells, service actions, commands for help', async () => {
    assert.deepEqual((await bashCompletes(['vmux', 'completion', ''])).replies, ['bash', 'zsh', 'fish']);
    assert.deepEqual((await bashCompletes(['vmux', 'service', 'u'])).replies, ['uninstall']);
    assert.deepEqual((await bashCompletes(['vmux', 'help', 'sw'])).replies, ['switch']);
    assert.deepEqual((await bashCompletes(['vmux', 'completion', 'bash', ''])).replies, [], 'one operand only');
  });

  test('completes live sessions by label, id and PID, quoted so the shell reads back the label', async () => {
    const all = (await bashCompletes(['vmux', 'switch', ''])).replies;
    assert.ok(all.includes(SESSION_ID), all.join(' '));
    assert.ok(all.includes(String(session.pid)), all.join(' '));
    const byLabel = (await bashCompletes(['vmux', 'switch', 'it'])).replies;
    assert.deepEqual(byLabel, ["it\\'s\\ \\$HOME\\ now"]);
    // The completed word, typed on a command line, is the label again.
    const readBack = spawnSync('bash', ['--norc', '-c', 'eval "set -- $1"; printf %s "$1"', 'bash', byLabel[0] ?? ''], { encoding: 'utf8' }).stdout;
    assert.equal(readBack, LABEL);
    assert.deepEqual((await bashCompletes(['vmux', 'label', '7e57'])).replies, [SESSION_ID]);
    assert.deepEqual((await bashCompletes(['vmux', 'switch', '--launcher', 'rofi -dmenu', '7e57'])).replies, [SESSION_ID], 'an option value is not the operand');
    assert.deepEqual((await bashCompletes(['vmux', 'label', SESSION_ID, ''])).replies, [], 'the label text is not completed');
  });

  test('offers nothing, and says nothing, when vmux is not there to ask', async () => {
    // A PATH with bash alone: not the system's, where the user may well have installed vmux.
    const bashOnly = join(root, 'bash-only');
    mkdirSync(bashOnly, { recursive: true });
    symlinkSync(requireProgram('bash', 'running the completion script'), join(bashOnly, 'bash'));
    const { replies, stderr } = await bashCompletes(['vmux', 'switch', ''], { ...env, PATH: bashOnly });
    assert.deepEqual(replies, []);
    assert.equal(stderr, '');
  });
});

test('zsh completion is a valid zsh script', (t) => {
  if (skippedWithout(t, 'zsh')) return;
  const check = spawnSync('zsh', ['-n', scripts.zsh], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});

test('fish completion is a valid fish script that completes commands and sessions', (t) => {
  if (skippedWithout(t, 'fish')) return;
  const check = spawnSync('fish', ['--no-execute', scripts.fish], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  const complete = (line: string) => spawnSync('fish', ['--no-config', '-c', `source ${scripts.fish}; complete -C '${line}'`], { env, encoding: 'utf8' }).stdout;
  assert.match(complete('vmux co'), /^config\t/m);
  assert.match(complete('vmux switch 7e57'), new RegExp(`^${SESSION_ID}$`, 'm'));
});

test('every script names every command and every option of the command table', () => {
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const script = completionScript(shell);
    for (const command of COMMANDS) {
      assert.match(script, new RegExp(`\\b${command.name}\\b`), `${shell}: ${command.name}`);
      for (const option of command.options) assert.ok(script.includes(shell === 'fish' ? `-l ${option.name}` : `--${option.name}`), `${shell}: ${command.name} --${option.name}`);
    }
  }
});

test('vmux completion without a shell, or with an unknown one, is a wrong call (exit 2)', async () => {
  for (const args of [['completion'], ['completion', 'tcsh'], ['completion', 'bash', 'zsh']]) {
    const io = capturedIo(env);
    assert.equal(await runCli(args, io), 2, args.join(' '));
    assert.match(io.err(), /bash, zsh or fish/);
  }
});
