import { basename } from 'node:path';

/** What a process shows of itself; enough to tell whether it is a Claude Code session. */
export interface ProcessIdentity {
  readonly comm: string;
  /** Target of `/proc/<pid>/exe`, when readable. */
  readonly exe: string | undefined;
  readonly argv: readonly string[];
}

export type Recognition =
  | { readonly kind: 'session' }
  | { readonly kind: 'not-a-session'; readonly why: string }
  | { readonly kind: 'not-claude' };

/** Runtimes that can run the Node build of Claude Code as `runtime …/cli.js`. */
const JS_RUNTIMES = new Set(['node', 'nodejs', 'bun', 'deno']);

/**
 * Subcommands that run and exit without a conversation. Claude Code treats the first
 * non-option argument as a subcommand only when it is one of these.
 */
const NON_SESSION_SUBCOMMANDS = new Set([
  'mcp', 'config', 'doctor', 'update', 'upgrade', 'install', 'uninstall', 'migrate-installer', 'setup-token',
  'plugin', 'plugins', 'auth', 'login', 'logout',
  // 2.1.332: the supervisor of background sessions, and the commands that list, show or stop them.
  'daemon', 'agents', 'attach', 'stop', 'logs', 'serve', 'gateway', 'remote-control', 'worktree-hook', 'workspace-trust',
]);
const NON_SESSION_FLAGS = new Set(['--version', '-v', '-V', '--help', '-h']);

/**
 * Internal re-executions of the native client (its background PTY host and pre-spawned spares)
 * are helpers of a session, not sessions.
 */
const HELPER_FLAG_PREFIXES = ['--bg-'];

/** `comm` of the client started by name: the launcher or the Node build (`claude`), the npm native binary (`claude.exe`). */
const CLAUDE_NAMES = new Set(['claude', 'claude.exe']);

/** A native build run from Claude Code's versions folder has the version as its file name. */
const VERSION_NAME = /^[0-9]+\.[0-9]+\.[0-9]+/;

/** `…/claude`, `…/claude.exe` or `…/claude/versions/<v>`: the native Claude Code executable. */
export function isClaudeExecutablePath(path: string): boolean {
  const clean = path.replace(/ \(deleted\)$/, '');
  const name = basename(clean);
  if (name === 'claude' || name === 'claude.exe') return true;
  return /\/claude\/versions\/[^/]+$/.test(clean);
}

function isClaudeLauncherScript(path: string): boolean {
  return basename(path) === 'claude' || /@anthropic-ai\/claude-code\/cli\.m?js$/.test(path);
}

/** Index in argv where Claude Code's own arguments start, or -1 when this is not Claude Code. */
function claudeArgsStart(identity: ProcessIdentity): number {
  const argv0 = identity.argv[0] ?? '';
  // `node …/cli.js` or `sh …/claude`: the interpreter and the script come before Claude's arguments.
  const interpreted =
    identity.argv[1] !== undefined && isClaudeLauncherScript(identity.argv[1]) && basename(argv0) !== 'claude';
  if (interpreted && JS_RUNTIMES.has(basename(argv0))) return 2;
  if (CLAUDE_NAMES.has(identity.comm)) return interpreted ? 2 : 1;
  if (identity.exe !== undefined && isClaudeExecutablePath(identity.exe)) return 1;
  if (VERSION_NAME.test(identity.comm) && isClaudeExecutablePath(argv0)) return 1;
  return -1;
}

/**
 * A cheap first look from comm and exe alone, so that a scan reads argv only of the few
 * processes that can be Claude Code.
 */
export function mightBeClaude(comm: string, exe: string | undefined): boolean {
  return CLAUDE_NAMES.has(comm) || VERSION_NAME.test(comm) || JS_RUNTIMES.has(comm) ||
    (exe !== undefined && isClaudeExecutablePath(exe));
}

/** Decides from comm, exe and argv alone whether a process is a Claude Code session (SPEC §2). */
export function recognizeClaude(identity: ProcessIdentity): Recognition {
  const start = claudeArgsStart(identity);
  if (start < 0) return { kind: 'not-claude' };
  const args = identity.argv.slice(start);
  for (const arg of args) {
    if (HELPER_FLAG_PREFIXES.some((prefix) => arg.startsWith(prefix))) {
      return { kind: 'not-a-session', why: `helper process (${arg})` };
    }
    if (NON_SESSION_FLAGS.has(arg)) return { kind: 'not-a-session', why: `claude ${arg}` };
  }
  const subcommand = firstPositional(args);
  if (subcommand !== undefined && NON_SESSION_SUBCOMMANDS.has(subcommand)) {
    return { kind: 'not-a-session', why: `claude ${subcommand}` };
  }
  return { kind: 'session' };
}

/** Options of Claude Code that take a value, so their value is not taken for a subcommand. */
const OPTIONS_WITH_VALUE = new Set([
  '--session-id', '--resume', '-r', '--model', '--fallback-model', '--permission-mode', '--allowedTools',
  '--allowed-tools', '--disallowedTools', '--disallowed-tools', '--add-dir', '--mcp-config', '--settings',
  '--append-system-prompt', '--system-prompt', '--output-format', '--input-format', '--agent', '--agents',
  '--max-turns', '--setting-sources', '--plugin-dir', '--name', '--betas', '--effort',
]);

function firstPositional(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') return args[i + 1];
    if (arg.startsWith('-')) {
      if (OPTIONS_WITH_VALUE.has(arg)) i++;
      continue;
    }
    return arg;
  }
  return undefined;
}

/** The session id the command line asks for (`--session-id`, `--resume`): a hint, stale after `/clear`. */
export function sessionIdHint(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const [flag, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    if (flag === '--session-id' || flag === '--resume' || flag === '-r') {
      const value = inline ?? argv[i + 1];
      if (value !== undefined && UUID.test(value)) return value.toLowerCase();
    }
  }
  return undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The command line continues an earlier conversation (`--continue`, `-c`, `--resume`, `-r`). */
export function resumesConversation(argv: readonly string[]): boolean {
  return resumeFlags(argv).length > 0;
}

/** The arguments that make a command line continue an earlier conversation. */
export function resumeFlags(argv: readonly string[]): string[] {
  return argv.filter((arg) => ['--continue', '-c', '--resume', '-r'].includes(arg.split('=')[0] ?? ''));
}

/** `node`, `bun`…: the executable of the Node build (2.1.100 and older), which runs `cli.js`. */
export function isJsRuntimePath(exe: string): boolean {
  return JS_RUNTIMES.has(basename(exe.replace(/ \(deleted\)$/, '')));
}
