/**
 * Transcripts shaped like Claude Code 2.1.x writes them (see shared/CLAUDE-CODE-FORMAT.md): one
 * assistant record per content block sharing `message.id`, tool_use/tool_result pairs with bulky
 * results, `turn_duration` after a finished turn, and the noise records a tail reader must skip.
 * The text is generated, so any size can be made, and seeded, so every run reads the same bytes.
 */

/** How the conversation stands at the last record, i.e. what vmux should conclude. */
export type TranscriptEnding =
  | 'finished-recent'
  | 'finished-old'
  | 'tool-pending'
  | 'tool-result-last'
  | 'prompt-sent'
  | 'ask-user-question'
  | 'interrupted'
  | 'thinking'
  | 'api-error';

export const TRANSCRIPT_ENDINGS: readonly TranscriptEnding[] = [
  'finished-recent',
  'tool-pending',
  'finished-old',
  'tool-result-last',
  'prompt-sent',
  'ask-user-question',
  'interrupted',
  'thinking',
  'api-error',
];

/** Small, fast, seedable PRNG (mulberry32); Math.random cannot be seeded. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += HEX[Math.floor(this.next() * 16)];
    return out;
  }

  base62(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += BASE62[Math.floor(this.next() * 62)];
    return out;
  }

  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${this.pick(['8', '9', 'a', 'b'])}${this.hex(3)}-${this.hex(12)}`;
  }
}

const HEX = '0123456789abcdef';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const WORDS = (
  'the session transcript process reader state needs input working idle folder branch commit test ' +
  'build error retry cache socket daemon window workspace record parser buffer stream offset line ' +
  'function module import export type interface return value config option default path file read ' +
  'write append check update refactor handler request response timeout signal child parent queue ' +
  'that this with from into when then because should could would first last next every each only'
).split(' ');

const IDENTIFIERS = [
  'readSessionFiles', 'tailRead', 'matchFolder', 'parseRecord', 'renderTable', 'startDaemon', 'onMessage',
  'encodePath', 'detectState', 'scanSessions', 'LineDecoder', 'SocketTransport', 'retryWithBackoff',
];

const TOOLS = ['Read', 'Bash', 'Grep', 'Edit', 'Glob', 'Write', 'TodoWrite'] as const;
type ToolName = (typeof TOOLS)[number];

/** Placeholder replaced by the real time when the transcript is rendered; as long as an ISO time. */
const TIME_SLOT = '@@@@@@@@@@@@@@@@@@@@@@@@';

interface Line {
  /** JSON with `TIME_SLOT` where the timestamp goes. */
  readonly json: string;
  /** Milliseconds since the transcript's first record; undefined for records without a timestamp. */
  readonly at: number | undefined;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface TranscriptIdentity {
  readonly sessionId: string;
  readonly cwd: string;
  readonly gitBranch: string;
}

export class SyntheticTranscript {
  private readonly lines: Line[] = [];
  private parent: string | null = null;
  private clock = 0;
  private byteCount = 0;
  private promptId = '';

  constructor(
    private readonly identity: TranscriptIdentity,
    private readonly random: Random,
  ) {}

  get bytes(): number {
    return this.byteCount;
  }

  get records(): number {
    return this.lines.length;
  }

  /** Complete turns until the transcript holds at least `bytes`. */
  fillTo(bytes: number): this {
    while (this.byteCount < bytes) this.completeTurn();
    return this;
  }

  /** A prompt, a few rounds of tool calls, a final answer, `turn_duration`, and noise around it. */
  completeTurn(): this {
    this.startTurn();
    const rounds = this.random.int(1, 7);
    for (let i = 0; i < rounds; i++) this.toolRound();
    this.assistantMessage([{ kind: 'text' }], 'end_turn');
    this.system('turn_duration', { durationMs: this.random.int(4_000, 400_000), messageCount: rounds * 2 + 2 });
    if (this.random.chance(0.3)) this.metadata({ type: 'last-prompt', lastPrompt: this.sentence(8), leafUuid: this.parent ?? '' });
    if (this.random.chance(0.2)) this.metadata({ type: 'ai-title', aiTitle: this.sentence(4) });
    this.clock += this.random.int(30_000, 900_000);
    return this;
  }

