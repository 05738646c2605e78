import { echoInput } from '../text/sanitize-text.js';
import { checkLabel } from './label-text.js';
import { ACTIONS, DESKTOP_VARIABLES, MAX_LABEL_LENGTH, type Action, type DesktopSession, type DesktopVariable, type Request } from './messages.js';

export type ParsedRequest = { readonly ok: true; readonly request: Request } | { readonly ok: false; readonly error: string };

const fail = (error: string): ParsedRequest => ({ ok: false, error });

/**
 * Validates one request line before anything acts on it. Every way a line can be wrong gets a
 * message that says what was wrong; nothing here throws.
 */
export function parseRequest(line: string): ParsedRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return fail('malformed JSON: send one JSON object per line, e.g. {"action":"list"}');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail('a request must be a JSON object with an "action", e.g. {"action":"list"}');
  }
  const record = raw as Record<string, unknown>;
  const action = record['action'];
  if (typeof action !== 'string') return fail('missing "action" (a string): one of ' + ACTIONS.join(', '));
  if (!isAction(action)) return fail(`unknown action "${echoInput(action, 40)}": use one of ${ACTIONS.join(', ')}`);
  const args = record['args'];
  if (args !== undefined && args !== null && (typeof args !== 'object' || Array.isArray(args))) {
    return fail(`"args" must be an object`);
  }
  switch (action) {
    case 'label':
      return parseLabelArgs(args);
    case 'switch':
      return parseSwitchArgs(args);
    case 'next':
      return parseNextArgs(args);
    case 'list':
    case 'subscribe':
      return parseWatchArgs(action, args);
    case 'status':
    case 'version':
    case 'stop':
      return { ok: true, request: { action } };
  }
}

function isAction(value: string): value is Action {
  return (ACTIONS as readonly string[]).includes(value);
}

function parseSwitchArgs(args: unknown): ParsedRequest {
  const record = typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : {};
  const query = record['query'];
  if (typeof query !== 'string' || query.trim() === '') return fail('"switch" needs args {"query": "<id, PID, label or words>"}');
  if (query.length > MAX_LABEL_LENGTH) return fail(`query too long: at most ${MAX_LABEL_LENGTH} characters`);
  const desktop = parseDesktop(record['desktop']);
  if (typeof desktop === 'string') return fail(desktop);
  return { ok: true, request: { action: 'switch', args: { query, ...(desktop ? { desktop } : {}) } } };
}

function parseNextArgs(args: unknown): ParsedRequest {
  const record = typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : {};
  const desktop = parseDesktop(record['desktop']);
  if (typeof desktop === 'string') return fail(desktop);
  return { ok: true, request: { action: 'next', args: desktop ? { desktop } : {} } };
}

function parseWatchArgs(action: 'list' | 'subscribe', args: unknown): ParsedRequest {
  const record = typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : {};
  const desktop = parseDesktop(record['desktop']);
  if (typeof desktop === 'string') return fail(desktop);
  return { ok: true, request: desktop ? { action, args: { desktop } } : { action } };
}

/** Longer than any socket path or display name. */
const MAX_DESKTOP_VALUE_LENGTH = 4096;

/** The optional `desktop` of `switch` and `next`: known variable names, each a plain string. A string result is the error. */
function parseDesktop(value: unknown): DesktopSession | undefined | string {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) return '"desktop" must be an object of variables, e.g. {"I3SOCK": "/run/user/1000/i3/ipc-socket.1234"}';
  const desktop: Partial<Record<DesktopVariable, string>> = {};
  for (const [name, text] of Object.entries(value)) {
    if (!isDesktopVariable(name)) return `"desktop" may hold only ${DESKTOP_VARIABLES.join(', ')}; not "${echoInput(name, 40)}"`;
    if (typeof text !== 'string' || text.length > MAX_DESKTOP_VALUE_LENGTH || text.includes('\0')) {
      return `"desktop.${name}" must be a string of at most ${MAX_DESKTOP_VALUE_LENGTH} characters, without NUL`;
    }
    desktop[name] = text;
  }
  return desktop;
}

function isDesktopVariable(name: string): name is DesktopVariable {
  return (DESKTOP_VARIABLES as readonly string[]).includes(name);
}

function parseLabelArgs(args: unknown): ParsedRequest {
  if (typeof args !== 'object' || args === null) {
    return fail('"label" needs args {"session_id": "<id>", "label": "<text>"}');
  }
  const record = args as Record<string, unknown>;
  const sessionId = record['session_id'];
  const label = record['label'];
  if (typeof sessionId !== 'string' || sessionId.trim() === '') return fail('"label" needs args.session_id, a non-empty string');
  if (typeof label !== 'string') return fail('"label" needs args.label, a string (empty to remove the label)');
  if (label === '') return { ok: true, request: { action: 'label', args: { session_id: sessionId, label } } };
  const checked = checkLabel(label);
  if (!checked.ok) return fail(checked.error);
  return { ok: true, request: { action: 'label', args: { session_id: sessionId, label: checked.label } } };
}
