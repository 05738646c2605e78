import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SessionState } from '../session-state.js';
import { backgroundWork, detectState } from '../transcript/detect-state.js';
import { pendingToolName } from '../transcript/preview.js';
import { tailReadJsonl, DEFAULT_TAIL_RECORDS } from '../transcript/tail-read.js';
import { classifySession, type SessionSignals } from './classify-session.js';
import { parseSessionFile } from './session-file.js';

/**
 * The state and reason of every situation recorded with the real clients (test/fixtures/clients,
 * made by test/e2e/record-client-fixtures.ts), decided as a scan would at the moment each was
 * captured. Each row is what the screen showed then (screen.txt beside it).
 */
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/clients/', import.meta.url));

type Expected = readonly [state: SessionState, reason: RegExp];
// What more than one client gets: the rows below then show where the versions differ.
const FRESH: Expected = ['idle', /^no prompt yet$/];
const ANSWERED: Expected = ['needs_input', /^turn ended \d+ s ago$/];
const ON_THE_PROMPT: Expected = ['working', /^working on your prompt$/];
const ASKS_PERMISSION: Expected = ['needs_input', /^waiting for permission: Bash$/];
const STOPPED_BASH: Expected = ['idle', /^you stopped Bash$/];
const RUNS_BASH: Expected = ['working', /^running tool: Bash$/];
const SHELL_AFTER_TURN: Expected = ['needs_input', /^turn ended \d+ s ago · 1 background shell running$/];
const RUNS_AGENT: Expected = ['working', /^running tool: Agent$/];
const QUESTION: Expected = ['needs_input', /^question for you$/];
const PLAN: Expected = ['needs_input', /^plan waiting for approval$/];
const COMPACTING: Expected = ['working', /^compacting the conversation$/];
const COMPACTED: Expected = ['needs_input', /^conversation compacted \d+ s ago$/];
const API_ERROR: Expected = ['needs_input', /^stopped on an API error \d+ s ago$/];
const RESUMED: Expected = ['needs_input', /^resumed \d+ s ago$/];

const EXPECTED: Readonly<Record<string, Readonly<Record<string, Expected>>>> = {
  '2.1.332': {
    fresh: FRESH,
    'trust-dialog': ['needs_input', /^asks whether to trust this folder$/],
    answered: ANSWERED,
    'text-question': ANSWERED,
    thinking: ON_THE_PROMPT,
    streaming: ON_THE_PROMPT,
    'permission-prompt': ASKS_PERMISSION,
    'permission-denied': STOPPED_BASH,
    'tool-running': RUNS_BASH,
    'tool-interrupted': STOPPED_BASH,
    'bash-background-running': SHELL_AFTER_TURN,
    'bash-background-notified': ANSWERED,
    'agent-running': ['working', /^waiting for 1 background agent to finish$/],
    'agent-done': ANSWERED,
    'agent-auto-mode-dialog': ['needs_input', /^a dialog waits for you$/],
    'ask-question': QUESTION,
    'plan-approval': PLAN,
    'compact-running': COMPACTING,
    'compact-done': COMPACTED,
    'api-retry-waiting': ['working', /^working on your prompt; retrying the API request \(attempt 2\)$/],
    'api-retry-answered': ANSWERED,
    'api-error': API_ERROR,
    continued: RESUMED,
    'continued-answered': ANSWERED,
    'print-running': ON_THE_PROMPT,
  },
  '2.1.197': {
    fresh: FRESH,
    answered: ANSWERED,
    'text-question': ANSWERED,
    thinking: ON_THE_PROMPT,
    'permission-prompt': ASKS_PERMISSION,
    'permission-denied': STOPPED_BASH,
    'tool-running': RUNS_BASH,
    'tool-interrupted': STOPPED_BASH,
    'bash-background-running': SHELL_AFTER_TURN,
    'bash-background-notified': ANSWERED,
    'agent-running': RUNS_AGENT,
    'ask-question': QUESTION,
    'plan-approval': PLAN,
    'compact-running': COMPACTING,
    'compact-done': COMPACTED,
    'api-retry-waiting': ON_THE_PROMPT,
    'api-error': API_ERROR,
    continued: RESUMED,
  },
  '2.1.100': {
    answered: ANSWERED,
    'permission-denied': STOPPED_BASH,
    'tool-running': RUNS_BASH,
    'tool-interrupted': STOPPED_BASH,
    'bash-background-running': SHELL_AFTER_TURN,
    'agent-running': RUNS_AGENT,
    'ask-question': QUESTION,
    'plan-approval': PLAN,
    'compact-done': COMPACTED,
    'api-retry-waiting': ['working', /^working on your prompt; retrying the API request \(1\/10\)$/],
  },
};

interface Meta {
  readonly capturedAt: string;
  readonly sessionsDir?: readonly string[];
}

/** The signals a scan would have gathered at the moment the situation was recorded. */
function signalsOf(dir: string, situation: string): { signals: SessionSignals; now: Date } {
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Meta;
  const now = new Date(meta.capturedAt);
  const raw: unknown = existsSync(join(dir, 'session.json')) ? JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8')) : undefined;
  const file = raw === undefined ? undefined : parseSessionFile(raw, (raw as { pid: number }).pid);
  const tail = existsSync(join(dir, 'transcript.jsonl')) ? tailReadJsonl(join(dir, 'transcript.jsonl'), DEFAULT_TAIL_RECORDS) : undefined;
  const pending = tail === undefined ? undefined : pendingToolName(tail);
  const signals: SessionSignals = {
    ...(file?.status
      ? { clientStatus: { status: file.status, ...(file.waitingFor ? { waitingFor: file.waitingFor } : {}), ...(file.statusUpdatedAt ? { since: file.statusUpdatedAt } : {}), ...(file.startedAt ? { startedAt: file.startedAt } : {}) } }
      : {}),
    ...(tail
      ? { transcript: { verdict: detectState(tail, now), background: backgroundWork(tail.entries), ...(pending ? { pendingTool: pending } : {}) } }
      : { noTranscript: 'none-yet' as const }),
    // `claude --continue` started the process; its sessions file says when.
    ...(situation.startsWith('continued') && file?.startedAt ? { resumedAt: file.startedAt } : {}),
    ...(file === undefined && (meta.sessionsDir ?? []).some((name) => name.endsWith('.key')) ? { startupDialogSince: now } : {}),
  };
  return { signals, now };
}

for (const [version, situations] of Object.entries(EXPECTED)) {
  test(`recorded Claude Code ${version}: every situation gets the state and reason its screen shows`, () => {
    for (const [situation, [state, reason]] of Object.entries(situations)) {
      const dir = join(FIXTURES, version, situation);
      assert.ok(existsSync(join(dir, 'meta.json')), `fixture ${version}/${situation} is missing`);
      const { signals, now } = signalsOf(dir, situation);
      const verdict = classifySession(signals, now);
      assert.equal(verdict.state, state, `${version}/${situation}: ${verdict.reason}`);
      assert.match(verdict.reason, reason, `${version}/${situation}`);
    }
  });
}
