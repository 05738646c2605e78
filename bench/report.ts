import type { HotFunction } from './cpu-profile.js';
import { round, type Summary } from './stats.js';

/** One figure: a subject measured against a baseline in the same run. */
export interface Comparison {
  readonly id: string;
  readonly title: string;
  readonly unit: 'ms' | 'µs' | 'MiB';
  readonly baseline: { readonly label: string; readonly summary: Summary };
  readonly subject: { readonly label: string; readonly summary: Summary };
  /** Median of the subject over median of the baseline; NaN when the baseline is ~0. */
  readonly ratio: number;
  readonly ratioP90: number;
  /** Highest acceptable ratio, when there is one. */
  readonly target?: number;
  readonly met?: boolean;
}

/** What a comparison is made of; `compare` works out the ratios and whether the target is met. */
export interface ComparisonInput {
  readonly id: string;
  readonly title: string;
  readonly unit: Comparison['unit'];
  readonly baseline: Comparison['baseline'];
  readonly subject: Comparison['subject'];
  readonly target?: number;
  /** A baseline below this makes a ratio meaningless (a growth near zero): the ratio is NaN then. */
  readonly minBaseline?: number;
}

export function compare(input: ComparisonInput): Comparison {
  const { minBaseline = 0, ...fields } = input;
  const ratioOf = (subject: number, baseline: number): number => (baseline > minBaseline ? subject / baseline : Number.NaN);
  const ratio = ratioOf(fields.subject.summary.median, fields.baseline.summary.median);
  return {
    ...fields,
    ratio,
    ratioP90: ratioOf(fields.subject.summary.p90, fields.baseline.summary.p90),
    ...(fields.target !== undefined ? { met: ratio <= fields.target } : {}),
  };
}

/**
 * A figure with no baseline to divide by (a latency, a daemon's resident memory over a minute):
 * its own order statistics, and a target on one of them.
 */
export interface Measurement {
  readonly id: string;
  readonly title: string;
  readonly unit: 'ms' | 'MiB' | '%';
  readonly summary: Summary;
  /** Which statistic the target is about. */
  readonly targetOn?: 'median' | 'mean' | 'p95' | 'max';
  readonly target?: number;
  readonly met?: boolean;
  /** What the figure is next to, e.g. "an idle node process: 38.2 MiB". */
  readonly reference?: string;
}

/** How the run was made; printed under the table and included in the JSON. */
export interface RunContext {
  readonly node: string;
  /** CPU model and the number of cores Node sees. */
  readonly cpu: string;
  readonly cores: number;
  /** 1, 5 and 15 minutes, at the end of the run. */
  readonly loadAverage: readonly number[];
  /** The command line that makes this run again. */
  readonly command: string;
  readonly runs: number;
  /** Present when the benchmark that uses it ran. */
  readonly tailIterations?: number;
  readonly rssMethod?: string;
  readonly listFixture?: { readonly sessions: number; readonly transcriptMiB: number };
  readonly seconds: number;
}

/** The run's circumstances in one line: machine, load, what was measured how. */
export function describeContext(context: RunContext): string {
  return [
    `node ${context.node}`,
    `${context.cpu}, ${context.cores} cores`,
    `load average ${context.loadAverage.map((l) => l.toFixed(2)).join(' ')}`,
    `${context.runs} runs per command figure`,
    ...(context.tailIterations !== undefined ? [`${context.tailIterations} tail-read iterations`] : []),
    ...(context.listFixture ? [`${context.listFixture.sessions} sessions, ${context.listFixture.transcriptMiB.toFixed(1)} MiB of transcripts`] : []),
    ...(context.rssMethod !== undefined ? [`peak RSS via ${context.rssMethod}`] : []),
    `${context.seconds.toFixed(0)} s in all`,
  ].join('; ');
}

/** The hottest functions of one profiled process. */
export interface HotProfile {
  /** What ran, e.g. "one vmux list --json". */
  readonly what: string;
  readonly totalMs: number;
  readonly functions: readonly HotFunction[];
}

function amount(value: number, unit: Comparison['unit'] | Measurement['unit']): string {
  const digits = unit === 'µs' ? 0 : unit === '%' ? 3 : 1;
  return `${value.toFixed(digits)} ${unit}`;
}

function ratioText(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '—';
}

function targetText(c: Comparison): string {
  if (c.target === undefined) return '';
  return `${c.met ? '✓' : '✗'} ≤ ${c.target.toFixed(1)}×`;
}

