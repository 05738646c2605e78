import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BAR_FORMATS, renderBarLine, type BarFormat } from '../bar/bar-formats.js';
import { barView, disconnectedView, type BarView } from '../bar/bar-view.js';
import { messageOf } from '../errors.js';
import type { SessionInfo } from '../protocol/session-info.js';
import type { Logger } from './logger.js';

/**
 * What each status bar shows, kept by vmuxd in `$VMUX_HOME/bar/<format>` (one line, as
 * `vmux bar --format <format>` prints it): a bar that reads the file every few seconds (`cat`)
 * needs no process of its own per monitor. A file is rewritten (whole, by rename) only when its
 * line changes; when vmuxd stops, each says so ("no vmuxd").
 */
export class BarFiles {
  private readonly dir: string;
  private readonly written = new Map<BarFormat, string>();
  private failed = false;

  constructor(homeDir: string, private readonly logger: Logger) {
    this.dir = join(homeDir, 'bar');
  }

  /** The sessions as served now (and again at each poll, so that waiting times stay current). */
  show(sessions: readonly SessionInfo[], now = new Date()): void {
    this.write(barView(sessions, now));
  }

  /** vmuxd is stopping: every bar reading these files shows that it is gone. */
  stopped(): void {
    this.write(disconnectedView('vmuxd stopped'));
  }

  private write(view: BarView): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      for (const format of BAR_FORMATS) {
        const line = `${renderBarLine(view, format, { ascii: false, showName: false })}\n`;
        if (this.written.get(format) === line) continue;
        const path = join(this.dir, format);
        const temp = `${path}.${process.pid}.tmp`;
        writeFileSync(temp, line, { mode: 0o600 });
        renameSync(temp, path);
        this.written.set(format, line);
      }
      this.failed = false;
    } catch (error) {
      // Told once per run of failures: a full disk must not fill the log at every change.
      if (!this.failed) this.logger.warn(`could not write the bar files in ${this.dir}: ${messageOf(error)}`);
      this.failed = true;
    }
  }
}
