import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 `.cpuprofile` (as `node --cpu-prof` writes it) that self time needs. */
interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly hitCount?: number;
  }>;
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
}

export interface HotFunction {
  /** `name (file:line)`, file shortened to what follows `dist/` or `node:`. */
  readonly where: string;
  readonly selfMs: number;
  readonly share: number;
}

/** Self time per function of the one profile in `dir`, largest first: where the time goes. */
export function hottestFunctions(dir: string, top = 12): { totalMs: number; functions: HotFunction[] } {
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile written in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const samples = profile.samples?.length ?? 0;
  const msPerSample = samples > 0 ? totalMs / samples : 0;
  const selfByWhere = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const where = describeFrame(node.callFrame);
    selfByWhere.set(where, (selfByWhere.get(where) ?? 0) + hits * msPerSample);
  }
  const functions = [...selfByWhere.entries()]
    .map(([where, selfMs]) => ({ where, selfMs, share: totalMs > 0 ? selfMs / totalMs : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top);
  return { totalMs, functions };
}

function describeFrame(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const name = frame.functionName || '(anonymous)';
  if (frame.url === '') return name;
  const distAt = frame.url.lastIndexOf('/dist/');
  const file = distAt >= 0 ? frame.url.slice(distAt + '/dist/'.length) : frame.url.replace(/^file:\/\//, '');
  return `${name} (${file}:${frame.lineNumber + 1})`;
}