/** A header, a rule and the rows, columns as wide as their widest cell, after a blank line. */
function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((row) => [...(row[i] ?? '')].length)));
  const line = (cells: readonly string[]): string => `${cells.map((cell, i) => pad(cell, widths[i] ?? 0)).join('  ').trimEnd()}\n`;
  return `\n${line(header)}${line(widths.map((w) => '-'.repeat(w)))}${rows.map(line).join('')}`;
}

/** Pads by code points, so `µ`, `×` and `✓` do not push columns out of line. */
function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - [...text].length));
}

function measurementTarget(m: Measurement): string {
  if (m.target === undefined || m.targetOn === undefined) return '';
  return `${m.met ? '✓' : '✗'} ${m.targetOn} ≤ ${amount(m.target, m.unit)}`;
}

function formatMeasurements(measurements: readonly Measurement[]): string {
  if (measurements.length === 0) return '';
  const header = ['measurement', 'n', 'median', 'p95', 'max', 'target', 'reference'];
  const rows = measurements.map((m) => [
    m.title,
    String(m.summary.n),
    amount(m.summary.median, m.unit),
    amount(m.summary.p95, m.unit),
    amount(m.summary.max, m.unit),
    measurementTarget(m),
    m.reference ?? '',
  ]);
  return textTable(header, rows);
}

export function formatTable(
  comparisons: readonly Comparison[],
  notes: readonly string[],
  context: RunContext,
  profiles: readonly HotProfile[] = [],
  measurements: readonly Measurement[] = [],
): string {
  const header = ['benchmark', 'baseline  median / p90', 'subject  median / p90', 'ratio', 'p90 ratio', 'target'];
  const rows = comparisons.map((c) => [
    c.title,
    `${c.baseline.label}: ${amount(c.baseline.summary.median, c.unit)} / ${amount(c.baseline.summary.p90, c.unit)}`,
    `${c.subject.label}: ${amount(c.subject.summary.median, c.unit)} / ${amount(c.subject.summary.p90, c.unit)}`,
    ratioText(c.ratio),
    ratioText(c.ratioP90),
    targetText(c),
  ]);
  let out = textTable(header, rows);
  out += formatMeasurements(measurements);
  out += '\n';
  for (const note of notes) out += `- ${note}\n`;
  out +=
    `- ${describeContext(context)}\n- to run again: ${context.command}\n`;
  for (const hot of profiles) {
    out += `\nhottest functions (self time) in ${hot.what}, ${hot.totalMs.toFixed(0)} ms profiled:\n`;
    for (const f of hot.functions) out += `  ${f.selfMs.toFixed(1).padStart(7)} ms  ${(f.share * 100).toFixed(1).padStart(5)} %  ${f.where}\n`;
  }
  return out;
}

function summaryJson(summary: Summary): Record<string, number> {
  return { n: summary.n, median: round(summary.median, 3), p90: round(summary.p90, 3), p95: round(summary.p95, 3), min: round(summary.min, 3), max: round(summary.max, 3) };
}

export function formatJson(
  comparisons: readonly Comparison[],
  notes: readonly string[],
  context: RunContext,
  profiles: readonly HotProfile[] = [],
  measurements: readonly Measurement[] = [],
): string {
  const benchmarks = comparisons.map((c) => ({
    id: c.id,
    title: c.title,
    unit: c.unit,
    baseline: { label: c.baseline.label, ...summaryJson(c.baseline.summary) },
    subject: { label: c.subject.label, ...summaryJson(c.subject.summary) },
    ratio: Number.isFinite(c.ratio) ? round(c.ratio, 3) : null,
    ratio_p90: Number.isFinite(c.ratioP90) ? round(c.ratioP90, 3) : null,
    ...(c.target === undefined ? {} : { target: c.target, met: c.met ?? false }),
  }));
  const result = {
    benchmarks,
    measurements: measurements.map((m) => ({
      id: m.id,
      title: m.title,
      unit: m.unit,
      ...summaryJson(m.summary),
      ...(m.target === undefined ? {} : { target_on: m.targetOn, target: m.target, met: m.met ?? false }),
      ...(m.reference === undefined ? {} : { reference: m.reference }),
    })),
    notes,
    context: {
      ...context,
      ...(context.listFixture ? { listFixture: { ...context.listFixture, transcriptMiB: round(context.listFixture.transcriptMiB, 1) } } : {}),
      seconds: round(context.seconds, 1),
    },
    profiles: profiles.map((hot) => ({
      what: hot.what,
      total_ms: round(hot.totalMs, 1),
      hottest: hot.functions.map((f) => ({ where: f.where, self_ms: round(f.selfMs, 1), share: round(f.share, 3) })),
    })),
  };
  return `${JSON.stringify(result, null, 2)}\n`;
}
