/**
 * Every command of `vmux`, as one table: `--help`, `vmux help <command>`, the man page and the
 * shell completions are all made from it, so they cannot disagree.
 */

/** What a command's operand is, for completion. */
export type OperandKind = 'session' | 'command' | 'shell' | 'service-action' | 'text';

/** The words of the operands that are a fixed set, for usage checks and completion. */
export const OPERAND_CHOICES = {
  shell: ['bash', 'zsh', 'fish'],
  'service-action': ['install', 'uninstall', 'status'],
} as const satisfies Partial<Record<OperandKind, readonly string[]>>;

export interface OptionSpec {
  /** Long name without dashes. */
  readonly name: string;
  readonly short?: string;
  /** Placeholder of the value, for options that take one (`N`, `<command>`). */
  readonly value?: string;
  readonly description: string;
  /** Values completion offers, when they are a fixed set. */
  readonly choices?: readonly string[];
}

export interface CommandSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** One line for the command list. */
  readonly summary: string;
  /** Usage lines, without `Usage: `. */
  readonly usage: readonly string[];
  /** What it does, in paragraphs. */
  readonly description: string;
  readonly options: readonly OptionSpec[];
  readonly operand?: OperandKind;
  readonly examples?: readonly string[];
  /** Extra sections (`Environment:`…), printed after the options. */
  readonly more?: string;
}

