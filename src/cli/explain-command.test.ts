import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { capturedIo } from '../../test/support/captured-io.js';
import { startFakeClaude, writeSessionFile, type FakeClaude } from '../../test/support/fake-claude.js';
import { HOSTILE, HOSTILE_CLEANED, RAW_CONTROL } from '../../test/support/hostile-text.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { TranscriptBuilder } from '../../test/support/transcript-builder.js';
import { startVmuxd } from '../../test/support/vmuxd-process.js';
import { encodePath } from '../sessions/encode-path.js';
import { runCli } from './run-cli.js';

const root = tempDir('vmux-explain-cli-');
const claudeDir = join(root, 'claude');
// vmux and vmuxd see only the processes this file starts: a proc tree of links to them.
const procRoot = join(root, 'proc');
mkdirSync(procRoot);
symlinkSync('/proc/stat', join(procRoot, 'stat'));
const env = {
  HOME: root,
  CLAUDE_CONFIG_DIR: claudeDir,
  VMUX_HOME: join(root, 'vmux-home'),
  VMUX_PROC_ROOT: procRoot,
  XDG_CONFIG_HOME: join(root, 'config'),
};
const started: FakeClaude[] = [];
after(async () => Promise.all(started.map((p) => p.stop('SIGKILL'))));

async function session(folder: string, sessionId: string, status: string, waitingFor?: string): Promise<FakeClaude> {
  const cwd = join(root, folder);
  mkdirSync(cwd, { recursive: true });
  const proc = await startFakeClaude({ cwd, binDir: cwd });
  started.push(proc);
  symlinkSync(`/proc/${proc.pid}`, join(procRoot, String(proc.pid)));
  writeSessionFile(claudeDir, proc.pid, { sessionId, cwd, status, ...(waitingFor ? { waitingFor } : {}) });
  return proc;
}

function transcript(proc: FakeClaude, sessionId: string): TranscriptBuilder {
  return new TranscriptBuilder(join(claudeDir, 'projects', encodePath(proc.cwd), `${sessionId}.jsonl`), sessionId, proc.cwd, 'main');
}

