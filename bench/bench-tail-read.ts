import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { tailReadJsonl } from '../src/transcript/tail-read.js';
import { GIB, MIB, makeTranscriptParts, sizeThatFits, writeTranscript } from './big-transcript.js';
import type { Cleanup } from './cleanup.js';
import { run } from './measure.js';
import { compare, type Comparison } from './report.js';
import { interleave, summarize } from './stats.js';

/** Records asked of each tail read: what a listing asks for. */
const TAIL_RECORDS = 200;

/** A tail read must cost the same whatever the file's size: 1 GB within 10 % of 1 MB. */
const TAIL_TARGET_RATIO = 1.1;

/** Cap on the timing loop, so a reader that scans whole files still finishes in reasonable time. */
const TAIL_LOOP_BUDGET_MS = 30_000;

export interface TailFiles {
  readonly small: string;
  readonly big: string;
  readonly smallBytes: number;
  readonly bigBytes: number;
  /** "1 GB", or the smaller size used when the disk was short. */
  readonly bigLabel: string;
  readonly writeSeconds: number;
  /** Set when the disk was too full for 1 GB. */
  readonly note?: string;
  removeBig(): void;
}

/** Writes a 1 MiB and (space allowing) a 1 GiB transcript that end with the same records. */
export function prepareTailFiles(dir: string, cleanup: Cleanup): TailFiles {
  const parts = makeTranscriptParts(join(dir, 'project'));
  const small = join(dir, 'small.jsonl');
  const big = join(dir, 'big.jsonl');
  const smallBytes = writeTranscript(small, parts, MIB);
  const bigSize = sizeThatFits(dir, GIB, smallBytes);
  if (bigSize < 2 * MIB) throw new Error(`only ${bigSize} bytes free in ${dir}: no room for a large transcript`);
  cleanup.add(() => rmSync(big, { force: true }));
  const started = performance.now();
  const bigBytes = writeTranscript(big, parts, bigSize);
  const writeSeconds = (performance.now() - started) / 1000;
  const short = bigSize < GIB;
  const bigLabel = short ? `${(bigBytes / MIB).toFixed(0)} MiB` : '1 GB';
  return {
    small,
    big,
    smallBytes,
    bigBytes,
    bigLabel,
    writeSeconds,
    ...(short ? { note: `disk short: the large transcript is ${bigLabel}, not 1 GiB (free space in ${dir} allowed no more)` } : {}),
    removeBig: () => rmSync(big, { force: true }),
  };
}

function timeTailRead(path: string): number {
  const start = performance.now();
  tailReadJsonl(path, TAIL_RECORDS);
  return (performance.now() - start) * 1000;
}

/** In-process timing of `tailReadJsonl(path, 200)`, small and big file alternately, in µs. */
export async function benchTailRead(files: TailFiles, iterations: number): Promise<{ comparison: Comparison; notes: string[] }> {
  const notes: string[] = [];
  // Both files end with the same records, so both reads must return the same entries.
  const smallEntries = tailReadJsonl(files.small, TAIL_RECORDS).entries.length;
  const bigEntries = tailReadJsonl(files.big, TAIL_RECORDS).entries.length;
  notes.push(
    smallEntries === bigEntries
      ? `tail read returns ${bigEntries} conversation entries from either file`
      : `tail read returns ${smallEntries} entries from the 1 MB file but ${bigEntries} from the ${files.bigLabel} file, though both end alike`,
  );
  // One call each first: it checks the reader works at all, and sizes the loop to the budget.
  const firstUs = timeTailRead(files.small) + timeTailRead(files.big);
  const affordable = Math.max(5, Math.floor((TAIL_LOOP_BUDGET_MS * 1000) / firstUs));
  const pairs = Math.min(iterations, affordable);
  if (pairs < iterations) notes.push(`tail read: ${pairs} iterations instead of ${iterations}, to stay within ${TAIL_LOOP_BUDGET_MS / 1000} s`);
  const warmup = Math.min(20, Math.ceil(pairs / 10));
  const samples = await interleave(pairs, warmup, () => timeTailRead(files.small), () => timeTailRead(files.big));
  const b = summarize(samples.baseline);
  const s = summarize(samples.subject);
  return {
    comparison: compare({
      id: 'tail-read',
      title: `tailReadJsonl(path, ${TAIL_RECORDS}), ${files.bigLabel} vs 1 MB transcript`,
      unit: 'µs',
      baseline: { label: `${(files.smallBytes / MIB).toFixed(2)} MiB file`, summary: b },
      subject: { label: `${(files.bigBytes / MIB).toFixed(0)} MiB file`, summary: s },
      target: TAIL_TARGET_RATIO,
    }),
    notes,
  };
}

interface ProbeResult {
  readonly beforeKib: number;
  readonly afterKib: number;
  readonly ms: number;
}

async function runProbe(probe: string, path: string): Promise<ProbeResult> {
  const { stdout } = await run({ file: process.execPath, args: [probe, path, String(TAIL_RECORDS)], env: process.env });
  return JSON.parse(stdout) as ProbeResult;
}

/**
 * How much one tail read raises peak RSS (`process.resourceUsage().maxRSS` after minus before),
 * each read in a fresh process so nothing earlier has raised the high-water mark already.
 */
export async function benchTailReadPeakRss(files: TailFiles, probe: string, runs: number): Promise<{ comparison: Comparison; notes: string[] }> {
  const small: ProbeResult[] = [];
  const big: ProbeResult[] = [];
  await interleave(
    runs,
    0,
    async () => record(small, await runProbe(probe, files.small)),
    async () => record(big, await runProbe(probe, files.big)),
  );
  const b = summarize(small.map(growthMiB));
  const s = summarize(big.map(growthMiB));
  const peak = (results: readonly ProbeResult[]): string => `${(summarize(results.map((r) => r.afterKib / 1024)).median).toFixed(1)} MiB`;
  return {
    comparison: compare({
      id: 'tail-read-peak-rss',
      title: `peak RSS growth of one tail read, ${files.bigLabel} vs 1 MB`,
      unit: 'MiB',
      baseline: { label: '1 MB file', summary: b },
      subject: { label: `${files.bigLabel} file`, summary: s },
      // A growth near zero makes a ratio meaningless; the absolute figures say it.
      minBaseline: 0.5,
    }),
    notes: [`tail-read probe process, whole peak RSS (median): ${peak(small)} with the 1 MB file, ${peak(big)} with the ${files.bigLabel} file`],
  };
}

function record(results: ProbeResult[], result: ProbeResult): number {
  results.push(result);
  return result.ms;
}

function growthMiB(result: ProbeResult): number {
  return (result.afterKib - result.beforeKib) / 1024;
}
