import { VmuxError } from '../errors.js';
import type { SessionInfo } from '../protocol/session-info.js';
import { stripControlSequences } from '../text/sanitize-text.js';
import { cleanLabel } from '../protocol/label-text.js';

/**
 * Finds the one session a user means. Whole names before partial ones: the exact session id,
 * then a PID, then an exact label (compared as labels are stored, cleaned), then a unique start
 * of a session id (4 characters or more), then (with `fuzzy`) words found in label, folder,
 * branch or preview. A label cannot be only digits nor look like a session id (`checkLabel`), so
 * it never hides a PID or an id; a short label such as `cafe` goes before an id starting with
 * it, which is then named with more of its characters. No match or several is an error that
 * lists the candidates.
 */
export function resolveSession(query: string, sessions: readonly SessionInfo[], options: { fuzzy?: boolean } = {}): SessionInfo {
  const wanted = query.trim();
  if (wanted === '') throw new VmuxError('USAGE', 'name a session: its id (or the start of it), its PID or its label');
  const asLabel = cleanLabel(wanted);
  const tiers: Array<(s: SessionInfo) => boolean> = [
    (s) => s.session_id !== '' && s.session_id === wanted,
    (s) => /^[0-9]+$/.test(wanted) && s.pid === Number(wanted),
    (s) => s.label !== undefined && asLabel !== '' && s.label === asLabel,
    (s) => s.session_id !== '' && wanted.length >= 4 && s.session_id.startsWith(wanted),
  ];
  for (const matches of tiers) {
    const found = sessions.filter(matches);
    const only = found[0];
    if (found.length === 1 && only !== undefined) return only;
    if (found.length > 1) {
      throw new VmuxError('AMBIGUOUS', `'${stripControlSequences(wanted)}' matches ${found.length} sessions:\n${describe(found)}`);
    }
  }
  if (options.fuzzy) {
    const found = fuzzyMatches(wanted, sessions);
    const only = found[0];
    if (found.length === 1 && only !== undefined) return only;
    if (found.length > 1) {
      throw new VmuxError('AMBIGUOUS', `'${stripControlSequences(wanted)}' matches ${found.length} sessions equally well:\n${describe(found)}`);
    }
  }
  throw new VmuxError(
    'NO_MATCH',
    sessions.length === 0
      ? 'no Claude Code session is running'
      : `no session matches '${stripControlSequences(wanted)}'; running sessions:\n${describe(sessions)}`,
  );
}

/**
 * The sessions whose label, folder, branch or preview hold every word of the query (case
 * ignored), best first: a hit in the label beats the folder, which beats the branch and preview.
 * Only the best-scoring sessions are returned, so a tie means several.
 */
function fuzzyMatches(query: string, sessions: readonly SessionInfo[]): SessionInfo[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const scored = sessions.map((session) => {
    const fields: Array<[string, number]> = [
      [session.label ?? '', 8],
      [session.cwd.split('/').pop() ?? '', 4],
      [session.cwd, 2],
      [session.git_branch, 2],
      [session.preview, 1],
    ];
    let score = 0;
    for (const word of words) {
      const best = Math.max(0, ...fields.map(([text, weight]) => (text.toLowerCase().includes(word) ? weight : 0)));
      if (best === 0) return { session, score: 0 };
      score += best;
    }
    return { session, score };
  });
  const top = Math.max(0, ...scored.map((s) => s.score));
  return top === 0 ? [] : scored.filter((s) => s.score === top).map((s) => s.session);
}

/** One line per candidate: start of the id, PID, label, folder; each cleaned, as all came from outside. */
function describe(sessions: readonly SessionInfo[]): string {
  return sessions
    .map((s) => {
      const id = stripControlSequences(s.session_id.slice(0, 8)) || '(no id)';
      const label = s.label ? `${stripControlSequences(s.label)}  ` : '';
      return `  ${id}  pid ${s.pid}  ${label}${stripControlSequences(s.cwd)}`;
    })
    .join('\n');
}
