import { UsageError } from '../errors.js';
import { echoInput } from '../text/sanitize-text.js';
import { ExitCode, type CliIo } from './cli-io.js';
import { parseCommandArgs } from './command-args.js';
import { COMMANDS, OPERAND_CHOICES, type CommandSpec, type OperandKind, type OptionSpec } from './command-table.js';
import { VERSION } from './version.js';

type Shell = (typeof OPERAND_CHOICES.shell)[number];

/** `vmux completion bash|zsh|fish`: the script on stdout. */
export function runCompletion(args: readonly string[], io: CliIo): ExitCode {
  const parsed = parseCommandArgs(args, io, 'completion', {}, true);
  if (parsed === undefined) return ExitCode.ok;
  const [shell, ...extra] = parsed.positionals;
  const shells: readonly string[] = OPERAND_CHOICES.shell;
  if (shell === undefined || !shells.includes(shell) || extra.length > 0) {
    const what = shell === undefined ? 'needs a shell' : extra.length > 0 ? 'takes one shell' : `has no script for '${echoInput(shell)}'`;
    throw new UsageError(`vmux completion ${what}: bash, zsh or fish; run 'vmux completion --help'`);
  }
  io.stdout.write(completionScript(shell as Shell));
  return ExitCode.ok;
}

export function completionScript(shell: Shell): string {
  switch (shell) {
    case 'bash':
      return bashScript();
    case 'zsh':
      return zshScript();
    case 'fish':
      return fishScript();
  }
}

// ---------------------------------------------------------------------------------------------
// What every script is made of, from the command table

const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', description: 'show help' };
const TOP_OPTIONS: readonly OptionSpec[] = [HELP_OPTION, { name: 'version', short: 'V', description: 'print the version' }];

function namesOf(command: CommandSpec): string[] {
  return [command.name, ...(command.aliases ?? [])];
}

function optionsOf(command: CommandSpec): OptionSpec[] {
  return [...command.options, HELP_OPTION];
}

/** The words an operand can be, when they are a fixed set; the session operand is asked of vmux. */
function operandWords(kind: OperandKind | undefined): readonly string[] | undefined {
  switch (kind) {
    case 'command':
      return COMMANDS.map((command) => command.name);
    case 'shell':
    case 'service-action':
      return OPERAND_CHOICES[kind];
    default:
      return undefined;
  }
}

