/**
 * `node dist/src/tools/write-man-page.js <file>` (part of `npm run build`): writes vmux(1) from
 * the command table. Dated by SOURCE_DATE_EPOCH when set, so a rebuild of the same source is the
 * same file; else today.
 */
import { writeFileSync } from 'node:fs';
import { manPage } from '../cli/man-page.js';

const [path] = process.argv.slice(2);
if (path === undefined) {
  process.stderr.write('Usage: node dist/src/tools/write-man-page.js <file>\n');
  process.exit(2);
}
const epoch = Number(process.env['SOURCE_DATE_EPOCH']);
const date = (Number.isFinite(epoch) && epoch > 0 ? new Date(epoch * 1000) : new Date()).toISOString().slice(0, 10);
writeFileSync(path, manPage({ date }));
