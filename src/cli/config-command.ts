import { resolveSettings, type Setting, type SettingProblem, type Settings } from '../settings/settings.js';
import { printableJson } from '../text/printable-json.js';
import { printableLines } from '../text/sanitize-text.js';
import { ExitCode, wantsColor, type CliIo } from './cli-io.js';
import { parseCommandArgs } from './command-args.js';
import { palette } from './style.js';

/** The settings as `vmux config` names them: the config file's key where there is one. */
const SETTING_NAMES = {
  claude_dir: 'claudeDir',
  vmux_home: 'vmuxHome',
  idle_minutes: 'idleMinutes',
  poll_seconds: 'pollSeconds',
  launcher: 'launcher',
  terminal: 'terminal',
  notify: 'notify',
} as const satisfies Record<string, keyof Omit<Settings, 'configFile'>>;

type SettingName = keyof typeof SETTING_NAMES;

/** `vmux config --json`: one object scripts can read; `value` is null where nothing is set. */
export interface ConfigReport {
  readonly config_file: { readonly path: string; readonly exists: boolean };
  readonly settings: Record<SettingName, { readonly value: string | number | null; readonly source: string; readonly origin: string }>;
  readonly problems: readonly SettingProblem[];
}

/**
 * `vmux config [--json]`: every setting with its value and where it came from. A setting that
 * cannot be used is printed with its line and makes the exit code 2, as it would stop any other
 * command; warnings are printed and leave it 0.
 */
export async function runConfig(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, io, 'config', { json: { type: 'boolean' } });
  if (parsed === undefined) return ExitCode.ok;
  const { settings, problems } = resolveSettings(io.env);
  const report = configReport(settings, problems);
  if (parsed.values.json) {
    io.stdout.write(`${printableJson(report, 2)}\n`);
  } else {
    io.stdout.write(printableLines(renderConfig(report, wantsColor(io.stdout, io.env))));
    for (const problem of problems) io.stderr.write(`vmux config: ${problem.severity === 'warning' ? 'warning: ' : ''}${printableLines(problem.message)}\n`);
  }
  return problems.some((problem) => problem.severity === 'error') ? ExitCode.usage : ExitCode.ok;
}

export function configReport(settings: Settings, problems: readonly SettingProblem[]): ConfigReport {
  const entries = Object.entries(SETTING_NAMES).map(([name, key]) => {
    const setting: Setting<string | number | undefined> = settings[key];
    return [name, { value: setting.value ?? null, source: setting.source, origin: setting.origin }] as const;
  });
  return {
    config_file: { path: settings.configFile.path, exists: settings.configFile.exists },
    settings: Object.fromEntries(entries) as ConfigReport['settings'],
    problems,
  };
}

function renderConfig(report: ConfigReport, color: boolean): string {
  const style = palette(color);
  const file = report.config_file;
  const lines = [
    `Config file: ${file.path} ${file.exists ? '(present)' : "(not present: every setting comes from elsewhere; 'vmux config --help' shows an example)"}`,
    '',
  ];
  const rows = Object.entries(report.settings).map(([name, setting]) => [name, setting.value === null ? '-' : String(setting.value), fromWhere(setting, file.path)] as const);
  const nameWidth = Math.max('SETTING'.length, ...rows.map(([name]) => name.length)) + 2;
  const valueWidth = Math.max('VALUE'.length, ...rows.map(([, value]) => value.length)) + 2;
  lines.push(style.bold(`${'SETTING'.padEnd(nameWidth)}${'VALUE'.padEnd(valueWidth)}FROM`));
  for (const [name, value, from] of rows) lines.push(`${name.padEnd(nameWidth)}${value.padEnd(valueWidth)}${style.dim(from)}`);
  if (report.problems.some((problem) => problem.severity === 'error')) {
    lines.push('', style.red('These settings cannot be used as they are (see below): every vmux command stops until they are fixed.'));
  }
  return `${lines.join('\n')}\n`;
}

/** `environment: VMUX_IDLE_MINUTES`, `config file line 3`, `default: ~/.claude`. */
function fromWhere(setting: { readonly source: string; readonly origin: string }, configPath: string): string {
  const origin = setting.origin.startsWith(`${configPath} `) ? setting.origin.slice(configPath.length + 1) : setting.origin;
  if (setting.source === 'config file') return `config file, ${origin}`;
  if (setting.source === 'default' && origin === 'built in') return 'default';
  return `${setting.source}: ${origin}`;
}
