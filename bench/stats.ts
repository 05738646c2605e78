/** Order statistics of one set of timings. Medians and p90s, not means: shared machines have outliers. */
export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p90: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
}

/** Linear interpolation between the two nearest ranks (the common "type 7" quantile). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const low = sorted[below] ?? Number.NaN;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] ?? low;
  return low + (high - low) * (position - below);
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p95: quantile(sorted, 0.95),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/**
 * Runs the measurements in turn (a, b, c, a, b, c…), so that a slow spell of the machine hits all
 * alike. The first `warmup` rounds (page cache, CPU frequency, lazy compilation) are not recorded.
 * The event loop turns between rounds, so a signal to the harness is handled promptly.
 */
export async function interleaveAll(
  rounds: number,
  warmup: number,
  measures: ReadonlyArray<() => number | Promise<number>>,
): Promise<number[][]> {
  const samples = measures.map(() => [] as number[]);
  for (let round = 0; round < warmup + rounds; round++) {
    for (const [i, measure] of measures.entries()) {
      const value = await measure();
      if (round >= warmup) samples[i]?.push(value);
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return samples;
}

/** `interleaveAll` for the usual baseline/subject pair. */
export async function interleave(
  pairs: number,
  warmup: number,
  baseline: () => number | Promise<number>,
  subject: () => number | Promise<number>,
): Promise<{ baseline: number[]; subject: number[] }> {
  const [b = [], s = []] = await interleaveAll(pairs, warmup, [baseline, subject]);
  return { baseline: b, subject: s };
}

/** Rounds for display and JSON: enough digits to compare runs, not more. */
export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
