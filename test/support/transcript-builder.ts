import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes transcripts shaped like Claude Code 2.1.x's: one record per content block, chained by
 * `parentUuid`, sharing `message.id` within one API message.
 */
export class TranscriptBuilder {
  private parent: string | null = null;
  private counter = 0;

  constructor(
    readonly path: string,
    private readonly sessionId: string,
    private readonly cwd: string,
    private readonly gitBranch = 'main',
  ) {
    mkdirSync(dirname(path), { recursive: true });
  }

  prompt(text: string, at: Date): this {
    return this.append({ type: 'user', message: { role: 'user', content: text } }, at);
  }

  assistantText(text: string, at: Date, stopReason: string | null = 'end_turn'): this {
    return this.append(
      { type: 'assistant', message: this.message([{ type: 'text', text }], stopReason) },
      at,
    );
  }

  toolUse(name: string, input: Record<string, unknown>, at: Date, id = `toolu_${++this.counter}`): this {
    return this.append(
      { type: 'assistant', message: this.message([{ type: 'tool_use', id, name, input }], 'tool_use') },
      at,
    );
  }

  toolResult(toolUseId: string, content: string, at: Date): this {
    return this.append(
      { type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUseId, content }] } },
      at,
    );
  }

  turnDuration(at: Date): this {
    return this.append({ type: 'system', subtype: 'turn_duration', durationMs: 1000 }, at);
  }

  private message(content: unknown[], stopReason: string | null): Record<string, unknown> {
    return { id: `msg_${++this.counter}`, type: 'message', role: 'assistant', model: 'claude-test', content, stop_reason: stopReason };
  }

  private append(record: Record<string, unknown>, at: Date): this {
    const uuid = `00000000-0000-4000-8000-${String(++this.counter).padStart(12, '0')}`;
    const full = {
      parentUuid: this.parent,
      isSidechain: false,
      userType: 'external',
      cwd: this.cwd,
      sessionId: this.sessionId,
      version: '2.1.197',
      gitBranch: this.gitBranch,
      ...record,
      uuid,
      timestamp: at.toISOString(),
    };
    this.parent = uuid;
    appendFileSync(this.path, `${JSON.stringify(full)}\n`);
    return this;
  }
}
