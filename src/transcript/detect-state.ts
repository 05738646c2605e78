import { believableTime, DEFAULT_IDLE_THRESHOLD_MS, type StateVerdict } from '../session-state.js';
import { formatAge } from './format-age.js';
import type { TranscriptTail } from './tail-read.js';
import type { AssistantBlock, BackgroundLaunch, ConversationEntry } from './transcript-record.js';

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
  /** Attempts of the current request written after `last` (2.1.332: one `api-request` each). */
  readonly attempts: number;
  /** When the conversation was last compacted, if after `last`. */
  readonly compactedAt?: Date;
}

/** Records that say something about the request under way but do not move the conversation. */
const NOT_DECIDING: ReadonlySet<ConversationEntry['kind']> = new Set(['api-retry', 'api-request', 'compacted']);

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
  let attempts = 0;
  let compactedAt: Date | undefined;
  for (; index >= 0; index--) {
    const entry = entries[index];
    if (entry === undefined || !NOT_DECIDING.has(entry.kind)) break;
    if (entry.kind === 'api-retry') retry ??= entry;
    if (entry.kind === 'api-request') attempts++;
    if (entry.kind === 'compacted') compactedAt ??= entry.at ?? new Date(0);
  }
  const markers = { attempts, ...(retry ? { retry } : {}), ...(compactedAt ? { compactedAt } : {}) };
  const last = entries[index];
  if (last === undefined) return markers;
  if (last.kind !== 'assistant') return { last, ...markers };

  const records: AssistantEntry[] = [last];
  for (let i = index - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry !== undefined && NOT_DECIDING.has(entry.kind)) continue;
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
    ...markers,
  };
}

/** Work left running in the background by the conversation's tool calls, as far as the tail shows. */
export interface BackgroundWork {
  readonly shells: number;
  readonly agents: number;
}

/** A background task the tail shows launched, with the time of the tool result that launched it. */
export interface LaunchedTask extends BackgroundLaunch {
  readonly at?: Date;
}

/** Background tasks as far as the tail shows, with what tells that they still run. */
export interface BackgroundTasks {
  /** Launched by a tool call, and no `<task-notification>` has named that call since. */
  readonly running: readonly LaunchedTask[];
  /** Agents the newest turn end counted still running (2.1.332), less the notifications after it. */
  readonly agentsAtTurnEnd: number;
}

/**
 * Background shells and agents launched and not yet reported done by a `<task-notification>`.
 * A launch older than the tail is not seen; the newest turn end's own count of pending agents
 * (2.1.332) then still tells about agents.
 */
export function backgroundTasks(entries: readonly ConversationEntry[]): BackgroundTasks {
  const running = new Map<string, LaunchedTask>();
  let agentsAtTurnEnd = 0;
  for (const entry of entries) {
    if (entry.kind === 'tool-result') {
      for (const launch of entry.backgroundLaunches ?? []) running.set(launch.toolUseId, { ...launch, ...(entry.at ? { at: entry.at } : {}) });
    }
    if (entry.kind === 'prompt' && entry.finishedToolUseId !== undefined) running.delete(entry.finishedToolUseId);
    if (entry.kind === 'turn-end') agentsAtTurnEnd = entry.pendingBackgroundAgents ?? 0;
    // A notification after the turn end may report one of those agents done.
    if (entry.kind === 'prompt' && entry.fromTaskNotification) agentsAtTurnEnd = Math.max(0, agentsAtTurnEnd - 1);
  }
  return { running: [...running.values()], agentsAtTurnEnd };
}

