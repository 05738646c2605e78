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
 * What it answers to a conversation, from the last user message:
 * - a `tool_result` → a short text, `end_turn`;
 * - a text containing `RUN_BASH <command>` (to the end of the line) → a `tool_use` of `Bash`;
 * - any other text → `Answer: <first words of the prompt>`, `end_turn`.
 * A text containing `SLOW <ms>` holds the stream that long after `message_start` (the client is
 * then busy generating). Requests without tools (the client's own side requests, such as title
 * generation) always get a plain text answer.
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
export const SLOW = 'SLOW';
const MODEL_FALLBACK = 'claude-sonnet-4-5';

interface ContentBlockText {
  readonly type: 'text';
  readonly text: string;
}
interface ContentBlockToolUse {
  readonly type: 'tool_use';
  readonly id: string;
  readonly name: string;
  readonly input: Record<string, unknown>;
}
type AnswerBlock = ContentBlockText | ContentBlockToolUse;

interface Answer {
  readonly blocks: readonly AnswerBlock[];
  readonly stopReason: 'end_turn' | 'tool_use';
  /** How long to hold the stream after `message_start`. */
  readonly delayMs: number;
}

export async function startFakeAnthropicApi(): Promise<FakeAnthropicApi> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    readBody(req)
      .then((raw) => {
        const body = parseJson(raw);
        requests.push({ method: req.method ?? '', url: req.url ?? '', body, at: new Date() });
        route(req, res, body, timers);
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

function route(req: IncomingMessage, res: ServerResponse, body: unknown, timers: Set<NodeJS.Timeout>): void {
  const path = pathOf(req.url ?? '/');
  if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
    sendJson(res, 200, { input_tokens: estimateTokens(body) });
    return;
  }
  if (req.method === 'POST' && path === '/v1/messages' && isRecord(body)) {
    const model = typeof body['model'] === 'string' ? body['model'] : MODEL_FALLBACK;
    const answer = answerTo(body);
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
  const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
  // 2.1.197 may append a `system`-role message after the user's: look at the last user message.
  const last = messages.filter((m) => isRecord(m) && m['role'] === 'user').at(-1);
  const content = isRecord(last) ? last['content'] : undefined;
  const text = userText(content);
  const hasTools = Array.isArray(body['tools']) && body['tools'].length > 0;
  if (!hasTools) {
    return { blocks: [{ type: 'text', text: 'Fake session title' }], stopReason: 'end_turn', delayMs: 0 };
  }
  // A tool result alone continues the turn; a rejected tool's result may share the message with
  // the user's next prompt, which then decides.
  const hasToolResult = Array.isArray(content) && content.some((b) => isRecord(b) && b['type'] === 'tool_result');
  if (hasToolResult && text === '') {
    return { blocks: [{ type: 'text', text: 'The command finished.' }], stopReason: 'end_turn', delayMs: 0 };
  }
  const delayMs = delayIn(text);
  const command = bashCommandIn(text);
  if (command !== undefined) {
    return {
      blocks: [
        {
          type: 'tool_use',
          id: newId('toolu_'),
          name: 'Bash',
          input: { command, description: `Run ${command.slice(0, 40)}` },
        },
      ],
      stopReason: 'tool_use',
      delayMs,
    };
  }
  const words = text.replace(/<[^>]*>/g, ' ').trim().split(/\s+/).slice(0, 8).join(' ');
  return { blocks: [{ type: 'text', text: `Answer: ${words || 'ok'}` }], stopReason: 'end_turn', delayMs };
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

function bashCommandIn(text: string): string | undefined {
  const at = text.lastIndexOf(RUN_BASH);
  if (at < 0) return undefined;
  const rest = text.slice(at + RUN_BASH.length).split('\n')[0]?.trim() ?? '';
  return rest === '' ? undefined : rest;
}

function delayIn(text: string): number {
  const match = new RegExp(`${SLOW} (\\d+)`).exec(text);
  return match?.[1] ? Math.min(Number(match[1]), 600_000) : 0;
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
  const send = (event: string, data: Record<string, unknown>): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  };
  send('message_start', {
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
  });
  const rest = (): void => {
    if (res.destroyed) return;
    streamBlocks(send, answer);
    res.end();
  };
  if (answer.delayMs <= 0) {
    rest();
    return;
  }
  const timer = setTimeout(() => {
    timers.delete(timer);
    rest();
  }, answer.delayMs);
  timers.add(timer);
  // The client gave up (interrupt, exit): do not keep the timer.
  req.socket.once('close', () => {
    clearTimeout(timer);
    timers.delete(timer);
  });
}

function streamBlocks(send: (event: string, data: Record<string, unknown>) => void, answer: Answer): void {
  answer.blocks.forEach((block, index) => {
    if (block.type === 'text') {
      send('content_block_start', { index, content_block: { type: 'text', text: '' } });
      for (const piece of chunks(block.text, 12)) {
        send('content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
      }
    } else {
      send('content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      for (const piece of chunks(JSON.stringify(block.input), 16)) {
        send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } });
      }
    }
    send('content_block_stop', { index });
  });
  send('message_delta', {
    delta: { stop_reason: answer.stopReason, stop_sequence: null },
    usage: { output_tokens: outputTokens(answer) },
  });
  send('message_stop', {});
}

function jsonMessage(model: string, answer: Answer, inputTokens: number): Record<string, unknown> {
  return {
    id: newId('msg_'),
    type: 'message',
    role: 'assistant',
    model,
    content: answer.blocks,
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
