import { COMMANDS, EXIT_CODES, optionFlag, type CommandSpec, type OptionSpec } from './command-table.js';
import { VERSION } from './version.js';

/**
 * `vmux(1)` in roff (man(7) macros), made from the command table as `--help` is: every command
 * with its usage, description, options, extra sections and examples.
 */
export function manPage(options: { readonly date: string }): string {
  const lines = [
    `.TH VMUX 1 "${options.date}" "vmux ${VERSION}" "User Commands"`,
    '.SH NAME',
    `vmux, vmuxd ${roff('- see every running Claude Code session, which one needs you, and go there')}`,
    '.SH SYNOPSIS',
    `.B vmux\n.I command\n.RI [ options ]\n.br\n.B vmuxd\n.RI [ options ]`,
    '.SH DESCRIPTION',
    roff(
      'vmux finds every running Claude Code session on this machine and tells, for each, whether Claude is working, needs input (a permission prompt, a question, or a finished turn waiting for your next prompt) or is idle, with what it is doing. It reads what Claude Code itself writes (~/.claude/sessions/<pid>.json and the transcripts under ~/.claude/projects/); no hooks are needed. It takes you to a session: its tmux pane, and its terminal window on i3 or sway.',
    ),
    '.PP',
    roff("vmuxd, the optional daemon, keeps the picture current and serves it on a Unix socket; while it runs, vmux asks it instead of scanning. 'vmux service install' runs it as a systemd user service."),
    '.SH OPTIONS',
    ...optionItems([
      { name: 'help', short: 'h', description: 'show help (also after a command: vmux list --help)' },
      { name: 'version', short: 'V', description: 'print the version' },
    ]),
    '.SH COMMANDS',
    ...COMMANDS.flatMap(commandSection),
    '.SH EXIT STATUS',
    ...EXIT_CODES.flatMap(([code, meaning]) => ['.TP', `.B ${code}`, roff(meaning)]),
    '.SH ENVIRONMENT',
    ...ENVIRONMENT.flatMap(([name, meaning]) => ['.TP', `.B ${roff(name)}`, roff(meaning)]),
    '.SH FILES',
    ...FILES.flatMap(([path, meaning]) => ['.TP', `.I ${roff(path)}`, roff(meaning)]),
    '.SH SEE ALSO',
    '.BR claude (1),',
    '.BR tmux (1),',
    '.BR i3 (1),',
    '.BR sway (1),',
    '.BR systemctl (1),',
    '.BR journalctl (1)',
    '',
  ];
  return lines.join('\n');
}

const ENVIRONMENT: readonly (readonly [string, string])[] = [
  ['CLAUDE_CONFIG_DIR', "Claude Code's folder (default ~/.claude); set it as for Claude Code itself."],
  ['VMUX_HOME', "vmuxd's folder: its socket, PID file and labels (default ~/.vmux)."],
  ['VMUX_IDLE_MINUTES', 'a finished turn older than this counts as idle (default 10; idle_minutes in the config file).'],
  ['VMUX_POLL_SECONDS', "vmuxd's full rescan interval (default 5; poll_seconds in the config file, vmuxd --poll-seconds)."],
  ['VMUX_LAUNCHER', 'the launcher of vmux switch --dmenu (launcher in the config file, --launcher).'],
  ['XDG_CONFIG_HOME', 'where the config file and the systemd user unit are (default ~/.config).'],
  ['SWAYSOCK, I3SOCK, DISPLAY, WAYLAND_DISPLAY', 'the window manager vmux switches in; vmux sends them to vmuxd with each request.'],
  ['NO_COLOR', 'no colours (colours are only used on a terminal anyway).'],
  ['NODE_DEBUG', 'vmux:* for debug output on stderr (never transcript text).'],
];

const FILES: readonly (readonly [string, string])[] = [
  ['~/.config/vmux/config.toml', "settings (see vmux config --help); vmuxd reads it again when it changes."],
  ['~/.vmux/vmuxd.sock', "vmuxd's socket: one JSON request per line, one JSON answer per line."],
  ['~/.vmux/labels.json', 'the labels of sessions, by conversation.'],
  ['~/.config/systemd/user/vmuxd.service', 'the unit vmux service install writes.'],
  ['~/.claude/sessions/<pid>.json, ~/.claude/projects/', 'what Claude Code writes and vmux reads.'],
];

function commandSection(command: CommandSpec): string[] {
  const names = [command.name, ...(command.aliases ?? [])].join(', ');
  const lines = [`.SS ${quoted(names)}`, '.nf', ...command.usage.map(usageLine), '.fi'];
  for (const paragraph of command.description.split('\n\n')) lines.push('.PP', roff(paragraph));
  if (command.options.length > 0) lines.push('.PP', 'Options:', '.RS', ...optionItems(command.options), '.RE');
  if (command.more !== undefined) lines.push('.PP', '.nf', ...preformatted(command.more), '.fi');
  if (command.examples !== undefined && command.examples.length > 0) {
    lines.push('.PP', 'Examples:', '.RS', '.nf', ...command.examples.map((example) => roff(example)), '.fi', '.RE');
  }
  return lines;
}

/** `vmux list [--json]`: the program and command in bold, the rest as written. */
function usageLine(usage: string): string {
  const match = /^(vmuxd?(?: [a-z]+)?)(.*)$/.exec(usage);
  return match === null ? roff(usage) : `\\fB${roff(match[1] ?? '')}\\fR${roff(match[2] ?? '')}`;
}

function optionItems(options: readonly OptionSpec[]): string[] {
  return options.flatMap((option) => {
    const flag = optionFlag(option);
    const value = option.value === undefined ? '' : ` ${option.value}`;
    const name = flag.slice(0, flag.length - value.length);
    return ['.TP', `\\fB${roff(name)}\\fR${value === '' ? '' : ` \\fI${roff(value.trim())}\\fR`}`, roff(option.description)];
  });
}

/** Lines shown as they are (tables, an example file): escaped, a blank line as `.sp`. */
function preformatted(text: string): string[] {
  return text.split('\n').map((line) => (line.trim() === '' ? '.sp' : roff(line)));
}

function quoted(text: string): string {
  return `"${roff(text).replace(/"/g, '\\(dq')}"`;
}

/**
 * Text as roff prints it: a backslash is `\e`, a hyphen-minus `\-` (so `--json` copies as
 * typed), anything beyond ASCII a `\[uXXXX]` escape (groff reads ASCII input), and a line
 * that would start with `.` or `'` is not taken for a request.
 */
export function roff(text: string): string {
  const escaped = Array.from(text.replace(/\\/g, '\\e').replace(/-/g, '\\-'))
    .map((char) => {
      const code = char.codePointAt(0) ?? 0;
      return code > 0x7e ? `\\[u${code.toString(16).toUpperCase().padStart(4, '0')}]` : char;
    })
    .join('');
  return escaped.replace(/^[.']/gm, '\\&$&');
}