/** The first clause of a description, short enough for a completion menu. */
function brief(text: string): string {
  const clause = text.split(/; | \(|: (?=[a-z])|\. (?=[A-Z])/)[0] ?? text;
  return clause.length > 70 ? `${clause.slice(0, 69)}…` : clause;
}

/** A `'…'` word for sh, bash, zsh. */
function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A `'…'` word for fish: only `\` and `'` are special inside. */
function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * A shell function printing the labels, session ids and PIDs of the running sessions, one a
 * line, from `vmux list --json` (one field a line). Bounded by `timeout` where it exists; prints
 * nothing when vmux is missing or fails. Plain POSIX tools, so bash and zsh share it.
 */
const SESSION_WORDS = String.raw`_vmux_session_words() {
  local json
  if command -v timeout >/dev/null 2>&1; then
    json=$(timeout 3 vmux list --json 2>/dev/null)
  else
    json=$(vmux list --json 2>/dev/null)
  fi
  [ -n "$json" ] || return 0
  printf '%s\n' "$json" | sed -n -E \
    -e 's/^[[:space:]]*"pid":[[:space:]]*([0-9]+),?[[:space:]]*$/\1/p' \
    -e 's/^[[:space:]]*"(label|session_id)":[[:space:]]*"(([^"\\]|\\.)+)",?[[:space:]]*$/\2/p' |
    sed -e 's/\\"/"/g' -e 's/\\\\/\\/g'
}`;

// ---------------------------------------------------------------------------------------------
// bash

function bashScript(): string {
  const topWords = [...COMMANDS.flatMap(namesOf), ...TOP_OPTIONS.map((option) => `--${option.name}`)];
  const optionCases = COMMANDS.map((command) => {
    const flags = optionsOf(command).map((option) => `--${option.name}`);
    const valued = command.options.filter((option) => option.value !== undefined).flatMap((option) => [`--${option.name}`, ...(option.short ? [`-${option.short}`] : [])]);
    return `    ${namesOf(command).join('|')}) options=${shQuote(flags.join(' '))} valued=${shQuote(valued.join(' '))} ;;`;
  });
  const valueCases = COMMANDS.flatMap((command) =>
    command.options
      .filter((option) => option.value !== undefined)
      .map((option) => {
        const action = option.choices !== undefined ? `COMPREPLY=($(compgen -W ${shQuote(option.choices.join(' '))} -- "$cur"))` : option.value === '<command>' ? 'COMPREPLY=($(compgen -c -- "$cur"))' : ':';
        return `    ${namesOf(command).map((name) => `${name}:--${option.name}`).join('|')}) ${action}; return 0 ;;`;
      }),
  );
  const operandCases = COMMANDS.filter((command) => command.operand !== undefined && command.operand !== 'text').map((command) => {
    const words = operandWords(command.operand);
    const action = words === undefined ? '_vmux_complete_sessions' : `COMPREPLY=($(compgen -W ${shQuote(words.join(' '))} -- "$cur"))`;
    return `    ${namesOf(command).join('|')}) ${action} ;;`;
  });
  return `# bash completion for vmux, made by 'vmux completion bash' (vmux ${VERSION}).
# Load it from ~/.bashrc:  source <(vmux completion bash)

${SESSION_WORDS}

# Sessions whose label, id or PID starts with the word typed, quoted for the command line.
_vmux_complete_sessions() {
  local word quoted
  COMPREPLY=()
  while IFS= read -r word; do
    printf -v quoted '%q' "$word"
    [[ $quoted == "$cur"* ]] && COMPREPLY+=("$quoted")
  done < <(_vmux_session_words)
}

_vmux() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  COMPREPLY=()
  if (( COMP_CWORD == 1 )); then
    COMPREPLY=($(compgen -W ${shQuote(topWords.join(' '))} -- "$cur"))
    return 0
  fi
  local command=\${COMP_WORDS[1]} options='' valued=''
  case $command in
${optionCases.join('\n')}
    *) return 0 ;;
  esac
  case $command:$prev in
${valueCases.join('\n')}
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
    return 0
  fi
  # The operand is the first word that is neither an option nor an option's value.
  local i operands=0
  for (( i = 2; i < COMP_CWORD; i++ )); do
    case \${COMP_WORDS[i]} in
      -*) [[ " $valued " == *" \${COMP_WORDS[i]} "* ]] && (( i++ )) ;;
      *) (( operands++ )) ;;
    esac
  done
  (( operands == 0 )) || return 0
  case $command in
${operandCases.join('\n')}
  esac
  return 0
}

complete -F _vmux vmux
`;
}

// ---------------------------------------------------------------------------------------------
// zsh

/** Text inside an `_arguments` description (`[…]`), before quoting: a bracket would end it. */
function zshDescription(text: string): string {
  return brief(text).replace(/\\/g, '\\\\').replace(/[[\]]/g, '\\$&');
}

function zshOptionSpec(option: OptionSpec): string {
  const description = `[${zshDescription(option.description)}]`;
  const value = option.value === undefined ? '' : `:${option.value.replace(/[<>]/g, '').replace(/:/g, '\\:')}:${option.choices !== undefined ? `(${option.choices.join(' ')})` : option.value === '<command>' ? '_command_names -e' : ' '}`;
  if (option.short === undefined) return shQuote(`--${option.name}${description}${value}`);
  const exclusive = option.name === 'help' || option.name === 'version' ? '(- *)' : `(-${option.short} --${option.name})`;
  return `${shQuote(exclusive)}{-${option.short},--${option.name}}${shQuote(`${description}${value}`)}`;
}

function zshScript(): string {
  const commands = COMMANDS.flatMap((command) => namesOf(command).map((name) => `    ${shQuote(`${name}:${brief(command.summary)}`)}`));
  const cases = COMMANDS.map((command) => {
    const specs = optionsOf(command).map(zshOptionSpec);
    const words = operandWords(command.operand);
    if (command.operand === 'session') specs.push(shQuote('1:session:_vmux_sessions'));
    else if (command.operand === 'text') specs.push(shQuote('1:text: '));
    else if (words !== undefined) specs.push(shQuote(`1:${command.operand}:(${words.join(' ')})`));
    if (command.name === 'label') specs.push(shQuote('2:label text: '));
    return `        (${namesOf(command).join('|')})\n          _arguments -s \\\n            ${specs.join(' \\\n            ')} ;;`;
  });
  return `#compdef vmux
# zsh completion for vmux, made by 'vmux completion zsh' (vmux ${VERSION}).
# Install it where zsh looks for completions, then start a new zsh:
#   vmux completion zsh > "\${fpath[1]}/_vmux"
# or load it after compinit in ~/.zshrc:  source <(vmux completion zsh)

${SESSION_WORDS}

_vmux_sessions() {
  local -a candidates
  candidates=("\${(@f)$(_vmux_session_words)}")
  candidates=(\${candidates:#})
  compadd -a candidates
}

_vmux() {
  local curcontext=$curcontext state line
  local -a commands
  commands=(
${commands.join('\n')}
  )
  _arguments -C \\
    ${TOP_OPTIONS.map(zshOptionSpec).join(' \\\n    ')} \\
    '1: :->command' \\
    '*:: :->argument' && return 0
  case $state in
    (command)
      _describe -t commands 'vmux command' commands ;;
    (argument)
      case $words[1] in
${cases.join('\n')}
      esac ;;
  esac
}

if [[ $funcstack[1] == _vmux ]]; then
  _vmux "$@"
else
  compdef _vmux vmux
fi
`;
}

// ---------------------------------------------------------------------------------------------
// fish

function fishScript(): string {
  const all = COMMANDS.flatMap(namesOf).join(' ');
  const lines: string[] = [];
  for (const option of TOP_OPTIONS) lines.push(`complete -c vmux -n ${fishQuote(`not __fish_seen_subcommand_from ${all}`)} -s ${option.short ?? ''} -l ${option.name} -d ${fishQuote(brief(option.description))}`);
  for (const command of COMMANDS) {
    lines.push(`complete -c vmux -n ${fishQuote(`not __fish_seen_subcommand_from ${all}`)} -a ${command.name} -d ${fishQuote(brief(command.summary))}`);
  }
  for (const command of COMMANDS) {
    const when = `__fish_seen_subcommand_from ${namesOf(command).join(' ')}`;
    for (const option of optionsOf(command)) {
      const value = option.value === undefined ? '' : option.choices !== undefined ? ` -x -a ${fishQuote(option.choices.join(' '))}` : option.value === '<command>' ? ` -x -a ${fishQuote('(__fish_complete_command)')}` : ' -x';
      lines.push(`complete -c vmux -n ${fishQuote(when)}${option.short ? ` -s ${option.short}` : ''} -l ${option.name}${value} -d ${fishQuote(brief(option.description))}`);
    }
    const words = operandWords(command.operand);
    const valued = command.options.filter((option) => option.value !== undefined).map((option) => `--${option.name}`);
    const operand = `${when}; and __vmux_no_operand_yet ${valued.join(' ')}`.trimEnd();
    if (command.operand === 'session') lines.push(`complete -c vmux -n ${fishQuote(operand)} -a ${fishQuote('(__vmux_sessions)')}`);
    else if (words !== undefined) lines.push(`complete -c vmux -n ${fishQuote(operand)} -a ${fishQuote(words.join(' '))}`);
  }
  return String.raw`# fish completion for vmux, made by 'vmux completion fish' (vmux ${VERSION}).
# Install: vmux completion fish > ~/.config/fish/completions/vmux.fish

# The labels, session ids and PIDs of the running sessions, from vmux list --json (one field a line).
function __vmux_sessions
    set -l json
    if command -q timeout
        set json (timeout 3 vmux list --json 2>/dev/null)
    else
        set json (vmux list --json 2>/dev/null)
    end
    string replace -rf '^\s*"pid":\s*([0-9]+),?\s*$' '$1' -- $json
    string replace -rf '^\s*"(?:label|session_id)":\s*"((?:[^"\\\\]|\\\\.)+)",?\s*$' '$1' -- $json | string replace -a '\\"' '"' | string replace -a '\\\\' '\\'
end

# True while the command has no operand yet; the arguments are its options that take a value.
function __vmux_no_operand_yet
    set -l valued $argv
    set -l words (commandline -opc)
    set -e words[1..2]
    set -l skip 0
    for word in $words
        if test $skip = 1
            set skip 0
        else if contains -- $word $valued
            set skip 1
        else if not string match -q -- '-*' $word
            return 1
        end
    end
    return 0
end

complete -c vmux -f
${lines.join('\n')}
`;
}
