/**
 * The README's Performance section, from a benchmark run: the figures as a Markdown table, the
 * machine they were measured on and the command that measures them again. `npm run bench --
 * --write-readme` puts it between the two markers below in README.md; `--markdown` prints it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Comparison, Measurement, RunContext } from './report.js';

export const START_MARKER = '<!-- bench:start -->';
export const END_MARKER = '<!-- bench:end -->';

function amount(value: number, unit: string): string {
  const digits = unit === 'µs' ? 0 : unit === '%' ? 2 : 1;
  return `${value.toFixed(digits)} ${unit}`;
}

/** `|` would end a cell early. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function comparisonRow(c: Comparison): string[] {
  const ratio = Number.isFinite(c.ratio) ? `${c.ratio.toFixed(2)}×` : '—';
  const target = c.target === undefined ? '' : `≤ ${c.target.toFixed(1)}× ${c.met ? '✓' : '✗'}`;
  return [c.title, amount(c.subject.summary.median, c.unit), `${c.baseline.label}: ${amount(c.baseline.summary.median, c.unit)}`, ratio, target];
}

function measurementRow(m: Measurement): string[] {
  const value = m.targetOn === 'max' ? `${amount(m.summary.median, m.unit)} (max ${amount(m.summary.max, m.unit)})` : m.targetOn === 'p95' ? `${amount(m.summary.median, m.unit)} (p95 ${amount(m.summary.p95, m.unit)})` : amount(m.summary.median, m.unit);
  const target = m.target === undefined || m.targetOn === undefined ? '' : `${m.targetOn} ≤ ${amount(m.target, m.unit)} ${m.met ? '✓' : '✗'}`;
  return [m.title, value, m.reference ?? '', '', target];
}

/** The section between the markers: a table of medians, then where and how they were measured. */
export function readmeSection(comparisons: readonly Comparison[], measurements: readonly Measurement[], context: RunContext, date: Date): string {
  const rows = [...comparisons.map(comparisonRow), ...measurements.map(measurementRow)];
  const lines = [
    '| figure | median | baseline, same run | ratio | target |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
    '',
    `Measured ${date.toISOString().slice(0, 10)} with Node.js ${context.node} on ${context.cpu} (${context.cores} cores), ` +
      `load average ${context.loadAverage.map((l) => l.toFixed(2)).join(' ')}; ${context.runs} runs per command figure, medians. ` +
      'Ratios compare with a baseline measured in the same run, interleaved, so a busy machine slows both alike.',
    '',
    '```sh',
    context.command,
    '```',
  ];
  return `${lines.join('\n')}\n`;
}

/** `readme` with the text between the markers replaced by `section`; throws when the markers are not there once each, in order. */
export function replaceSection(readme: string, section: string): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start || readme.indexOf(START_MARKER, start + 1) >= 0 || readme.indexOf(END_MARKER, end + 1) >= 0) {
    throw new Error(`README.md needs one "${START_MARKER}" line and, after it, one "${END_MARKER}" line where the Performance table goes`);
  }
  return `${readme.slice(0, start + START_MARKER.length)}\n${section}${readme.slice(end)}`;
}

/** Writes `section` into the README at `path`, between the markers. */
export function writeReadmeSection(path: string, section: string): void {
  writeFileSync(path, replaceSection(readFileSync(path, 'utf8'), section));
}
