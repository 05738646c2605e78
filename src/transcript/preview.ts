import { conversationEnd, pendingToolUses } from './detect-state.js';
import { oneLine } from '../text/sanitize-text.js';
import type { TranscriptTail } from './tail-read.js';
import type { AssistantBlock, ConversationEntry } from './transcript-record.js';

/** SPEC §3: a preview is one line of at most this many characters. */
export const PREVIEW_MAX_CHARACTERS = 100;

/** Input fields that say best what a tool call does, in order of preference. */
const TOOL_SUBJECT_FIELDS = ['command', 'file_path', 'path', 'pattern', 'url', 'query', 'description', 'prompt', 'skill'];

/**
 * One line saying what the session is at (SPEC §3): the pending tool (`Bash: npm test`), else the
 * prompt being worked on, else the last thing Claude said, else the last prompt.
 */
export function extractPreview(tail: TranscriptTail): string {
  const end = conversationEnd(tail.entries);
  const tool = pendingToolUses(end).at(-1);
  if (tool !== undefined) return oneLine(toolSummary(tool), PREVIEW_MAX_CHARACTERS);
  if (end.last?.kind === 'prompt') return oneLine(promptText(end.last), PREVIEW_MAX_CHARACTERS);
  const said = lastAssistantText(tail.entries);
  if (said !== undefined) return oneLine(said, PREVIEW_MAX_CHARACTERS);
  const prompt = tail.entries.findLast((entry) => entry.kind === 'prompt');
  return prompt?.kind === 'prompt' ? oneLine(promptText(prompt), PREVIEW_MAX_CHARACTERS) : '';
}

/** The command of the Bash call the session is running or asking permission for, if that is what it waits on. */
export function pendingBashCommand(tail: TranscriptTail): string | undefined {
  const tool = pendingToolUses(conversationEnd(tail.entries)).at(-1);
  const command = tool?.name === 'Bash' ? tool.input['command'] : undefined;
  return typeof command === 'string' ? command : undefined;
}

/** Name of the tool the session is running or asking permission for, if any. */
export function pendingToolName(tail: TranscriptTail): string | undefined {
  return pendingToolUses(conversationEnd(tail.entries)).at(-1)?.name;
}

function toolSummary(tool: Extract<AssistantBlock, { type: 'tool_use' }>): string {
  for (const field of TOOL_SUBJECT_FIELDS) {
    const value = tool.input[field];
    if (typeof value === 'string' && value.trim() !== '') return `${tool.name}: ${value}`;
  }
  return tool.name;
}

function lastAssistantText(entries: readonly ConversationEntry[]): string | undefined {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry?.kind !== 'assistant' || entry.apiError !== undefined) continue;
    const text = entry.blocks.findLast((block) => block.type === 'text' && block.text.trim() !== '');
    if (text?.type === 'text') return text.text;
  }
  return undefined;
}

/** Prompt text without the context blocks the client wraps around it. */
function promptText(prompt: Extract<ConversationEntry, { kind: 'prompt' }>): string {
  if (prompt.fromTaskNotification) {
    const summary = /<summary>([\s\S]*?)<\/summary>/.exec(prompt.text)?.[1];
    return `background task: ${summary ?? 'finished'}`;
  }
  const text = prompt.text.replace(/<(system-reminder|ide_[a-z_]+)>[\s\S]*?<\/\1>/g, ' ');
  return text.trim() === '' ? prompt.text : text;
}
