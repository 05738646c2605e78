import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Anthropic Messages API, enough for the real Claude Code client to hold a
 * conversation offline. It listens on 127.0.0.1 (random port) and answers:
 * - `POST /v1/messages` (with or without `?beta=true`): streamed as server-sent events when the
 *   request asks for `stream: true`, else one JSON message;
 * - `POST /v1/messages/count_tokens`: a token count;
 * - anything else: an empty `200 {}` (HEAD, GET, other paths), so no client check fails.
 *
 * What the model answers is decided by words in the last user message (the prompt typed in the
 * test, or a subagent's prompt), one per prompt, the rest of the line being its argument:
 *
 * | the prompt holds | the model answers |
 * |---|---|
 * | `RUN_BASH <command>` | a `tool_use` of `Bash` |
 * | `RUN_BASH_BG <command>` | a `tool_use` of `Bash` with `run_in_background: true` |
 * | `RUN_AGENT <prompt>` | a `tool_use` of `Agent` (`Task` in clients that call it so), `general-purpose`, with that prompt |
 * | `ASK_QUESTION` | a `tool_use` of `AskUserQuestion` (one question, two options) |
 * | `PLAN_APPROVAL` | a `tool_use` of `ExitPlanMode` with a short plan |
 * | `ASK_TEXT` | a text ending in a question to the user, `end_turn` |
 * | `THINK <ms>` | a `thinking` block streamed over that long, then a text |
 * | `STREAM <ms>` | a long text streamed over that long |
 * | `OVERLOADED <n>` | HTTP 529 `overloaded_error` to the first n requests of that prompt, then an answer |
 * | `SLOW <ms>` | (with any of the above) holds the stream that long after `message_start` |
 * | anything else | `Answer: <first words of the prompt>`, `end_turn` |
 *
 * A `tool_result` alone continues the turn with a short text; a `<task-notification>` (a
 * background task ended) gets "Noted: the background task finished."; the compaction request
 * ("…summary of the conversation…") gets a `<summary>`. Requests without tools (the client's own
 * side requests, such as title generation) always get a plain text answer.
 */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
  readonly at: Date;
}

export interface FakeAnthropicApi {
  /** `http://127.0.0.1:<port>`, for `ANTHROPIC_BASE_URL`. */
  readonly baseUrl: string;
  /** Every request received, in order (for debugging a scenario). */
  readonly requests: readonly RecordedRequest[];
  /** The requests that asked the model for a turn of the conversation (streamed `/v1/messages`). */
  conversationRequests(): RecordedRequest[];
  close(): Promise<void>;
}

export const RUN_BASH = 'RUN_BASH';
export const RUN_BASH_BG = 'RUN_BASH_BG';
export const RUN_AGENT = 'RUN_AGENT';
export const ASK_QUESTION = 'ASK_QUESTION';
export const PLAN_APPROVAL = 'PLAN_APPROVAL';
export const ASK_TEXT = 'ASK_TEXT';
export const THINK = 'THINK';
export const STREAM = 'STREAM';
export const OVERLOADED = 'OVERLOADED';
export const SLOW = 'SLOW';
/** The text of the `ASK_TEXT` answer. */
export const TEXT_QUESTION = 'Should I also update the changelog?';
export const TASK_NOTIFICATION_ANSWER = 'Noted: the background task finished.';
export const COMPACT_SUMMARY = 'Fake summary of the conversation so far.';
/** Longest hold or spread the API accepts, so that no test can park a stream forever. */
const MAX_DELAY_MS = 600_000;
const MODEL_FALLBACK = 'claude-sonnet-4-5';

interface ContentBlockText {
  readonly type: 'text';
  readonly text: string;
}
interface ContentBlockThinking {
  readonly type: 'thinking';
  readonly thinking: string;
}
interface ContentBlockToolUse {
  readonly type: 'tool_use';
  readonly id: string;
  readonly name: string;
  readonly input: Record<string, unknown>;
}
type AnswerBlock = ContentBlockText | ContentBlockThinking | ContentBlockToolUse;

