/**
 * `npm run accuracy -- <dir> [--json]`: classifies every transcript in a folder as of 60 s after
 * its last record, as if its process were alive, and compares with the folder's `labels.json`
 * (`{"<file>": {"state": …, "reason": …}}`) when there is one. Exit 1 when any label disagrees.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SESSION_STATES, type SessionState, type StateVerdict } from '../session-state.js';
import { classifySession } from '../sessions/classify-session.js';
import { detectState } from '../transcript/detect-state.js';
import { pendingToolName } from '../transcript/preview.js';
import { DEFAULT_TAIL_RECORDS, tailReadJsonl } from '../transcript/tail-read.js';
import { messageOf } from '../errors.js';

const USAGE = `Usage: npm run accuracy -- <folder> [--json]

Classifies every .jsonl transcript in <folder> as of 60 s after its last record and prints
each file's state and reason. With a labels.json in the folder, also prints whether each file
agrees with its label and the overall agreement; exits 1 when any file disagrees.
`;

/** The moment of judgement: a minute after the last record, as a user glancing at it would. */
const JUDGED_AFTER_MS = 60_000;

interface FileVerdict {
  readonly file: string;
  readonly state: SessionState;
  readonly reason: string;
  readonly expected?: SessionState;
}

export function classifyTranscriptFile(path: string): StateVerdict {
  const tail = tailReadJsonl(path, DEFAULT_TAIL_RECORDS);
  const now = new Date((tail.lastActivity?.getTime() ?? Date.now()) + JUDGED_AFTER_MS);
  const tool = pendingToolName(tail);
  return classifySession({ transcript: { verdict: detectState(tail, now), ...(tool ? { pendingTool: tool } : {}) } }, now);
}

function readLabels(folder: string): Map<string, SessionState> | undefined {
  let text: string;
  try {
    text = readFileSync(join(folder, 'labels.json'), 'utf8');
  } catch {
    return undefined;
  }
  const labels = new Map<string, SessionState>();
  const raw: unknown = JSON.parse(text);
  if (typeof raw !== 'object' || raw === null) throw new Error('labels.json is not an object');
  for (const [file, label] of Object.entries(raw)) {
    const state: unknown = typeof label === 'object' && label !== null ? (label as { state?: unknown }).state : label;
    const known = SESSION_STATES.find((s) => s === state);
    if (known === undefined) throw new Error(`labels.json: ${file} has no valid state`);
    labels.set(file, known);
  }
  return labels;
}

function main(argv: readonly string[]): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const folder = positionals[0];
  if (folder === undefined || positionals.length > 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  const labels = readLabels(folder);
  const files = readdirSync(folder).filter((name) => name.endsWith('.jsonl')).sort();
  const verdicts: FileVerdict[] = files.map((file) => {
    const verdict = classifyTranscriptFile(join(folder, file));
    const expected = labels?.get(file);
    return { file, state: verdict.state, reason: verdict.reason, ...(expected ? { expected } : {}) };
  });
  const labelled = verdicts.filter((v) => v.expected !== undefined);
  const agreeing = labelled.filter((v) => v.expected === v.state);

  if (values.json) {
    process.stdout.write(`${JSON.stringify(verdicts.map(({ file, state, reason }) => ({ file, state, reason })), null, 2)}\n`);
  } else {
    const width = Math.max(4, ...verdicts.map((v) => v.file.length));
    for (const v of verdicts) {
      const mark = v.expected === undefined ? ' ' : v.expected === v.state ? '✓' : '✗';
      const expected = v.expected !== undefined && v.expected !== v.state ? ` (label: ${v.expected})` : '';
      process.stdout.write(`${mark} ${v.file.padEnd(width)}  ${v.state.padEnd(11)} ${v.reason}${expected}\n`);
    }
    if (labels !== undefined) process.stdout.write(`\nagreement: ${agreeing.length}/${labelled.length}\n`);
  }
  return agreeing.length === labelled.length ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`accuracy: ${messageOf(error)}\n`);
  process.exitCode = 2;
}
