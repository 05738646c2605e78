import { basename } from 'node:path';
import type { Urgency } from '../desktop/notifications/notification-sink.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { oneLine } from '../text/sanitize-text.js';

/** What a waiting session asks of the user, read from the reasons vmux gives (docs/state-model.md). */
export type WaitKind = 'permission' | 'question' | 'plan' | 'dialog' | 'api-error' | 'finished' | 'other';

/** A title or a line of a notification: servers show one line, a little more than a preview. */
const TITLE_MAX_CHARACTERS = 80;
const LINE_MAX_CHARACTERS = 160;

/** Tools whose permission prompt is a command to run; the others are used (Edit a file, fetch a URL). */
const COMMAND_TOOLS: ReadonlySet<string> = new Set(['Bash', 'PowerShell']);

/**
 * Urgency by what the session waits for. Claude is stopped mid-task on a permission prompt, a
 * question, a plan or a dialog: nothing moves until the user answers, so it is critical (servers
 * keep those on screen until dismissed, and vmux closes them once the session is seen). An API
 * error ended a turn the user expected to go on: worth telling, not blocking, normal. A finished
 * turn is good news that can wait: low (servers show it briefly and keep it in their history).
 */
export const URGENCY_OF: Readonly<Record<WaitKind, Urgency>> = {
  permission: 'critical',
  question: 'critical',
  plan: 'critical',
  dialog: 'critical',
  'api-error': 'normal',
  other: 'normal',
  finished: 'low',
};

export interface WaitDescription {
  readonly kind: WaitKind;
  /** In the user's words: "wants to run Bash: npm run migrate", "finished: Done." */
  readonly phrase: string;
  readonly urgency: Urgency;
}

/**
 * What a session in `needs_input` waits for, from its `reason` (the state model's words, an age
 * and what still runs after ` · `) and its `preview` (the pending tool call or Claude's last words).
 */
export function describeWait(session: Pick<SessionInfo, 'reason' | 'preview'>): WaitDescription {
  const [head = '', ...running] = session.reason.split(' · ');
  const preview = session.preview.trim();
  const { kind, phrase } = readHead(head, preview);
  const still = running.length > 0 ? ` · ${running.join(' · ')}` : '';
  return { kind, phrase: oneLine(`${phrase}${still}`, LINE_MAX_CHARACTERS), urgency: URGENCY_OF[kind] };
}

function readHead(head: string, preview: string): { kind: WaitKind; phrase: string } {
  const permission = /^waiting for permission(?:: (.+))?$/.exec(head);
  if (permission !== null) {
    const tool = permission[1];
    if (tool === undefined) return { kind: 'permission', phrase: 'asks for permission' };
    const verb = COMMAND_TOOLS.has(tool) ? 'wants to run' : 'wants to use';
    // The preview is the pending call ("Bash: npm run migrate") when it names this tool.
    const call = preview === tool || preview.startsWith(`${tool}: `) ? preview : tool;
    return { kind: 'permission', phrase: `${verb} ${call}` };
  }
  if (head === 'question for you' || head === 'waiting for your answer') return { kind: 'question', phrase: 'asks you a question' };
  if (head === 'plan waiting for approval') return { kind: 'plan', phrase: 'asks you to approve a plan' };
  if (head === 'a dialog waits for you') return { kind: 'dialog', phrase: 'waits for you in a dialog' };
  if (head === 'asks whether to trust this folder') return { kind: 'dialog', phrase: 'asks whether to trust this folder' };
  if (/^waiting for you\b/.test(head)) return { kind: 'dialog', phrase: 'waits for you' };
  if (head.startsWith('stopped on an API error')) return { kind: 'api-error', phrase: 'stopped on an API error' };
  if (/^(turn ended|conversation compacted|resumed)\b/.test(head)) {
    return { kind: 'finished', phrase: preview ? `finished: ${preview}` : 'finished its turn' };
  }
  return { kind: 'other', phrase: head || 'needs you' };
}

/** The session as the user named it: its label, else its folder and branch ("api (fix-auth)"). */
export function sessionTitle(session: Pick<SessionInfo, 'label' | 'cwd' | 'git_branch' | 'pid'>): string {
  if (session.label) return oneLine(session.label, TITLE_MAX_CHARACTERS);
  const folder = basename(session.cwd) || session.cwd || `pid ${session.pid}`;
  return oneLine(session.git_branch ? `${folder} (${session.git_branch})` : folder, TITLE_MAX_CHARACTERS);
}

/** Most urgent first. */
export function urgencyRank(urgency: Urgency): number {
  return urgency === 'critical' ? 2 : urgency === 'normal' ? 1 : 0;
}