/** How many background shells and agents still run, as far as the tail shows. */
export function backgroundWork(entries: readonly ConversationEntry[]): BackgroundWork {
  const { running, agentsAtTurnEnd } = backgroundTasks(entries);
  return {
    shells: running.filter((task) => task.kind === 'shell').length,
    agents: Math.max(running.filter((task) => task.kind === 'agent').length, agentsAtTurnEnd),
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
  const background = backgroundWork(tail.entries);
  const since = (at: Date | undefined): { since?: Date } => (at === undefined ? {} : { since: at });
  const turnEnded = (at: Date | undefined, how = 'turn ended'): StateVerdict => {
    // After a compaction the session last changed then, not when the turn before it ended.
    const compacted = end.compactedAt !== undefined && (at === undefined || end.compactedAt > at);
    const endedAt = compacted ? end.compactedAt : (at ?? tail.lastActivity);
    // Age from the newest record of any kind: a recap or title written later means recent activity.
    const activity = tail.lastActivity ?? endedAt;
    const age = activity === undefined ? 0 : now.getTime() - activity.getTime();
    const ago = endedAt === undefined ? '' : ` ${formatAge(now.getTime() - endedAt.getTime())} ago`;
    const what = compacted ? 'conversation compacted' : how;
    return { state: age >= options.idleThresholdMs ? 'idle' : 'needs_input', reason: `${what}${ago}${stillRunning(background)}`, ...since(endedAt) };
  };
  const working = (reason: string, at?: Date): StateVerdict => ({
    state: 'working',
    reason: `${reason}${retrying(end)}${stillRunning(background)}`,
    ...since(at),
  });

  if (last === undefined) return end.retry || end.attempts > 0 ? working('waiting for the API') : { state: 'idle', reason: 'no prompt yet' };
  switch (last.kind) {
    case 'interrupt': {
      const stopped = rejectedToolBefore(tail.entries, last);
      return { state: 'idle', reason: stopped === undefined ? 'interrupted by user' : `you stopped ${stopped}`, ...since(last.at) };
    }
    case 'prompt':
      return working(last.fromTaskNotification ? "answering a background task's result" : 'working on your prompt', last.at);
    case 'tool-result':
      return working('working on the tool result', last.at);
    case 'turn-end': {
      if (last.pendingBackgroundAgents !== undefined) {
        // 2.1.332: the turn is over but the client waits for its agents, and says so on screen.
        return { state: 'working', reason: `waiting for ${countOf(background.agents, 'background agent')} to finish`, ...since(last.at) };
      }
      const answer = lastAssistantBefore(tail.entries);
      return turnEnded(answer?.at ?? last.at, answer?.apiError !== undefined ? 'stopped on an API error' : 'turn ended');
    }
    case 'api-retry':
    case 'api-request':
    case 'compacted':
      // Skipped by conversationEnd: never the last deciding record.
      return working('working', last.at);
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

/** "1 background shell", "2 background agents". */
export function countOf(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** " · 1 background shell running", or nothing. */
export function stillRunning(background: BackgroundWork): string {
  const parts = [
    ...(background.shells > 0 ? [countOf(background.shells, 'background shell')] : []),
    ...(background.agents > 0 ? [countOf(background.agents, 'background agent')] : []),
  ];
  return parts.length === 0 ? '' : ` · ${parts.join(', ')} running`;
}

/** "; retrying the API request (2/10)" while a failed request is being sent again. */
function retrying(end: ConversationEnd): string {
  if (end.retry !== undefined) return `; ${retryPhrase(end.retry)}`;
  // 2.1.332 notes each attempt instead: the second one is the first retry.
  return end.attempts >= 2 ? `; retrying the API request (attempt ${end.attempts})` : '';
}

/** The tool the user said no to (or stopped) just before an interrupt marker. */
function rejectedToolBefore(entries: readonly ConversationEntry[], interrupt: ConversationEntry): string | undefined {
  const index = entries.lastIndexOf(interrupt);
  const result = entries[index - 1];
  // The marker in the tool's own result (older clients), or after a rejected result (2.1.x).
  const ids =
    interrupt.kind === 'interrupt' && interrupt.toolUseIds !== undefined
      ? interrupt.toolUseIds
      : result?.kind === 'tool-result' && result.rejected === true
        ? result.toolUseIds
        : // The Node build: the marker in the tool's result, then again as a text of its own.
          result?.kind === 'interrupt'
          ? result.toolUseIds
          : undefined;
  if (ids === undefined) return undefined;
  for (let i = index - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry?.kind !== 'assistant') continue;
    const tool = entry.blocks.find((block) => block.type === 'tool_use' && ids.includes(block.id));
    if (tool?.type === 'tool_use') return tool.name;
  }
  return 'the tool';
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

/** The assistant record a turn end closes: the answer, or the API error the client gave up with. */
function lastAssistantBefore(entries: readonly ConversationEntry[]): AssistantEntry | undefined {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry?.kind === 'assistant') return entry;
    if (entry === undefined || (entry.kind !== 'turn-end' && !NOT_DECIDING.has(entry.kind))) return undefined;
  }
  return undefined;
}

function retryPhrase(retry: RetryEntry): string {
  if (retry.attempt !== undefined && retry.maxRetries !== undefined) {
    return `retrying the API request (${retry.attempt}/${retry.maxRetries})`;
  }
  return 'retrying the API request';
}