interface Answer {
  readonly blocks: readonly AnswerBlock[];
  readonly stopReason: 'end_turn' | 'tool_use';
  /** How long to hold the stream after `message_start`. */
  readonly delayMs: number;
  /** Over how long to spread the content deltas (a slow stream), 0 for all at once. */
  readonly spreadMs?: number;
  /** Answer HTTP 529 (overloaded) this many times to this prompt before answering. */
  readonly overloaded?: number;
}

export async function startFakeAnthropicApi(): Promise<FakeAnthropicApi> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  /** Per prompt text: how many overloaded answers it has had. */
  const overloadedSoFar = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    readBody(req)
      .then((raw) => {
        const body = parseJson(raw);
        requests.push({ method: req.method ?? '', url: req.url ?? '', body, at: new Date() });
        route(req, res, body, timers, overloadedSoFar);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });
  // A client that keeps connections open must not hold the test process.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    conversationRequests: () =>
      requests.filter((r) => pathOf(r.url) === '/v1/messages' && isRecord(r.body) && r.body['stream'] === true),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function route(
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  timers: Set<NodeJS.Timeout>,
  overloadedSoFar: Map<string, number>,
): void {
  const path = pathOf(req.url ?? '/');
  if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
    sendJson(res, 200, { input_tokens: estimateTokens(body) });
    return;
  }
  if (req.method === 'POST' && path === '/v1/messages' && isRecord(body)) {
    const model = typeof body['model'] === 'string' ? body['model'] : MODEL_FALLBACK;
    const answer = answerTo(body);
    if (answer.overloaded !== undefined) {
      const key = lastUserText(body);
      const count = overloadedSoFar.get(key) ?? 0;
      if (count < answer.overloaded) {
        overloadedSoFar.set(key, count + 1);
        sendJson(res, 529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
        return;
      }
    }
    if (body['stream'] === true) streamMessage(req, res, model, answer, estimateTokens(body), timers);
    else sendJson(res, 200, jsonMessage(model, answer, estimateTokens(body)));
    return;
  }
  if (req.method === 'HEAD') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end();
    return;
  }
  sendJson(res, 200, {});
}

/** Decides what the model says, from the last user message of the conversation. */
export function answerTo(body: Record<string, unknown>): Answer {
  const content = lastUserContent(body);
  const text = userText(content);
  const raw = allText(content);
  const tools = toolNames(body);
  if (tools.length === 0) return textAnswer('Fake session title');
  if (/summary of the conversation/i.test(raw)) {
    return { ...textAnswer(`<analysis>Nothing to analyse.</analysis>\n<summary>${COMPACT_SUMMARY}</summary>`), delayMs: delayIn(raw) };
  }
  // A tool result alone continues the turn; a rejected tool's result may share the message with
  // the user's next prompt, which then decides.
  const hasToolResult = Array.isArray(content) && content.some((b) => isRecord(b) && b['type'] === 'tool_result');
  if (hasToolResult && text === '') return textAnswer('The command finished.');
  if (text === '' && raw.includes('<task-notification>')) return textAnswer(TASK_NOTIFICATION_ANSWER);

  // Words after RUN_AGENT belong to the subagent's prompt (its own SLOW, say), not to this answer.
  const own = text.includes(RUN_AGENT) ? text.slice(0, text.indexOf(RUN_AGENT)) : text;
  const delayMs = delayIn(own);
  const overloaded = numberAfter(own, OVERLOADED);
  const extra = { delayMs, ...(overloaded !== undefined ? { overloaded } : {}) };
  const toolCall = (name: string, input: Record<string, unknown>): Answer => ({
    blocks: [{ type: 'tool_use', id: newId('toolu_'), name, input }],
    stopReason: 'tool_use',
    ...extra,
  });
  const background = argumentOf(text, RUN_BASH_BG);
  if (background !== undefined) {
    return toolCall('Bash', { command: background, description: `Run ${background.slice(0, 40)}`, run_in_background: true });
  }
  const command = argumentOf(text, RUN_BASH);
  if (command !== undefined) return toolCall('Bash', { command, description: `Run ${command.slice(0, 40)}` });
  const agentPrompt = argumentOf(text, RUN_AGENT);
  if (agentPrompt !== undefined) {
    const name = tools.includes('Agent') || !tools.includes('Task') ? 'Agent' : 'Task';
    return toolCall(name, { description: 'Look into it', prompt: agentPrompt, subagent_type: 'general-purpose' });
  }
  if (text.includes(ASK_QUESTION)) {
    return toolCall('AskUserQuestion', {
      questions: [
        {
          question: 'Which colour should the button be?',
          header: 'Colour',
          multiSelect: false,
          options: [
            { label: 'Green', description: 'The usual colour for go.' },
            { label: 'Blue', description: 'The brand colour.' },
          ],
        },
      ],
    });
  }
  if (text.includes(PLAN_APPROVAL)) {
    return toolCall('ExitPlanMode', { plan: '# Plan\n\n1. Change the button colour.\n2. Run the tests.' });
  }
  if (text.includes(ASK_TEXT)) return { ...textAnswer(`I found two places to change. ${TEXT_QUESTION}`), ...extra };
  const thinkMs = numberAfter(text, THINK);
  if (thinkMs !== undefined) {
    return {
      blocks: [
        { type: 'thinking', thinking: 'Let me think about this carefully. '.repeat(40) },
        { type: 'text', text: 'Answer: after thinking it over, yes.' },
      ],
      stopReason: 'end_turn',
      ...extra,
      spreadMs: Math.min(thinkMs, MAX_DELAY_MS),
    };
  }
  const streamMs = numberAfter(text, STREAM);
  if (streamMs !== undefined) {
    return {
      blocks: [{ type: 'text', text: `Answer: ${'a long streamed answer, word after word. '.repeat(30)}the end.` }],
      stopReason: 'end_turn',
      ...extra,
      spreadMs: Math.min(streamMs, MAX_DELAY_MS),
    };
  }
  const words = text.replace(/<[^>]*>/g, ' ').trim().split(/\s+/).slice(0, 8).join(' ');
  return { ...textAnswer(`Answer: ${words || 'ok'}`), ...extra };
}

