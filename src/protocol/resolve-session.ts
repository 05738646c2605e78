import { VmuxError } from '../errors.js';
import type { SessionInfo } from './session-info.js';
import { stripControlSequences } from '../text/sanitize-text.js';

/**
 * Finds the one session a user means (SPEC §6 order): exact session id, then a unique id prefix,
 * then a PID, then an exact label, then (with `fuzzy`) words found in label, folder, branch or
 * preview. No match or several is an error that lists the candidates.
 */
export function resolveSession(query: string, sessions: readonly SessionInfo[], options: { fuzzy?: boolean } = {}): SessionInfo {
  const wanted = query.trim();
  if (wanted === '') throw new VmuxError('USAGE', 'name a session: its id (or the start of it), its PID or its label');
  const tiers: Array<(s: SessionInfo) => boolean> = [
    (s) => s.session_id !== '' && s.session_id === wanted,
    (s) => s.session_id !== '' && wanted.length >= 4 && s.session_id.startsWith(wanted),
    (s) => /^[0-9]+$/.test(wanted) && s.pid === Number(wanted),
    (s) => s.label !== undefined && s.label === wanted,
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

function describe(sessions: readonly SessionInfo[]): string {
  return sessions
    .map((s) => `  ${s.session_id.slice(0, 8) || '(no id)'}  pid ${s.pid}  ${stripControlSequences(s.label ?? '')}${s.label ? '  ' : ''}${s.cwd}`)
    .join('\n');
}
