/**
 * A duration as people read it: `speech` for sentences (`40 s`, `2 min`, `3 h`, `2 d`), `compact`
 * for a table cell (`40s`, `2m`, `3h05m`, `2d`).
 */
export function formatAge(ms: number, style: 'speech' | 'compact' = 'speech'): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const speech = style === 'speech';
  if (seconds < 60) return speech ? `${seconds} s` : `${seconds}s`;
  if (minutes < 60) return speech ? `${minutes} min` : `${minutes}m`;
  if (hours < (speech ? 48 : 24)) return speech ? `${hours} h` : `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
  return speech ? `${Math.floor(hours / 24)} d` : `${Math.floor(hours / 24)}d`;
}
