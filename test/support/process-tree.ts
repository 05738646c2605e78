import { existsSync, readdirSync, readFileSync } from 'node:fs';

/**
 * The process tree as tests and harnesses look at it, read from the real `/proc`: a process's
 * name, parent and children, and whether it is gone.
 */

export interface ProcStat {
  readonly state: string;
  readonly ppid: number;
  readonly comm: string;
}

export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return { comm: text.slice(text.indexOf('(') + 1, close), state: fields[0] ?? '?', ppid: Number(fields[1]) };
}

/** True when `/proc/<pid>` is gone: exited *and* reaped (a zombie still counts as present). */
export function isGone(pid: number): boolean {
  return !existsSync(`/proc/${pid}`);
}

export function commOf(pid: number): string | undefined {
  return readStat(pid)?.comm;
}

/** Direct children of `pid`, by scanning `/proc` (works for every thread that forked). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = Number(entry);
    if (readStat(child)?.ppid === pid) children.push(child);
  }
  return children;
}

/** The process itself or the first descendant (breadth first) with that `comm`. */
export function findDescendant(pid: number, comm: string): number | undefined {
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (commOf(next) === comm) return next;
    queue.push(...childrenOf(next));
  }
  return undefined;
}
