import { chmodSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { hasGraphicalSession } from '../desktop/graphical-session.js';
import { VmuxError, messageOf } from '../errors.js';
import { LabelStore } from '../home/label-store.js';
import { probeDaemon } from '../home/probe-daemon.js';
import { prepareVmuxHome, type VmuxHome } from '../home/vmux-home.js';
import type { DaemonStatus } from '../protocol/messages.js';
import { discoveryContextFrom, type Environment } from '../sessions/discovery-context.js';
import { encodePath } from '../sessions/encode-path.js';
import { ProcessArrivals } from '../sessions/process-arrivals.js';
import { childRuns } from '../sessions/proc-reader.js';
import { RunningProcesses } from '../sessions/running-processes.js';
import { processKeyOf } from '../sessions/session-registry.js';
import type { Session } from '../sessions/session.js';
import type { NotifyMode, SettingsChange } from '../settings/settings.js';
import { FreedesktopNotifications } from '../desktop/notifications/freedesktop-notifications.js';
import { TmuxNotifications } from '../desktop/notifications/tmux-notifications.js';
import { BarFiles } from './bar-files.js';
import { answerRequest, answerSwitchAndSee, switchContext } from './answer-request.js';
import { ChangeWatcher } from './change-watcher.js';
import { ClientConnection } from './client-connection.js';
import type { Logger } from './logger.js';
import { Notifier } from './notifier.js';
import { SessionPicture } from './session-picture.js';
import { TmuxTracker } from './tmux-tracker.js';
import { WindowTracker } from './window-tracker.js';

export const DEFAULT_POLL_MS = 5000;

/**
 * A poll that finds every session's process alive, and no new process that may be Claude Code,
 * scans only every this many polls (a minute at the default 5 s poll): what files tell (a
 * prompt, a status, a new client's sessions file) comes through the folder watches at once, a
 * process gone or a new client is seen at the next poll. What only the clock or an unwatched
 * file changes (a reason's age, a finished turn turning idle, a branch switch) is seen within
 * this many polls, so that a quiet vmuxd costs almost nothing.
 */
const POLLS_PER_QUIET_SCAN = 12;

/** A change seen on disk is scanned this long after, so a burst of writes costs one scan. */
const CHANGE_SETTLE_MS = 30;

/**
 * On shutdown, clients get this long to read their last line and hang up; then their connections
 * are cut, so a client that never closes its side (or never reads) cannot keep the daemon alive.
 */
const CLOSE_GRACE_MS = 500;

/** Each connection may hold a partial request line of up to 1 MiB: their number is bounded too. */
const MAX_CONNECTIONS = 512;

export interface DaemonOptions {
  readonly home: VmuxHome;
  /** Where discovery looks: `CLAUDE_CONFIG_DIR`, `HOME`, `VMUX_PROC_ROOT`, `VMUX_IDLE_MINUTES`. */
  readonly env: Environment;
  readonly pollMs: number;
  /** Tells when the settings change (an edited config file); none: the settings are fixed. */
  readonly settings?: { check(): SettingsChange };
  readonly logger: Logger;
  readonly version: string;
  /** Where to tell of a session that starts needing the user (default: nowhere). */
  readonly notify?: NotifyMode;
}

/**
 * vmuxd's lifecycle: start, the socket and its connections, the timers that drive scans, and
 * shutdown (SPEC §4). Scans run on a timer and shortly after any change in the watched folders;
 * they are synchronous, so two never overlap, and short, so the socket stays responsive. Windows
 * are looked up again when the window manager reports that a window moved or a workspace was
 * renamed. What is served is the `SessionPicture`; how requests are answered, `answerRequest`.
 */
export class Daemon {
  private readonly picture: SessionPicture;
  private readonly connections = new Set<ClientConnection>();
  private readonly watcher: ChangeWatcher;
  /** Where each session's window is and which is in front, followed through the window manager's events. */
  private readonly windows: WindowTracker;
  /** Which pane each tmux terminal shows, and the states shown on panes and windows. */
  private readonly tmux: TmuxTracker;
  /** Notifications of sessions that start needing the user, when asked for. */
  private readonly notifier: Notifier | undefined;
  /** What each status bar shows, in files a bar can read without a process of its own. */
  private readonly barFiles: BarFiles;
  private readonly startedAt = Date.now();
  private server: Server | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  /** Where discovery looks and with which thresholds: the start's settings, or the last good edit of them. */
  private discoveryEnv: Environment;
  private pollMs: number;
  private scanTimer: NodeJS.Timeout | undefined;
  /** The scan a session's state is due for with no file changing (Session.decideAgainAt). */
  private decideAgainTimer: NodeJS.Timeout | undefined;
  /** A poll asked for the next scan. */
  private pollDue = false;
  /** Polls since the last scan that found every session's process alive and skipped scanning. */
  private quietPolls = 0;
  private readonly arrivals = new ProcessArrivals();
  private readonly running = new RunningProcesses();
  /** The processes of the last scan, to notice sessions coming and going. */
  private sessionKeys = '';
  private stopping: Promise<void> | undefined;
  private resolveStopped: () => void = () => {};
  /** Settles when the daemon has shut down, whatever asked it to. */
  readonly stopped: Promise<void>;

  private constructor(
    private readonly options: DaemonOptions,
    labels: LabelStore,
  ) {
    this.watcher = new ChangeWatcher(() => this.scanSoon());
    this.windows = new WindowTracker(options.env, () => this.picture.scanned, () => this.picture.publish(), options.logger);
    this.tmux = new TmuxTracker(
      () => discoveryContextFrom(this.discoveryEnv).procRoot,
      () => {
        // Another pane in front may be another terminal window too: the WM is asked again.
        if (this.windows.followsWindows) void this.windows.lookUp();
        this.picture.publish();
      },
      options.logger,
      options.pollMs,
    );
    const whereabouts = {
      workspaceOf: (pid: number) => this.windows.workspaceOf(pid),
      isInFront: (pid: number) => this.isInFront(pid),
    };
    this.notifier = this.startNotifier(options.notify ?? 'off');
    this.barFiles = new BarFiles(options.home.dir, options.logger);
    this.picture = new SessionPicture(labels, whereabouts, options.logger, (sessions) => {
      this.tmux.showStates(sessions);
      this.notifier?.update(sessions);
      this.barFiles.show(sessions);
    });
    this.discoveryEnv = options.env;
    this.pollMs = options.pollMs;
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
  }

  /**
   * Checks the home folder, refuses to start beside a live daemon, scans once (so the first
   * client never sees an empty list by race), then listens. Starts fully or not at all: when a
   * step fails (a full disk under the PID file, say), what was started is shut down, the socket
   * and PID file are removed, and the error is thrown.
   */
  static async start(options: DaemonOptions): Promise<Daemon> {
    const { home, logger } = options;
    prepareVmuxHome(home);
    await removeStaleSocket(home.socketPath);
    const labels = LabelStore.open(home.labelsPath, (movedTo, why) =>
      logger.warn(`labels.json was unreadable (${why}); kept it as ${movedTo} and started with no labels`),
    );
    const daemon = new Daemon(options, labels);
    try {
      daemon.scan();
      await daemon.listen();
      // Written whole, or the start fails: an empty PID file would name no daemon.
      writeFileSync(home.pidPath, `${process.pid}\n`, { mode: 0o600 });
      daemon.startPolling();
      daemon.windows.followWindowChanges();
    } catch (error) {
      await daemon.stop(`could not start: ${messageOf(error)}`);
      throw new VmuxError('DAEMON_START_FAILED', `vmuxd could not start: ${messageOf(error)}`, { cause: error });
    }
    logger.info(`serving ${daemon.picture.size} sessions on ${home.socketPath} (pid ${process.pid})`);
    return daemon;
  }

  /** One shutdown for SIGINT, SIGTERM and the `stop` request: stop listening, end clients, clean up. */
  stop(why: string): Promise<void> {
    this.stopping ??= this.shutdown(why);
    return this.stopping;
  }

  private async shutdown(why: string): Promise<void> {
    this.options.logger.info(`stopping (${why})`);
    clearInterval(this.pollTimer);
    clearTimeout(this.scanTimer);
    clearTimeout(this.decideAgainTimer);
    this.running.close();
    this.windows.close();
    this.watcher.close();
    const tmuxClosed = Promise.all([this.tmux.close(), this.notifier?.close()]);
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    for (const connection of this.connections) connection.end();
    this.barFiles.stopped();
    removeQuietly(this.options.home.socketPath, this.options.logger);
    removeQuietly(this.options.home.pidPath, this.options.logger);
    // server.close waits for every connection to end: one left half-open would hold it forever.
    const cut = setTimeout(() => {
      for (const connection of this.connections) connection.destroy();
    }, CLOSE_GRACE_MS);
    await closed;
    clearTimeout(cut);
    await tmuxClosed;
    this.resolveStopped();
  }

  private listen(): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.home.socketPath, () => {
        server.off('error', reject);
        server.on('error', (error) => this.options.logger.warn(`socket: ${error.message}`));
        // The home folder is 0700 already; the socket itself is the user's alone too.
        chmodSync(this.options.home.socketPath, 0o600);
        resolve();
      });
    });
  }

  private accept(socket: Socket): void {
    // At the limit, the connection idle longest makes room: held connections never lock a user out.
    if (this.connections.size >= MAX_CONNECTIONS && !this.closeLongestIdle()) {
      socket.end(`${JSON.stringify({ ok: false, error: `vmuxd serves at most ${MAX_CONNECTIONS} connections at once; try again` })}\n`);
      return;
    }
    const answer = { picture: this.picture, windows: this.windows, home: this.options.home, status: () => this.status(), stop: (why: string) => void this.stop(why) };
    const connection = new ClientConnection(socket, (request, from) => answerRequest(request, from, answer), (error) => this.options.logger.debug(`rejected a request: ${error}`), () => {
      this.connections.delete(connection);
      this.picture.unsubscribe(connection);
    });
    this.connections.add(connection);
  }

  /** Closes the connection that has neither asked nor listened for longest; false when none is idle. */
  private closeLongestIdle(): boolean {
    let idlest: ClientConnection | undefined;
    for (const connection of this.connections) {
      const since = connection.idleSinceMs;
      if (since !== undefined && (idlest === undefined || since < (idlest.idleSinceMs ?? Infinity))) idlest = connection;
    }
    if (idlest === undefined) return false;
    idlest.destroy();
    this.connections.delete(idlest);
    return true;
  }

  private status(): DaemonStatus {
    return {
      pid: process.pid,
      version: this.options.version,
      uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
      sessions: this.picture.size,
      signals: {
        poll_s: this.pollMs / 1000,
        watched_folders: this.watcher.count,
        window_manager: hasGraphicalSession(this.windows.env),
        hooks: false,
        notifications: this.notificationsStatus(),
      },
    };
  }

  private startPolling(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = setInterval(() => {
      this.followSettings();
      // Waiting times in the bar files age without any change to publish.
      this.barFiles.refresh(this.picture.sessions);
      const { procRoot } = discoveryContextFrom(this.discoveryEnv);
      if (
        this.quietPolls < POLLS_PER_QUIET_SCAN - 1 &&
        this.sessionsStillRun(procRoot) &&
        !this.arrivals.mayHaveNewSession(procRoot) &&
        !this.promptedCallStarted(procRoot)
      ) {
        this.quietPolls++;
        return;
      }
      this.scanSoon(0, true);
    }, this.pollMs);
  }

  /**
   * Every session's process still runs, as a scan would tell: the same start time, and no zombie
   * (a killed client is one until it is reaped). See RunningProcesses.
   */
  private sessionsStillRun(procRoot: string): boolean {
    return this.running.allRun(procRoot, this.picture.scanned);
  }

  /**
   * A session told waiting at its permission prompt by a Bash call that no child of it ran (the
   * Node build writes no status) now runs it: the user allowed the call. A few reads of its
   * children per poll, and only while such a prompt waits.
   */
  private promptedCallStarted(procRoot: string): boolean {
    return this.picture.scanned.some((session) => session.toolCommand !== undefined && childRuns(procRoot, session.pid, session.toolCommand) === true);
  }

  /** An edited config file takes effect at the next poll; one with errors is told and ignored. */
  private followSettings(): void {
    const change = this.options.settings?.check();
    if (change === undefined || change.kind === 'unchanged') return;
    if (change.kind === 'rejected') {
      this.options.logger.warn(`the config file has errors; keeping the settings in force:\n${change.problems.join('\n')}`);
      return;
    }
    this.discoveryEnv = { ...this.discoveryEnv, ...pick(change.env, ['VMUX_IDLE_MINUTES', 'VMUX_POLL_SECONDS', 'VMUX_LAUNCHER', 'VMUX_TERMINAL']) };
    const pollMs = Math.round(change.settings.pollSeconds.value * 1000);
    this.options.logger.info(`settings changed: idle after ${change.settings.idleMinutes.value} min, poll every ${change.settings.pollSeconds.value} s`);
    if (pollMs !== this.pollMs) {
      this.pollMs = pollMs;
      this.startPolling();
    }
  }

  /**
   * Schedules a scan (at most one pending); changes on disk settle for a moment first. A poll
   * also asks the window manager again, which no file change can tell about (a moved window).
   */
  private scanSoon(delayMs = CHANGE_SETTLE_MS, poll = false): void {
    this.pollDue ||= poll;
    if (this.scanTimer !== undefined || this.stopping) return;
    this.scanTimer = setTimeout(() => {
      this.scanTimer = undefined;
      this.scan();
    }, delayMs);
  }

  private startNotifier(mode: NotifyMode): Notifier | undefined {
    if (mode === 'off') return undefined;
    const sink =
      mode === 'tmux'
        ? new TmuxNotifications({ procRoot: discoveryContextFrom(this.options.env).procRoot })
        : // The session bus of the desktop vmuxd follows, learnt from its clients like the window manager.
          new FreedesktopNotifications({ env: () => this.windows.env });
    return new Notifier(sink, { logger: this.options.logger, onActivate: (sessionId) => void this.switchTo(sessionId) });
  }

  /** `off`, where notifications go, or why they cannot be shown (for `vmux status`). */
  private notificationsStatus(): string {
    if (this.notifier === undefined) return 'off';
    const problem = this.notifier.problem;
    return problem === undefined ? (this.options.notify ?? 'off') : `${this.options.notify ?? 'off'}, not shown: ${problem}`;
  }

  /** A click on a notification: the same path as `vmux switch <id>`, in the desktop vmuxd follows. */
  private async switchTo(sessionId: string): Promise<void> {
    const answer = await answerSwitchAndSee(sessionId, this.picture, switchContext({ picture: this.picture, windows: this.windows, home: this.options.home }));
    if (!answer.ok) this.options.logger.warn(`could not go to session ${sessionId} from its notification: ${answer.error ?? 'unknown error'}`);
  }

  /**
   * In front of the user: its pane is the one a tmux terminal shows (for a session in tmux) and,
   * where windows are followed, its terminal window has the focus. Without a window manager, a
   * pane shown in an attached terminal is in front (tmux over ssh).
   */
  private isInFront(pid: number): boolean {
    const paneShown = this.tmux.paneShown(pid) ?? this.windows.paneInFront(pid);
    if (paneShown === false) return false;
    return this.windows.followsWindows ? this.windows.windowFocused(pid) : paneShown === true;
  }

  /**
   * A state the clock alone changes soon (a status the transcript has not caught up with, a
   * Bash call too young to tell) is decided again when due, not at the next full scan.
   */
  private decideAgainWhenDue(sessions: readonly Session[]): void {
    clearTimeout(this.decideAgainTimer);
    this.decideAgainTimer = undefined;
    const due = Math.min(...sessions.map((session) => session.decideAgainAt?.getTime() ?? Number.POSITIVE_INFINITY));
    if (!Number.isFinite(due) || this.stopping) return;
    this.decideAgainTimer = setTimeout(() => {
      this.decideAgainTimer = undefined;
      this.scanSoon(0);
    }, Math.max(0, due - Date.now()));
  }

  private scan(): void {
    this.quietPolls = 0;
    const context = discoveryContextFrom(this.discoveryEnv);
    // What this scan sees of /proc is what the next quiet polls compare with.
    this.arrivals.learn(context.procRoot);
    // process.hrtime rather than performance.now(): the global `performance` loads perf_hooks, ~1 MiB that vmuxd would keep.
    const started = process.hrtime.bigint();
    const sessions = this.picture.scan(context);
    if (sessions === undefined) return;
    // Windows are looked up on polls and when sessions come or go, not on every transcript write.
    const sessionKeys = sessions.map(processKeyOf).sort().join(' ');
    const lookUp = this.pollDue || sessionKeys !== this.sessionKeys;
    this.pollDue = false;
    this.sessionKeys = sessionKeys;
    // Only sessions this Claude folder knows (an id from a sessions file or a transcript): the
    // process of another folder's session (another CLAUDE_CONFIG_DIR, another vmuxd's) is listed,
    // but its tmux server is not this vmuxd's to follow or mark.
    this.tmux.follow(sessions.filter((session) => session.sessionId !== ''));
    this.watcher.watchOnly([
      join(context.claudeDir, 'sessions'),
      // A first prompt in a new folder creates its project folder (older clients write no status).
      join(context.claudeDir, 'projects'),
      ...sessions.map((s) => (s.transcriptPath ? dirname(s.transcriptPath) : join(context.claudeDir, 'projects', encodePath(s.cwd)))),
    ]);
    this.picture.publish();
    this.decideAgainWhenDue(sessions);
    if (lookUp) void this.windows.lookUp();
    this.options.logger.debug(
      `scan: ${sessions.length} sessions in ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)} ms; watching ${this.watcher.count} folders; ${this.picture.subscriberCount} subscribers`,
    );
  }
}

/**
 * A socket file may be left by a daemon that died. If a daemon answers on it, refuse to start;
 * if nothing listens, remove it.
 */
async function removeStaleSocket(socketPath: string): Promise<void> {
  const probe = await probeDaemon(socketPath);
  switch (probe.kind) {
    case 'absent':
      return;
    case 'stale':
      unlinkSync(socketPath);
      return;
    case 'running':
      throw new VmuxError('DAEMON_RUNNING', `vmuxd already running (pid ${probe.pid})`);
    case 'foreign':
      throw new VmuxError('DAEMON_ERROR', `${socketPath} is in use by something that is not vmuxd (${probe.why}); stop it or set VMUX_HOME`);
  }
}

/** A shutdown goes on whatever is in the way of removing its files (a folder in their place, say). */
function removeQuietly(path: string, logger: Logger): void {
  try {
    rmSync(path, { force: true });
  } catch (error) {
    logger.warn(`could not remove ${path}: ${messageOf(error)}`);
  }
}

function pick(env: Environment, names: readonly string[]): Environment {
  return Object.fromEntries(names.flatMap((name) => (env[name] !== undefined ? [[name, env[name]]] : [])));
}


