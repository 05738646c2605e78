/**
 * One tail read in a fresh process, reporting how much it raised the process's peak RSS.
 * A fresh process because `maxRSS` is a high-water mark: in the harness, earlier work (fixture
 * generation, the timing loop) would already have raised it and hide the read's own cost.
 *
 * Usage: node dist/bench/tail-read-probe.js <transcript.jsonl> <maxRecords>
 * Prints one JSON line: { beforeKib, afterKib, ms }.
 */
import { performance } from 'node:perf_hooks';
import { tailReadJsonl } from '../src/transcript/tail-read.js';

const [path, maxRecordsText] = process.argv.slice(2);
const maxRecords = Number(maxRecordsText);
if (path === undefined || !Number.isInteger(maxRecords) || maxRecords <= 0) {
  process.stderr.write('usage: tail-read-probe <transcript.jsonl> <maxRecords>\n');
  process.exit(2);
}
const beforeKib = process.resourceUsage().maxRSS;
const start = performance.now();
const tail = tailReadJsonl(path, maxRecords);
const ms = performance.now() - start;
const afterKib = process.resourceUsage().maxRSS;
// Keep the result alive until after the measurement, so it cannot be collected early.
if (tail === undefined) process.exitCode = 1;
process.stdout.write(`${JSON.stringify({ beforeKib, afterKib, ms })}\n`);
