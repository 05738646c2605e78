/**
 * Where vmuxd's notifications go: the desktop's notification server (freedesktop notifications
 * over D-Bus) or the status line of attached tmux clients. The policy (which transitions deserve
 * a notification, what it says, when it goes away) is the daemon's; a sink only shows, replaces
 * and closes what it is given, and reports what the user did with it.
 */

/** How much a notification interrupts: the freedesktop urgency levels (0, 1, 2). */
export type Urgency = 'low' | 'normal' | 'critical';

/** The byte the freedesktop `urgency` hint carries for each level. */
export const URGENCY_LEVEL: Readonly<Record<Urgency, number>> = { low: 0, normal: 1, critical: 2 };

/** A session a notification is about, with what a sink needs to reach it. */
export interface NotifiedSession {
  readonly sessionId: string;
  readonly pid: number;
  /** `%N`, as the client reports it; the tmux sink finds the session's server from the process otherwise. */
  readonly tmuxPane?: string;
}

export interface Notification {
  /** Plain text: the session's label, else its folder and branch; or how many sessions, for a group. */
  readonly title: string;
  /** Plain text, one line per session named; a sink escapes it as its server needs. */
  readonly body: string;
  readonly urgency: Urgency;
  /** Label of the default action (clicking the notification), where the server offers actions. */
  readonly actionLabel: string;
  /** The sessions it names, the one a click goes to first. */
  readonly sessions: readonly NotifiedSession[];
}

/** Why a notification went away, as the freedesktop `NotificationClosed` signal says (1–4), or because its server did. */
export type CloseReason = 'expired' | 'dismissed' | 'closed' | 'undefined' | 'server-gone';

export type SinkEvent =
  /** The user invoked the notification's default action (clicked it). */
  | { readonly kind: 'activated'; readonly id: number }
  /** It is no longer shown. */
  | { readonly kind: 'closed'; readonly id: number; readonly reason: CloseReason };

export interface NotificationSink {
  /** `desktop` or `tmux`, for logs and `vmux status`. */
  readonly kind: 'desktop' | 'tmux';
  /**
   * Shows `notification`, in place of notification `replaces` when that one is still shown;
   * resolves to its id. Rejects with a `VmuxError` (one line: why, and what to do) when it
   * cannot be shown; never throws synchronously.
   */
  show(notification: Notification, replaces?: number): Promise<number>;
  /** Takes a notification away; nothing happens when it is already gone. */
  close(id: number): Promise<void>;
  /** Tells `listener` what becomes of the notifications shown (one listener; a later call replaces it). */
  listen(listener: (event: SinkEvent) => void): void;
  /** Lets go of connections; shown notifications stay where the server keeps them. */
  dispose(): Promise<void>;
}