async function vmux(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capturedIo(env);
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

const minuteAgo = (): Date => new Date(Date.now() - 60_000);

// A permission prompt for a tool whose name, like the folder, would drive a terminal if printed raw.
const permissionId = 'e2000000-0000-4000-8000-000000000001';
let permission: Promise<FakeClaude> | undefined;
function permissionSession(): Promise<FakeClaude> {
  permission ??= session(HOSTILE, permissionId, 'waiting', 'permission prompt').then((proc) => {
    transcript(proc, permissionId).prompt('run it', minuteAgo()).toolUse(`Bash${HOSTILE}`, { command: `make ${HOSTILE}` }, minuteAgo());
    return proc;
  });
  return permission;
}

/** The parts of `vmux explain --json` these tests read. */
interface ExplainJson {
  readonly pid: number;
  readonly session_id: string;
  readonly state: string;
  readonly rule: string;
  readonly reason: string;
  readonly process: { readonly cwd: string };
  readonly sessions_file: { readonly found: boolean; readonly status?: string; readonly waiting_for?: string };
  readonly transcript: { readonly matched_by: string; readonly records: ReadonlyArray<{ readonly kind: string; readonly at?: string; readonly tools?: readonly string[]; readonly notes?: readonly string[] }> };
  readonly transcript_says: { readonly pending_tool?: string; readonly background: unknown };
  readonly vmuxd: { readonly running: boolean; readonly scanned?: { readonly pid: number }; readonly serves?: Readonly<Record<string, unknown>> };
}

test('vmux explain <pid> shows each signal, the rule that decided and that vmuxd does not run; outside text cleaned', async () => {
  const proc = await permissionSession();
  const { code, out, err } = await vmux('explain', String(proc.pid));
  assert.equal(code, 0, err);
  assert.doesNotMatch(out, RAW_CONTROL);
  assert.match(out, new RegExp(`^needs input: waiting for permission: Bash${HOSTILE_CLEANED}  pid ${proc.pid}, session ${permissionId}\n`));
  for (const heading of ['Process', `Sessions file ${claudeDir}/sessions/${proc.pid}.json`, 'Transcript ', 'Transcript says', 'Decision']) {
    assert.match(out, new RegExp(`^${heading.replace(/[.]/g, '\\.')}`, 'm'), heading);
  }
  assert.match(out, new RegExp(`^  folder +${root}/${HOSTILE_CLEANED}$`, 'm'));
  assert.match(out, /^  status +waiting$/m);
  assert.match(out, /^  waiting for +permission prompt$/m);
  assert.match(out, /^  matched +the sessions file names session e2000000-/m);
  assert.match(out, new RegExp(`^  last records +\\d\\d:\\d\\d:\\d\\d  prompt\\n +\\d\\d:\\d\\d:\\d\\d  assistant Bash${HOSTILE_CLEANED} \\(tool_use; stop_reason tool_use\\)$`, 'm'));
  assert.match(out, new RegExp(`^  pending tool +Bash${HOSTILE_CLEANED}$`, 'm'));
  assert.match(out, /^  rule +client-waiting: the client says it waits for the user/m);
  assert.match(out, /^vmuxd is not running: vmux scanned by itself/m);
  assert.doesNotMatch(out, /unseen/, 'only vmuxd knows what the user looked at');
});

test('vmux explain --json gives the same as one object', async () => {
  const proc = await permissionSession();
  const { code, out, err } = await vmux('explain', permissionId.slice(0, 8), '--json');
  assert.equal(code, 0, err);
  assert.doesNotMatch(out, RAW_CONTROL, 'JSON escapes what a terminal would act on');
  const explained = JSON.parse(out) as ExplainJson;
  assert.deepEqual(
    [explained.pid, explained.session_id, explained.state, explained.rule, explained.reason],
    [proc.pid, permissionId, 'needs_input', 'client-waiting', `waiting for permission: Bash${HOSTILE}`],
  );
  assert.deepEqual(Object.keys(explained).sort(), [
    'pid', 'preview', 'process', 'reason', 'rule', 'rule_says', 'session_id', 'sessions_file', 'since', 'state', 'transcript', 'transcript_says', 'vmuxd',
  ]);
  // Strings are exact once parsed, as in vmux list --json; record summaries are cleaned lines.
  assert.equal(explained.process.cwd, `${root}/${HOSTILE}`);
  assert.deepEqual([explained.sessions_file.found, explained.sessions_file.status, explained.sessions_file.waiting_for], [true, 'waiting', 'permission prompt']);
  assert.equal(explained.transcript.matched_by, 'sessions-file');
  assert.deepEqual(explained.transcript.records.map((r) => r.kind), ['prompt', 'assistant']);
  assert.equal(explained.transcript_says.pending_tool, `Bash${HOSTILE}`);
  const { at, ...toolCall } = explained.transcript.records[1] ?? {};
  assert.match(at ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(toolCall, { kind: 'assistant', tools: [`Bash${HOSTILE_CLEANED}`], notes: ['tool_use', 'stop_reason tool_use'] });
  assert.deepEqual(explained.transcript_says.background, { shells: 0, agents: 0, running: [], agents_at_turn_end: 0 });
  assert.deepEqual([explained.vmuxd.running, explained.vmuxd.scanned?.pid], [false, proc.pid]);
});

test('vmux explain: a query that matches nothing, or several sessions, exits 2 with the candidates; none at all is a wrong call', async () => {
  await permissionSession();
  const twinA = await session('twin-a', 'abcd0000-0000-4000-8000-00000000000a', 'idle');
  const twinB = await session('twin-b', 'abcd0000-0000-4000-8000-00000000000b', 'idle');

  const nothing = await vmux('explain', 'no-such-session');
  assert.equal(nothing.code, 2);
  assert.match(nothing.err, /no session matches 'no-such-session'; running sessions:/);
  assert.equal(nothing.out, '');

  const ambiguous = await vmux('explain', 'abcd');
  assert.equal(ambiguous.code, 2);
  assert.match(ambiguous.err, /'abcd' matches 2 sessions:/);
  assert.match(ambiguous.err, new RegExp(`pid ${twinA.pid}`));
  assert.match(ambiguous.err, new RegExp(`pid ${twinB.pid}`));

  const unnamed = await vmux('explain');
  assert.equal(unnamed.code, 2);
  assert.match(unnamed.err, /name the session to explain/);
});

test('vmux explain with vmuxd running: the session is named by its label, and what vmuxd serves is shown', async () => {
  const id = 'e2000000-0000-4000-8000-000000000003';
  const proc = await session('served', id, 'idle');
  transcript(proc, id).prompt('fix it', minuteAgo()).assistantText('Fixed.', minuteAgo()).turnDuration(minuteAgo());
  const daemon = await startVmuxd({ home: env.VMUX_HOME, claudeDir, userHome: root, env: { VMUX_PROC_ROOT: procRoot, XDG_CONFIG_HOME: env.XDG_CONFIG_HOME } });
  try {
    const labelled = await vmux('label', String(proc.pid), 'review');
    assert.equal(labelled.code, 0, labelled.err);

    const text = await vmux('explain', 'review');
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /^  rule +idle-transcript: /m);
    assert.match(text.out, /^vmuxd serves\n  state +needs input: turn ended 1 min ago\n  waiting since +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(1 min ago\)\n  label +review\n/m);
    assert.match(text.out, /^  unseen +(yes|no)/m);
    assert.match(text.out, /^  focused +no$/m);

    const json = await vmux('explain', 'review', '--json');
    assert.equal(json.code, 0, json.err);
    const { vmuxd } = JSON.parse(json.out) as ExplainJson;
    assert.equal(vmuxd.running, true);
    assert.deepEqual([vmuxd.serves?.['pid'], vmuxd.serves?.['label'], vmuxd.serves?.['state'], vmuxd.serves?.['focused']], [proc.pid, 'review', 'needs_input', false]);
    assert.equal(typeof vmuxd.serves?.['unseen'], 'boolean');
  } finally {
    await daemon.stop();
  }
});
