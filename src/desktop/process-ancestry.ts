import { readProcStat } from '../sessions/proc-reader.js';

/**
 * Ancestors looked at, at most. Real process trees are a few dozen levels deep at the very most
 * (nested shells, tmux, ssh); the bound only ends a walk through a corrupt or adversarial `/proc`.
 */
export const MAX_ANCESTRY_DEPTH = 128;

/**
 * The process and its ancestors, nearest first: `pid`, its parent, … up to PID 1 (or the last
 * ancestor this PID namespace shows). `[]` when `pid` itself is gone or a zombie.
 *
 * Processes come and go while we walk. A parent that exits mid-walk ends the chain where it was
 * (its child has meanwhile been reparented, and the rest of the old chain is gone too). A parent
 * PID already reused by a newer process is caught by its start time: a parent never starts after
 * its child, so the walk stops there rather than wander into an unrelated tree. A PID seen twice
 * (only possible in a corrupt `/proc`) also ends the walk.
 */
export function processAncestry(pid: number, procRoot: string): number[] {
  const chain: number[] = [];
  const seen = new Set<number>();
  let childStart: number | undefined;
  for (let current = pid; current > 0 && chain.length < MAX_ANCESTRY_DEPTH && !seen.has(current); ) {
    const stat = readProcStat(procRoot, current);
    if (stat === undefined) break;
    const start = Number(stat.startTicks);
    if (childStart !== undefined && start > childStart) break;
    chain.push(current);
    seen.add(current);
    childStart = start;
    current = stat.ppid;
  }
  return chain;
}