function textAnswer(text: string): Answer {
  return { blocks: [{ type: 'text', text }], stopReason: 'end_turn', delayMs: 0 };
}

/** 2.1.197 and later may append a `system`-role message after the user's: the last user message decides. */
function lastUserContent(body: Record<string, unknown>): unknown {
  const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
  const last = messages.filter((m) => isRecord(m) && m['role'] === 'user').at(-1);
  return isRecord(last) ? last['content'] : undefined;
}

function lastUserText(body: Record<string, unknown>): string {
  return userText(lastUserContent(body));
}

function toolNames(body: Record<string, unknown>): string[] {
  const tools = Array.isArray(body['tools']) ? (body['tools'] as unknown[]) : [];
  return tools.flatMap((t) => (isRecord(t) && typeof t['name'] === 'string' ? [t['name']] : []));
}

/** Every text of a user message, tags and reminders included. */
function allText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((b): b is Record<string, unknown> => isRecord(b) && b['type'] === 'text' && typeof b['text'] === 'string')
    .map((b) => b['text'] as string)
    .join('\n');
}

/**
 * The prompt in a user message: its string content, or its last text block that the user typed
 * (not a system reminder, local-command caveat or tag, nor an interruption marker).
 */
function userText(content: unknown): string {
  if (typeof content === 'string') return typed(content) ? content : '';
  if (!Array.isArray(content)) return '';
  const texts = content
    .filter((b): b is Record<string, unknown> => isRecord(b) && b['type'] === 'text' && typeof b['text'] === 'string')
    .map((b) => b['text'] as string)
    .filter(typed);
  return texts.at(-1) ?? '';
}

function typed(text: string): boolean {
  const t = text.trimStart();
  return t !== '' && !t.startsWith('<') && !t.startsWith('Caveat:') && !t.startsWith('[Request interrupted');
}

/** The rest of the line after `word` (followed by a space), when there is one. */
function argumentOf(text: string, word: string): string | undefined {
  const match = new RegExp(`(?:^|\\s)${word} (.*)`).exec(text);
  const rest = match?.[1]?.trim() ?? '';
  return rest === '' ? undefined : rest;
}