const JSON_OPTION: OptionSpec = { name: 'json', description: 'print JSON for scripts instead of text' };

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'list',
    aliases: ['ls'],
    summary: 'list sessions, those that need you first',
    usage: ['vmux list [--json]'],
    description:
      'Lists every running Claude Code session: its state (needs input, working, idle, unknown), label or folder, git branch, how long it has waited for you, why it is in that state ("waiting for permission: Bash", "turn ended 2 min ago"), and what it is doing. Sessions that need you come first, longest waiting first; through vmuxd, those you have not looked at yet come before them, marked ● (unseen). Asks vmuxd when it runs, else scans this machine directly.',
    options: [{ name: 'json', description: 'a JSON array of sessions (pid, session_id, cwd, git_branch, state, preview, workspace, label, waiting_since, reason, worktree)' }],
    examples: ['vmux list', "vmux list --json | jq -r '.[] | select(.state == \"needs_input\") | .cwd'"],
    more: `Environment:
  CLAUDE_CONFIG_DIR   Claude Code's config folder (default ~/.claude)
  VMUX_IDLE_MINUTES   a finished turn older than this counts as idle (default 10)
  VMUX_HOME           where vmuxd keeps its socket and labels (default ~/.vmux)
  VMUX_ALL_USERS=1    every user's sessions (default: only yours, also when run as root)
  NO_COLOR            no colours (colours are only used on a terminal anyway)`,
  },
  {
    name: 'switch',
    summary: 'go to a session (tmux pane and i3/sway window)',
    usage: ['vmux switch [<query>]', 'vmux switch --dmenu [--launcher "<command>"]'],
    description:
      'Takes you to a session: selects its tmux window and pane when it runs in tmux, and focuses the terminal window showing it on i3 or sway. <query> is a session id or its first characters, a PID, a label, or words found in the label, folder, branch or preview; whole names first (the id, then a PID, then a label), then the start of an id, then words. No match, or several equally good ones, exits 2 and lists the candidates; nothing is focused then. Without a query on a terminal, a picker lists the sessions (those that need you first): type to filter, arrows to move, Enter to go, Esc to give up (exit 3).',
    options: [
      { name: 'dmenu', description: 'choose in a launcher (rofi, wofi or dmenu: the first found), sessions that need you first' },
      { name: 'launcher', value: '<command>', description: 'the launcher to run instead, e.g. "fuzzel --dmenu" (also VMUX_LAUNCHER, or launcher in the config file); it reads one session per line and prints the chosen one' },
    ],
    operand: 'session',
    examples: ['vmux switch api', 'vmux switch 4821', 'vmux switch --dmenu', 'bindsym $mod+Shift+n exec vmux switch --dmenu    # i3/sway'],
  },
  {
    name: 'next',
    summary: 'go to the session that has waited longest for you',
    usage: ['vmux next'],
    description: 'Takes you to the session that has waited longest for you (needs input), one you have not looked at yet first. Called again within a minute, it goes on to the next waiting session, and round again. Exits 2 when nothing waits.',
    options: [],
    examples: ['bindsym $mod+n exec vmux next    # i3/sway'],
  },
  {
    name: 'label',
    summary: 'name a session: vmux label <session> <text> | --clear',
    usage: ['vmux label <session> <text>', 'vmux label <session> --clear'],
    description:
      'Names a session, so lists and switching can use the name. <session> is a session id or its first characters, a PID, or the current label. The label belongs to the conversation: it follows the session through /clear while vmuxd runs, and stays when the session ends, so a resumed conversation gets its name back.\n\nA label is kept as one line of plain text (escape sequences and control characters are removed). It must say something, and cannot be only digits (it would be read as a PID) nor look like a session id (8 or more hex digits and dashes).',
    options: [{ name: 'clear', description: 'remove the label' }],
    operand: 'session',
    examples: ['vmux label 4821 api refactor', 'vmux label "api refactor" --clear'],
  },
  {
    name: 'explain',
    summary: 'every signal vmux read for a session, and the rule that decided its state',
    usage: ['vmux explain <session> [--json]'],
    description:
      "Shows, for one session, everything vmux read and how it decided, for when vmux says something the screen does not: the process (start, command line, folder, native or Node build, whether it resumed a conversation); the client's sessions file (status, what it waits for, when it changed, tmux pane), or why there is none; the transcript (how it was tied to the process, its size, its last records one line each); what the transcript says (the deciding record, a pending tool, compaction, API retries, background shells and agents still running and why); the rule that decided the state and reason; and what vmuxd serves for it (waiting since, label, workspace, unseen, focused), when it runs. <session> is a session id or its first characters, a PID, or a label; no match or several exits 2 and lists the candidates.",
    options: [{ name: 'json', description: 'the same as one JSON object (process, sessions_file, transcript, transcript_says, rule, state, reason, vmuxd)' }],
    operand: 'session',
    examples: ['vmux explain 4821', 'vmux explain api', "vmux explain 4821 --json | jq '{rule, state, reason}'"],
  },
  {
    name: 'watch',
    summary: 'live list of sessions, fed by vmuxd',
    usage: ['vmux watch [--json]'],
    description:
      'A live list of the sessions, fed by vmuxd: on a terminal the table is redrawn in place as sessions change; with --json (or when not on a terminal) one JSON line per change, each the whole list ({"event":"sessions","sessions":[...]}). Needs a running vmuxd. Ctrl-C ends it; when vmuxd goes away it exits 1, so a script knows to start it again.',
    options: [{ name: 'json', description: 'one JSON line per change' }],
  },
  {
    name: 'bar',
    summary: 'a status-bar module: waybar, i3blocks, polybar, tmux or json',
    usage: ['vmux bar --format waybar|i3blocks|polybar|tmux|json [--ascii] [--name]'],
    description:
      "Runs for as long as the bar does, fed by vmuxd, and prints one line in the bar's own format each time what it shows changes: how many sessions need you, work or idle, those you have not looked at yet first and highlighted, with a tooltip (waybar) listing each session, its reason and how long it has waited. A click (polybar's action tags, i3blocks 1.5, or your bar's on-click setting) goes to the session that has waited longest (vmux next); a right click opens the launcher to choose one (vmux switch --dmenu). While vmuxd is not running the module says 'no vmuxd' and tries again, every 0.5 s at first and every 10 s at most; it ends (exit 0) only when its bar stops it (SIGINT, SIGTERM, SIGHUP) or stops reading (closes the pipe).\n\nwaybar: the JSON of a custom module with \"return-type\": \"json\" (text, tooltip, class, alt). i3blocks: a block with interval=persist and format=json. polybar: a custom/script module with tail = true. tmux: a string for status-right, #(vmux bar --format tmux). json: for scripts (counts, text, tooltip, sessions).",
    options: [
      { name: 'format', short: 'f', value: '<bar>', description: 'the bar to write for: waybar, i3blocks, polybar, tmux or json', choices: ['waybar', 'i3blocks', 'polybar', 'tmux', 'json'] },
      { name: 'ascii', description: 'ASCII symbols (* ! > - ?) for fonts without ● ⏸ ⏵ ○' },
      { name: 'name', description: 'also show the name (label or folder) of the session that needs you first' },
    ],
    examples: [
      'vmux bar --format waybar',
      'vmux bar --format tmux --ascii',
      "vmux bar --format json | jq -r .text",
    ],
    more: `Symbols (--ascii):
  ●N  (*N)  need you and not looked at since (CSS class unseen)
  ⏸N  (!N)  need you: a permission prompt, a question, a finished turn (needs-input)
  ⏵N  (>N)  working (working)
  ○N  (-N)  idle (idle); ?N: unknown
  ∅   (0)   no session running (empty); 'no vmuxd': vmuxd is not running (disconnected)`,
  },
  {
    name: 'status',
    summary: 'is vmuxd running, and what does it follow',
    usage: ['vmux status [--json]'],
    description: 'Tells whether vmuxd runs: its PID, version, uptime, how many sessions it follows and which signals feed it. Exit 1 when none runs.',
    options: [JSON_OPTION],
  },
  {
    name: 'daemon',
    summary: 'run vmuxd in the foreground',
    usage: ['vmux daemon [--verbose] [--poll-seconds N] [--notify [desktop|tmux]]', 'vmuxd [--verbose] [--poll-seconds N] [--notify [desktop|tmux]]'],
    description:
      "Runs vmuxd in the foreground: it keeps the state of every Claude Code session current and serves it on $VMUX_HOME/vmuxd.sock (default ~/.vmux) to 'vmux list', 'vmux watch', status bars and scripts. It rescans every few seconds and as soon as a session's files change. Stop it with Ctrl-C, SIGTERM or 'vmux stop'. Logs go to stderr.",
    options: [
      { name: 'poll-seconds', value: 'N', description: 'full rescan interval (default 5; also VMUX_POLL_SECONDS, or poll_seconds in the config file)' },
      {
        name: 'notify',
        value: 'WHERE',
        description:
          'tell you when a session starts needing you: desktop (notifications over D-Bus, the default of --notify) or tmux (the message line of attached tmux clients); also VMUX_NOTIFY, or notify in the config file; off by default',
      },
      { name: 'verbose', short: 'v', description: 'log every scan and connection problem' },
      { name: 'version', short: 'V', description: 'print the version' },
    ],
  },
  {
    name: 'stop',
    summary: 'stop vmuxd',
    usage: ['vmux stop'],
    description: 'Asks the running vmuxd to stop, and waits until it has. Exit 1 when none runs.',
    options: [],
  },
  {
    name: 'config',
    summary: 'show every setting, its value and where it came from',
    usage: ['vmux config [--json]'],
    description:
      "Shows the value of every setting vmux and vmuxd use and where each came from: the command line, the environment, the config file (with its line) or the default, and the config file's path and whether it exists. Settings are taken in that order: an option beats a variable, a variable beats the config file, the config file beats the default. A setting that cannot be used (a config file that does not parse, an unknown key, a number out of range) is printed with its line, and the command exits 2, as every other command would.",
    options: [{ name: 'json', description: 'print the settings, the config file and its problems as JSON' }],
    examples: ['vmux config', "vmux config --json | jq -r '.settings.idle_minutes.value'"],
    more: `Config file: $XDG_CONFIG_HOME/vmux/config.toml (default ~/.config/vmux/config.toml), in TOML:
  # ~/.config/vmux/config.toml
  idle_minutes = 15            # a finished turn older than this is idle (default 10)
  poll_seconds = 5             # vmuxd rescans this often, and when files change (default 5)
  launcher = "fuzzel --dmenu"  # the chooser of vmux switch --dmenu (default rofi, wofi or dmenu)
  terminal = "foot"            # opened to show a background session (claude attach)
  notify = "desktop"           # vmuxd tells you when a session needs you: desktop, tmux or off (default off)
vmuxd reads the file again when it changes; a file with a mistake is told and the last good settings stay.

Settings, and where each is set besides its default:
  claude_dir     CLAUDE_CONFIG_DIR                                      (default ~/.claude)
  vmux_home      VMUX_HOME                                              (default ~/.vmux)
  idle_minutes   VMUX_IDLE_MINUTES, idle_minutes                        (default 10)
  poll_seconds   vmuxd --poll-seconds, VMUX_POLL_SECONDS, poll_seconds  (default 5)
  launcher       vmux switch --launcher, VMUX_LAUNCHER, launcher        (default rofi, wofi or dmenu)
  terminal       VMUX_TERMINAL, terminal                                (default the first installed of foot, kitty, …)
  notify         vmuxd --notify, VMUX_NOTIFY, notify                    (default off)`,
  },
  {
    name: 'doctor',
    summary: 'check what vmux sees and why, with the fix for each problem',
    usage: ['vmux doctor [--json]'],
    description:
      'Checks, one by one, what vmux needs and what it finds: the Claude Code processes running (their versions, and whether each writes its status), the Claude folder, the settings, vmuxd and its systemd user service, the i3 or sway window manager, tmux, hooks and the session bus. Each check says ok, warning, problem or not used, and how to fix what is wrong. Exits 0 when everything you use works, 1 when something has a problem.',
    options: [{ name: 'json', description: 'print the checks as JSON (name, state, summary, details, fix)' }],
    examples: ['vmux doctor', "vmux doctor --json | jq '.checks[] | select(.state == \"problem\")'"],
  },
  {
    name: 'service',
    summary: 'run vmuxd as a systemd user service: install | uninstall | status',
    usage: ['vmux service install', 'vmux service uninstall', 'vmux service status [--json]'],
    description:
      "install writes the systemd user unit $XDG_CONFIG_HOME/systemd/user/vmuxd.service (default ~/.config/systemd/user) that runs vmuxd with the absolute paths of the Node running vmux now and of the vmuxd installed beside it (so it works when node is not on the service manager's PATH, as with nvm), then reloads systemd and enables and (re)starts the service. Run it again after updating vmux or Node. A vmuxd running outside the service is stopped first. Without a systemd user manager (a container, an ssh login without lingering) the unit is still written, and vmux says what to run; exit 1.\n\nuninstall stops and disables the service and removes the unit. status says whether the unit is installed, enabled and active, and whether the programs it runs still exist; exit 1 unless it is installed and active.",
    options: [{ name: 'json', description: 'print the status as JSON (vmux service status only)' }],
    operand: 'service-action',
    examples: ['vmux service install', 'vmux service status', 'journalctl --user -u vmuxd    # its log'],
  },
  {
    name: 'completion',
    summary: 'print a shell completion script: bash | zsh | fish',
    usage: ['vmux completion bash|zsh|fish'],
    description:
      "Prints a completion script for the shell: commands, their options and option values, and for commands that take a session (switch, label, explain) the labels, session ids and PIDs of the running sessions, asked of 'vmux list --json' as you press Tab (quick while vmuxd runs; nothing is offered when vmux cannot answer).",
    options: [],
    operand: 'shell',
    examples: [
      'source <(vmux completion bash)                                # in ~/.bashrc',
      'source <(vmux completion zsh)                                 # in ~/.zshrc, after compinit',
      'vmux completion fish > ~/.config/fish/completions/vmux.fish',
    ],
  },
  {
    name: 'help',
    summary: 'show help, or one command’s help: vmux help <command>',
    usage: ['vmux help [<command>]'],
    description: 'Shows the list of commands, or the help of one command (the same as vmux <command> --help).',
    options: [],
    operand: 'command',
  },
];