  /** Appends the last, unfinished or finished, turn in the given state. */
  end(ending: TranscriptEnding): this {
    switch (ending) {
      case 'finished-recent':
      case 'finished-old':
        this.completeTurn();
        this.metadata({ type: 'permission-mode', permissionMode: 'default' });
        this.metadata({ type: 'mode', mode: 'normal' });
        break;
      case 'tool-pending':
        this.startTurn();
        this.toolRound();
        this.assistantMessage([{ kind: 'tool_use', tool: 'Bash' }], 'tool_use');
        break;
      case 'tool-result-last':
        this.startTurn();
        this.toolRound();
        this.toolRound();
        this.attachment('todo_reminder');
        break;
      case 'prompt-sent':
        this.startTurn();
        break;
      case 'ask-user-question':
        this.startTurn();
        this.toolRound();
        this.assistantMessage([{ kind: 'text' }, { kind: 'ask' }], 'tool_use');
        break;
      case 'interrupted': {
        this.startTurn();
        const ids = this.assistantMessage([{ kind: 'tool_use', tool: 'Edit' }], 'tool_use');
        for (const id of ids) this.toolResult(id, 'Edit', true);
        this.user([{ type: 'text', text: '[Request interrupted by user for tool use]' }]);
        break;
      }
      case 'thinking':
        this.startTurn();
        this.toolRound();
        this.assistantMessage([{ kind: 'thinking' }], null);
        break;
      case 'api-error':
        this.startTurn();
        this.toolRound();
        this.syntheticApiError();
        break;
    }
    return this;
  }

  /** JSONL text whose last timestamped record is at `endAtMs`. */
  render(endAtMs: number): string {
    const origin = endAtMs - this.lastTimestamp();
    let out = '';
    for (const line of this.lines) {
      out += line.at === undefined ? line.json : line.json.replace(TIME_SLOT, new Date(origin + line.at).toISOString());
      out += '\n';
    }
    return out;
  }

  private lastTimestamp(): number {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const at = this.lines[i]?.at;
      if (at !== undefined) return at;
    }
    return 0;
  }

  private startTurn(): void {
    this.promptId = this.random.uuid();
    const uuid = this.random.uuid();
    this.metadata({
      type: 'file-history-snapshot',
      messageId: uuid,
      snapshot: { messageId: uuid, trackedFileBackups: this.fileBackups(), timestamp: new Date(0).toISOString() },
      isSnapshotUpdate: false,
    });
    this.push(
      {
        type: 'user',
        message: { role: 'user', content: this.paragraph(this.random.int(1, 4)) },
        promptId: this.promptId,
        permissionMode: 'default',
      },
      uuid,
    );
    if (this.random.chance(0.5)) this.attachment('nested_memory');
    if (this.random.chance(0.3)) this.attachment('hook_success');
  }

  private toolRound(): void {
    const calls = this.random.chance(0.25) ? this.random.int(2, 4) : 1;
    const blocks: Block[] = [];
    if (this.random.chance(0.5)) blocks.push({ kind: 'thinking' });
    if (this.random.chance(0.6)) blocks.push({ kind: 'text' });
    for (let i = 0; i < calls; i++) blocks.push({ kind: 'tool_use', tool: this.random.pick(TOOLS) });
    const ids = this.assistantMessage(blocks, 'tool_use');
    for (const [i, id] of ids.entries()) {
      if (this.random.chance(0.15)) this.progress();
      const block = blocks.filter((b) => b.kind === 'tool_use')[i];
      this.toolResult(id, block?.kind === 'tool_use' ? block.tool : 'Read', false);
    }
  }

  /** One API message: one record per block, all sharing `message.id` and `requestId`. Returns the tool_use ids. */
  private assistantMessage(blocks: readonly Block[], stopReason: string | null): string[] {
    const messageId = `msg_01${this.random.base62(22)}`;
    const requestId = `req_011C${this.random.base62(20)}`;
    const toolIds: string[] = [];
    for (const block of blocks) {
      this.clock += this.random.int(300, 9_000);
      let content: Json;
      switch (block.kind) {
        case 'thinking':
          content = { type: 'thinking', thinking: this.paragraph(this.random.int(1, 3)), signature: this.random.base62(300) };
          break;
        case 'text':
          content = { type: 'text', text: this.paragraph(this.random.int(1, 3)) };
          break;
        case 'tool_use': {
          const id = `toolu_01${this.random.base62(22)}`;
          toolIds.push(id);
          content = { type: 'tool_use', id, name: block.tool, input: this.toolInput(block.tool) };
          break;
        }
        case 'ask': {
          const id = `toolu_01${this.random.base62(22)}`;
          toolIds.push(id);
          content = {
            type: 'tool_use',
            id,
            name: 'AskUserQuestion',
            input: { questions: [{ question: `${this.sentence(9)}?`, header: 'Approach', multiSelect: false, options: [{ label: 'Keep it', description: this.sentence(8) }, { label: 'Rewrite', description: this.sentence(8) }] }] },
          };
          break;
        }
      }
      this.push({
        type: 'assistant',
        requestId,
        message: {
          model: 'claude-opus-4-5-20251101',
          id: messageId,
          type: 'message',
          role: 'assistant',
          content: [content],
          stop_reason: stopReason,
          stop_sequence: null,
          usage: {
            input_tokens: this.random.int(2, 40),
            cache_creation_input_tokens: this.random.int(0, 5_000),
            cache_read_input_tokens: this.random.int(10_000, 150_000),
            output_tokens: this.random.int(10, 3_000),
            service_tier: 'standard',
          },
        },
      });
    }
    return toolIds;
  }

