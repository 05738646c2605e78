import { assertNever } from '../assert-never.js';
import type { VmuxHome } from '../home/vmux-home.js';
import type { DaemonStatus, Request, Response } from '../protocol/messages.js';
import type { ClientConnection } from './client-connection.js';
import type { SessionPicture } from './session-picture.js';
import { answerNext, answerSwitch, type SwitchContext } from './switch-requests.js';
import type { WindowTracker } from './window-tracker.js';

/** A listing waits this long at most for the workspaces of a desktop session just learnt (a WM may hang). */
const FIRST_LOOKUP_WAIT_MS = 500;

/** What vmuxd answers requests from. */
export interface RequestContext {
  readonly picture: SessionPicture;
  readonly windows: WindowTracker;
  readonly home: VmuxHome;
  status(): DaemonStatus;
  stop(why: string): void;
}

/**
 * vmuxd's answer to one request (SPEC §5); undefined for `subscribe`, whose answer is the
 * stream itself. Every request that carries the client's desktop session offers it to the
 * window tracker first, so vmuxd learns where to ask the window manager.
 */
export function answerRequest(request: Request, from: ClientConnection, context: RequestContext): Response | Promise<Response> | undefined {
  const { picture, windows } = context;
  switch (request.action) {
    case 'list':
      // A client from a desktop vmuxd did not know waits for the workspaces there (once, briefly).
      if (windows.offerDesktop(request.args?.desktop)) return withinMs(windows.lookupDone, FIRST_LOOKUP_WAIT_MS).then(() => ({ ok: true, sessions: picture.sessions }));
      return { ok: true, sessions: picture.sessions };
    case 'switch':
      windows.offerDesktop(request.args.desktop);
      return seenAfter(answerSwitch(request.args.query, request.args.desktop, switchContext(context)), picture);
    case 'next':
      windows.offerDesktop(request.args.desktop);
      return seenAfter(answerNext(request.args.desktop, switchContext(context)), picture);
    case 'label':
      return picture.label(request.args.session_id, request.args.label);
    case 'subscribe':
      windows.offerDesktop(request.args?.desktop);
      from.startStream();
      picture.subscribe(from);
      return undefined;
    case 'status':
    case 'version':
      return { ok: true, status: context.status() };
    case 'stop':
      // Answer first, then shut down: the client learns that its request was taken.
      setImmediate(() => context.stop('stop request'));
      return { ok: true };
    default:
      // A request type added to the protocol without an answer here fails to compile.
      return assertNever(request);
  }
}

/** What `switch` and `next` choose from and switch with. */
export function switchContext({ picture, windows, home }: Pick<RequestContext, 'picture' | 'windows' | 'home'>): SwitchContext {
  return { sessions: picture.sessions, env: windows.env, home };
}

/** Goes to a session by its id, in the desktop vmuxd follows, as a `switch` request would; seen then. */
export function answerSwitchAndSee(sessionId: string, picture: SessionPicture, context: SwitchContext): Promise<Response> {
  return seenAfter(answerSwitch(sessionId, undefined, context), picture);
}

/** A session the user went to through vmux is seen, whether or not a window could be focused. */
async function seenAfter(answer: Promise<Response>, picture: SessionPicture): Promise<Response> {
  const response = await answer;
  if (response.ok && response.switched !== undefined) picture.seen(response.switched.pid);
  return response;
}

/** Settles when `promise` does or after `ms`, whichever comes first; never rejects. */
function withinMs(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    promise.then(done, done);
  });
}