/** Commands of the product that this build does not have yet: a wrong call today, exit 2. */
export const NOT_YET_AVAILABLE: ReadonlySet<string> = new Set(['hooks']);

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name || command.aliases?.includes(name));
}

/** Every name a command answers to, for did-you-mean. */
export function commandNames(): string[] {
  return COMMANDS.flatMap((command) => [command.name, ...(command.aliases ?? [])]);
}

/** The exit codes, one table for every command (and the README). */
export const EXIT_CODES: readonly (readonly [code: number, meaning: string])[] = [
  [0, 'done'],
  [1, 'vmux failed or could not reach what it needs (vmuxd not running or gone, no launcher, a window manager or tmux it cannot reach, labels not saved)'],
  [2, 'a wrong call: an unknown command or option, a bad setting, no matching session or an ambiguous query, or the window manager or tmux refused'],
  [3, 'nothing chosen: the picker or the launcher was closed without a choice'],
];

const WIDTH = 94;

/** `vmux <command> --help`. */
export function commandHelp(command: CommandSpec): string {
  const lines = command.usage.map((usage, i) => `${i === 0 ? 'Usage: ' : '       '}${usage}`);
  lines.push('', ...command.description.split('\n\n').flatMap((paragraph, i) => [...(i > 0 ? [''] : []), ...wrap(paragraph, WIDTH)]));
  lines.push('', 'Options:', ...optionLines([...command.options, { name: 'help', short: 'h', description: 'show this help' }]));
  if (command.more !== undefined) lines.push('', command.more);
  if (command.examples !== undefined && command.examples.length > 0) lines.push('', 'Examples:', ...command.examples.map((example) => `  ${example}`));
  return `${lines.join('\n')}\n`;
}

/** `vmux --help`. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length)) + 2;
  return [
    'Usage: vmux <command> [options]',
    '',
    'See every running Claude Code session, which one needs you, and what each is doing.',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)} ${command.summary}`),
    '',
    'Options:',
    '  -h, --help      show help (also after a command: vmux list --help)',
    '  -V, --version   print the version',
    '',
    'Exit codes:',
    ...EXIT_CODES.flatMap(([code, meaning]) => wrap(meaning, WIDTH - 6).map((line, i) => (i === 0 ? `  ${code}   ${line}` : `      ${line}`))),
    '',
    "Run 'vmux help <command>' for a command's options and examples.",
    '',
  ].join('\n');
}

export function optionFlag(option: OptionSpec): string {
  return `${option.short ? `-${option.short}, ` : ''}--${option.name}${option.value ? ` ${option.value}` : ''}`;
}

function optionLines(options: readonly OptionSpec[]): string[] {
  const width = Math.max(...options.map((option) => optionFlag(option).length)) + 3;
  return options.flatMap((option) =>
    wrap(option.description, WIDTH - width - 2).map((line, i) => (i === 0 ? `  ${optionFlag(option).padEnd(width)}${line}` : `  ${' '.repeat(width)}${line}`)),
  );
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