  private toolResult(toolUseId: string, tool: ToolName, declined: boolean): void {
    this.clock += this.random.int(100, 20_000);
    const assistantUuid = this.parent ?? '';
    const content = declined
      ? "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). STOP what you are doing and wait for the user to tell you how to proceed."
      : this.toolOutput(tool);
    this.push({
      type: 'user',
      message: { role: 'user', content: [{ tool_use_id: toolUseId, type: 'tool_result', content, ...(declined ? { is_error: true } : {}) }] },
      promptId: this.promptId,
      toolUseResult: declined ? 'User rejected tool use' : { stdout: content.slice(0, 2_000), stderr: '', interrupted: false, isImage: false },
      sourceToolAssistantUUID: assistantUuid,
    });
  }

  private user(content: Json): void {
    this.clock += this.random.int(500, 30_000);
    this.push({ type: 'user', message: { role: 'user', content }, promptId: this.promptId });
  }

  private syntheticApiError(): void {
    this.clock += this.random.int(5_000, 60_000);
    this.push({
      type: 'assistant',
      message: {
        id: this.random.uuid(),
        model: '<synthetic>',
        role: 'assistant',
        type: 'message',
        content: [{ type: 'text', text: 'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' }],
        stop_reason: 'stop_sequence',
        stop_sequence: '',
        usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
      isApiErrorMessage: true,
      error: 'unknown',
      apiErrorStatus: 529,
    });
  }

  private system(subtype: string, fields: Record<string, Json>): void {
    this.clock += this.random.int(5, 200);
    this.push({ type: 'system', subtype, ...fields, isMeta: false });
  }

  private attachment(kind: 'nested_memory' | 'hook_success' | 'todo_reminder'): void {
    this.clock += this.random.int(1, 50);
    const attachment: Json =
      kind === 'nested_memory'
        ? { type: 'nested_memory', path: `${this.identity.cwd}/CLAUDE.md`, content: { path: `${this.identity.cwd}/CLAUDE.md`, type: 'Project', content: this.paragraph(this.random.int(2, 6)) } }
        : kind === 'hook_success'
          ? { type: 'hook_success', hookName: 'UserPromptSubmit', hookEvent: 'UserPromptSubmit', toolUseID: this.random.uuid(), content: '', stdout: this.sentence(12), stderr: '', exitCode: 0 }
          : { type: 'todo_reminder', content: [{ content: this.sentence(6), status: 'in_progress', activeForm: this.sentence(5) }], itemCount: 1 };
    this.push({ type: 'attachment', attachment });
  }

  private progress(): void {
    this.clock += this.random.int(100, 3_000);
    this.push({
      type: 'progress',
      data: { type: 'bash_progress', output: this.codeLines(3), fullOutput: this.codeLines(8), elapsedTimeSeconds: this.random.int(1, 60), totalLines: 8 },
      toolUseID: `bash-progress-${this.random.int(0, 99)}`,
      parentToolUseID: `toolu_01${this.random.base62(22)}`,
    });
  }

  /** Records without the conversation envelope; some (file-history-snapshot) have no timestamp at all. */
  private metadata(record: Record<string, Json>): void {
    const json = JSON.stringify({ ...record, sessionId: this.identity.sessionId });
    this.append({ json, at: undefined });
  }

  private push(record: Record<string, Json>, uuid = this.random.uuid()): void {
    const full: Record<string, Json> = {
      parentUuid: this.parent,
      isSidechain: false,
      userType: 'external',
      cwd: this.identity.cwd,
      sessionId: this.identity.sessionId,
      version: '2.1.197',
      gitBranch: this.identity.gitBranch,
      entrypoint: 'cli',
      ...record,
      uuid,
      timestamp: TIME_SLOT,
    };
    this.parent = uuid;
    this.append({ json: JSON.stringify(full), at: this.clock });
  }

  private append(line: Line): void {
    this.lines.push(line);
    this.byteCount += Buffer.byteLength(line.json) + 1;
  }

  private toolInput(tool: ToolName): Json {
    const file = `${this.identity.cwd}/src/${this.random.pick(WORDS)}/${this.random.pick(IDENTIFIERS)}.ts`;
    switch (tool) {
      case 'Read':
        return { file_path: file };
      case 'Bash':
        return { command: this.random.pick(['npm test', 'npm run build', 'git status --short', `grep -rn ${this.random.pick(IDENTIFIERS)} src`]), description: this.sentence(5) };
      case 'Grep':
        return { pattern: this.random.pick(IDENTIFIERS), path: `${this.identity.cwd}/src`, output_mode: 'content', '-n': true };
      case 'Edit':
        return { file_path: file, old_string: this.codeLines(this.random.int(2, 12)), new_string: this.codeLines(this.random.int(2, 16)) };
      case 'Glob':
        return { pattern: 'src/**/*.ts' };
      case 'Write':
        return { file_path: file, content: this.codeLines(this.random.int(20, 120)) };
      case 'TodoWrite':
        return { todos: [{ content: this.sentence(6), status: 'completed', activeForm: this.sentence(5) }, { content: this.sentence(7), status: 'in_progress', activeForm: this.sentence(5) }] };
    }
  }

  private toolOutput(tool: ToolName): string {
    switch (tool) {
      case 'Read': {
        const count = this.random.int(20, 260);
        const lines: string[] = [];
        for (let i = 1; i <= count; i++) lines.push(`${String(i).padStart(6)}→${this.codeLine()}`);
        return lines.join('\n');
      }
      case 'Bash':
        return this.codeLines(this.random.int(3, 80));
      case 'Grep':
        return Array.from({ length: this.random.int(2, 40) }, () => `src/${this.random.pick(WORDS)}.ts:${this.random.int(1, 400)}:${this.codeLine()}`).join('\n');
      case 'Glob':
        return Array.from({ length: this.random.int(5, 60) }, () => `${this.identity.cwd}/src/${this.random.pick(WORDS)}/${this.random.pick(IDENTIFIERS)}.ts`).join('\n');
      case 'Edit':
      case 'Write':
        return `The file ${this.identity.cwd}/src/${this.random.pick(IDENTIFIERS)}.ts has been updated. Here's the result of running \`cat -n\` on a snippet of the edited file:\n${this.codeLines(this.random.int(5, 30))}`;
      case 'TodoWrite':
        return 'Todos have been modified successfully. Ensure that you continue to use the todo list to track your progress.';
    }
  }

  private fileBackups(): Json {
    const backups: Record<string, Json> = {};
    const count = this.random.int(0, 4);
    for (let i = 0; i < count; i++) {
      backups[`src/${this.random.pick(IDENTIFIERS)}.ts`] = { backupFileName: `${this.random.hex(16)}@v${this.random.int(1, 9)}`, version: this.random.int(1, 9), backupTime: new Date(0).toISOString() };
    }
    return backups;
  }

  private sentence(words: number): string {
    const out: string[] = [];
    for (let i = 0; i < words; i++) out.push(this.random.pick(WORDS));
    const text = out.join(' ');
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  private paragraph(sentences: number): string {
    const out: string[] = [];
    for (let i = 0; i < sentences; i++) out.push(`${this.sentence(this.random.int(6, 24))}.`);
    if (this.random.chance(0.3)) out.push(`\n\n\`\`\`ts\n${this.codeLines(this.random.int(3, 15))}\n\`\`\``);
    return out.join(' ');
  }

  private codeLine(): string {
    const indent = '  '.repeat(this.random.int(0, 3));
    const id = this.random.pick(IDENTIFIERS);
    switch (this.random.int(0, 4)) {
      case 0:
        return `${indent}const ${this.random.pick(WORDS)} = ${id}(${this.random.pick(WORDS)}, ${this.random.int(0, 999)});`;
      case 1:
        return `${indent}if (${this.random.pick(WORDS)} === undefined) return ${this.random.pick(WORDS)};`;
      case 2:
        return `${indent}// ${this.sentence(this.random.int(4, 12))}`;
      case 3:
        return `${indent}export function ${id}(${this.random.pick(WORDS)}: string): ${this.random.pick(['void', 'number', 'string[]'])} {`;
      default:
        return `${indent}}`;
    }
  }

  private codeLines(count: number): string {
    return Array.from({ length: count }, () => this.codeLine()).join('\n');
  }
}

type Block =
  | { readonly kind: 'thinking' }
  | { readonly kind: 'text' }
  | { readonly kind: 'tool_use'; readonly tool: ToolName }
  | { readonly kind: 'ask' };
