import { believableTime, DEFAULT_IDLE_THRESHOLD_MS, type StateVerdict } from '../session-state.js';
import { formatAge } from './format-age.js';
import type { TranscriptTail } from './tail-read.js';
import type { AssistantBlock, ConversationEntry } from './transcript-record.js';

export interface DetectOptions {
  /** A finished turn older than this is idle rather than waiting. */
  readonly idleThresholdMs: number;
}

type ToolUse = Extract<AssistantBlock, { type: 'tool_use' }>;
type AssistantEntry = Extract<ConversationEntry, { kind: 'assistant' }>;
type RetryEntry = Extract<ConversationEntry, { kind: 'api-retry' }>;

/** The newest deciding point of a conversation, with the assistant message it belongs to. */
export interface ConversationEnd {
  /** The last record that decides the state; undefined when there is no conversation yet. */
  readonly last?: ConversationEntry;
  /** When `last` is an assistant record: every block of its API message, in order. */
  readonly message?: {
    readonly blocks: readonly AssistantBlock[];
    readonly stopReason?: string;
    readonly apiError?: string;
    readonly at?: Date;
  };
  /** The newest retry notice after `last`: the request failed and will be sent again. */
  readonly retry?: RetryEntry;
}

/** Tools whose call is a question to the user: pending, they wait for an answer, not a machine. */
const QUESTION_TOOLS: Readonly<Record<string, string>> = {
  AskUserQuestion: 'question for you',
  ExitPlanMode: 'plan waiting for approval',
};

/**
 * Finds where the conversation stands: the last deciding record, grouping the records of one
 * API message (the client writes one record per content block, sharing `message.id`).
 */
export function conversationEnd(entries: readonly ConversationEntry[]): ConversationEnd {
  let index = entries.length - 1;
  let retry: RetryEntry | undefined;
  for (; index >= 0; index--) {
    const entry = entries[index];
    if (entry?.kind !== 'api-retry') break;
    retry ??= entry;
  }
  const last = entries[index];
  if (last === undefined) return retry ? { retry } : {};
  if (last.kind !== 'assistant') return { last, ...(retry ? { retry } : {}) };

  const records: AssistantEntry[] = [last];
  for (let i = index - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry?.kind === 'api-retry') continue;
    if (entry?.kind !== 'assistant' || last.messageId === undefined || entry.messageId !== last.messageId) break;
    records.unshift(entry);
  }
  const blocks = records.flatMap((record) => record.blocks);
  // Recent clients write the final stop reason on every record; older ones only on the last, if at all.
  const stopReason = records.findLast((record) => record.stopReason !== undefined)?.stopReason;
  const apiError = records.find((record) => record.apiError !== undefined)?.apiError;
  const at = last.at;
  return {
    last,
    message: {
      blocks,
      ...(stopReason !== undefined ? { stopReason } : {}),
      ...(apiError !== undefined ? { apiError } : {}),
      ...(at !== undefined ? { at } : {}),
    },
    ...(retry ? { retry } : {}),
  };
}

/** The tool calls of the final assistant message; nothing can have answered them yet. */
export function pendingToolUses(end: ConversationEnd): ToolUse[] {
  return (end.message?.blocks ?? []).filter((block): block is ToolUse => block.type === 'tool_use');
}

/**
 * The transcript's verdict on a session (CLAUDE-CODE-FORMAT §7): a pure function of the tail and
 * the time. Decides from grouped content, never from `stop_reason` alone, which is null on most
 * records of older clients.
 */
export function detectState(
  tail: TranscriptTail,
  now: Date,
  options: DetectOptions = { idleThresholdMs: DEFAULT_IDLE_THRESHOLD_MS },
): StateVerdict {
  tail = withoutFutureTimes(tail, now);
  const end = conversationEnd(tail.entries);
  const { last } = end;
  const since = (at: Date | undefined): { since?: Date } => (at === undefined ? {} : { since: at });
  const turnEnded = (at: Date | undefined, how = 'turn ended'): StateVerdict => {
    const endedAt = at ?? tail.lastActivity;
    // Age from the newest record of any kind: a recap or title written later means recent activity.
    const activity = tail.lastActivity ?? endedAt;
    const age = activity === undefined ? 0 : now.getTime() - activity.getTime();
    const ago = endedAt === undefined ? '' : ` ${formatAge(now.getTime() - endedAt.getTime())} ago`;
    return { state: age >= options.idleThresholdMs ? 'idle' : 'needs_input', reason: `${how}${ago}`, ...since(endedAt) };
  };
  const working = (reason: string, at?: Date): StateVerdict => ({
    state: 'working',
    reason: end.retry ? `${reason}; ${retryPhrase(end.retry)}` : reason,
    ...since(at),
  });

  if (last === undefined) return end.retry ? working('waiting for the API') : { state: 'idle', reason: 'no prompt yet' };
  switch (last.kind) {
    case 'interrupt':
      return { state: 'idle', reason: 'interrupted by user', ...since(last.at) };
    case 'prompt':
      return working(last.fromTaskNotification ? 'answering a background task' : 'working on your prompt', last.at);
    case 'tool-result':
      return working('working after a tool result', last.at);
    case 'api-retry':
      return working('retrying the API request', last.at);
    case 'turn-end':
      return turnEnded(lastAssistantTime(tail.entries) ?? last.at);
    case 'assistant': {
      const message = end.message;
      if (message?.apiError !== undefined) return turnEnded(message.at, 'stopped on an API error');
      const tools = pendingToolUses(end);
      const tool = tools[tools.length - 1];
      if (tool !== undefined) {
        const question = QUESTION_TOOLS[tool.name];
        if (question !== undefined) return { state: 'needs_input', reason: question, ...since(message?.at) };
        return working(`running tool: ${tool.name}`, message?.at);
      }
      const finalBlock = message?.blocks[message.blocks.length - 1];
      if (finalBlock === undefined || finalBlock.type === 'thinking') return working('thinking', message?.at);
      // Older clients leave stop_reason null even on final text; a colon there means more is coming.
      if (finalBlock.type === 'text' && message?.stopReason === undefined && /:\s*$/.test(finalBlock.text)) {
        return working('writing', message?.at);
      }
      return turnEnded(message?.at);
    }
  }
}

/** The tail with every time that lies in the future forgotten: such a record says when nothing happened. */
function withoutFutureTimes(tail: TranscriptTail, now: Date): TranscriptTail {
  const future = (at: Date | undefined): boolean => at !== undefined && believableTime(at, now) === undefined;
  if (!future(tail.lastActivity) && !tail.entries.some((entry) => future(entry.at))) return tail;
  const { lastActivity, ...rest } = tail;
  const believed = believableTime(lastActivity, now);
  return {
    ...rest,
    ...(believed ? { lastActivity: believed } : {}),
    entries: tail.entries.map((entry) => {
      if (!future(entry.at)) return entry;
      const { at: _, ...timeless } = entry;
      return timeless;
    }),
  };
}

function lastAssistantTime(entries: readonly ConversationEntry[]): Date | undefined {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry?.kind === 'assistant') return entry.at;
    if (entry?.kind !== 'turn-end' && entry?.kind !== 'api-retry') return undefined;
  }
  return undefined;
}

function retryPhrase(retry: RetryEntry): string {
  if (retry.attempt !== undefined && retry.maxRetries !== undefined) {
    return `retrying the API request (${retry.attempt}/${retry.maxRetries})`;
  }
  return 'retrying the API request';
}