function numberAfter(text: string, word: string): number | undefined {
  const match = new RegExp(`(?:^|\\s)${word} (\\d+)`).exec(text);
  return match?.[1] ? Number(match[1]) : undefined;
}

function delayIn(text: string): number {
  return Math.min(numberAfter(text, SLOW) ?? 0, MAX_DELAY_MS);
}

function streamMessage(
  req: IncomingMessage,
  res: ServerResponse,
  model: string,
  answer: Answer,
  inputTokens: number,
  timers: Set<NodeJS.Timeout>,
): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'request-id': newId('req_'),
  });
  const send = (event: SseEvent): void => {
    if (!res.destroyed) res.write(`event: ${event.event}\ndata: ${JSON.stringify({ type: event.event, ...event.data })}\n\n`);
  };
  send({
    event: 'message_start',
    data: {
      message: {
        id: newId('msg_'),
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    },
  });
  const events = blockEvents(answer);
  const spreadMs = answer.spreadMs ?? 0;
  // Each content delta waits its share of the spread; the rest follow at once.
  const deltas = events.filter((e) => e.event === 'content_block_delta').length;
  const gapMs = spreadMs > 0 && deltas > 0 ? spreadMs / deltas : 0;
  let next = 0;
  let timer: NodeJS.Timeout | undefined;
  const later = (ms: number, then: () => void): void => {
    timer = setTimeout(() => {
      if (timer) timers.delete(timer);
      then();
    }, ms);
    timers.add(timer);
  };
  const pump = (): void => {
    while (next < events.length) {
      if (res.destroyed) return;
      const event = events[next++] as SseEvent;
      send(event);
      if (gapMs > 0 && event.event === 'content_block_delta') return later(gapMs, pump);
    }
    res.end();
  };
  // The client gave up (interrupt, exit): stop sending.
  req.socket.once('close', () => {
    if (timer) {
      clearTimeout(timer);
      timers.delete(timer);
    }
  });
  if (answer.delayMs > 0) later(answer.delayMs, pump);
  else pump();
}

interface SseEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

function blockEvents(answer: Answer): SseEvent[] {
  const events: SseEvent[] = [];
  const push = (event: string, data: Record<string, unknown>): void => {
    events.push({ event, data });
  };
  answer.blocks.forEach((block, index) => {
    if (block.type === 'text') {
      push('content_block_start', { index, content_block: { type: 'text', text: '' } });
      for (const piece of chunks(block.text, 12)) push('content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
    } else if (block.type === 'thinking') {
      push('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      for (const piece of chunks(block.thinking, 24)) {
        push('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: piece } });
      }
      push('content_block_delta', { index, delta: { type: 'signature_delta', signature: 'ZmFrZS1zaWduYXR1cmU=' } });
    } else {
      push('content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      for (const piece of chunks(JSON.stringify(block.input), 16)) {
        push('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } });
      }
    }
    push('content_block_stop', { index });
  });
  push('message_delta', { delta: { stop_reason: answer.stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens(answer) } });
  push('message_stop', {});
  return events;
}

function jsonMessage(model: string, answer: Answer, inputTokens: number): Record<string, unknown> {
  return {
    id: newId('msg_'),
    type: 'message',
    role: 'assistant',
    model,
    content: answer.blocks.map((b) => (b.type === 'thinking' ? { ...b, signature: 'ZmFrZS1zaWduYXR1cmU=' } : b)),
    stop_reason: answer.stopReason,
    stop_sequence: null,
    usage: { input_tokens: inputTokens, output_tokens: outputTokens(answer) },
  };
}

function outputTokens(answer: Answer): number {
  return Math.max(1, Math.ceil(JSON.stringify(answer.blocks).length / 4));
}

function estimateTokens(body: unknown): number {
  return Math.max(1, Math.ceil(JSON.stringify(body ?? '').length / 4));
}

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out.length > 0 ? out : [''];
}

function newId(prefix: string): string {
  return `${prefix}01${randomBytes(12).toString('hex')}`;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req_') });
  res.end(JSON.stringify(value));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
