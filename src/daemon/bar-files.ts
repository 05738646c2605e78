import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BAR_FORMATS, renderBarLine, type BarFormat } from '../bar/bar-formats.js';
import { barView, disconnectedView, type BarView } from '../bar/bar-view.js';
import { messageOf } from '../errors.js';
import { replaceFile } from '../files/replace-file.js';
import type { SessionInfo } from '../protocol/session-info.js';
import type { Logger } from './logger.js';

/** The formats whose line tells waiting times in whole minutes at most. */
const MINUTE_FORMATS = BAR_FORMATS.filter((format) => format !== 'json');

/**
 * What each status bar shows, kept by vmuxd in `$VMUX_HOME/bar/<format>` (one line, as
 * `vmux bar --format <format>` prints it): a bar that reads the file every few seconds (`cat`)
 * needs no process of its own per monitor. A file is rewritten (whole, by rename) only when its
 * line changes; when vmuxd stops, each says so ("no vmuxd").
 */
export class BarFiles {
  private readonly dir: string;
  private readonly written = new Map<BarFormat, string>();
  /** The waiting minutes of the sessions last rendered (see `refresh`). */
  private renderedMinutes: string | undefined;
  private failed = false;

  constructor(homeDir: string, private readonly logger: Logger) {
    this.dir = join(homeDir, 'bar');
  }

  /** The sessions as served now. */
  show(sessions: readonly SessionInfo[], now = new Date()): void {
    this.renderedMinutes = waitingMinutes(sessions, now);
    this.write(barView(sessions, now), BAR_FORMATS);
  }

  /**
   * Waiting times shown in minutes, at each poll: the lines are made again only when one of them
   * has reached its next minute. Not the `json` file: its `waiting_s` counts seconds, and its
   * `waiting_since` says the exact time; it is rewritten on changes only.
   */
  refresh(sessions: readonly SessionInfo[], now = new Date()): void {
    const minutes = waitingMinutes(sessions, now);
    if (minutes === this.renderedMinutes) return;
    this.renderedMinutes = minutes;
    this.write(barView(sessions, now), MINUTE_FORMATS);
  }

  /** vmuxd is stopping: every bar reading these files shows that it is gone. */
  stopped(): void {
    this.write(disconnectedView('vmuxd stopped'), BAR_FORMATS);
  }

  private write(view: BarView, formats: readonly BarFormat[]): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      for (const format of formats) {
        const line = `${renderBarLine(view, format, { ascii: false, showName: false })}\n`;
        if (this.written.get(format) === line) continue;
        replaceFile(join(this.dir, format), line, 0o600);
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

/** How many whole minutes each session has waited for the user: what the bars' times change with. */
function waitingMinutes(sessions: readonly SessionInfo[], now: Date): string {
  return sessions
    .map((session) => (session.state === 'needs_input' && session.waiting_since !== undefined ? Math.floor((now.getTime() - Date.parse(session.waiting_since)) / 60_000) : ''))
    .join(' ');
}
