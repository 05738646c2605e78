import { discoveryContextFrom } from '../sessions/discovery-context.js';
import { environmentWithSettings, resolveSettings } from '../settings/settings.js';
import { printableJson } from '../text/printable-json.js';
import { printableLines } from '../text/sanitize-text.js';
import { ExitCode, wantsColor, type CliIo } from './cli-io.js';
import { parseCommandArgs } from './command-args.js';
import { runChecks, type Check, type CheckState } from './doctor-checks.js';
import { palette, type Palette } from './style.js';
import { VERSION } from './version.js';

/**
 * `vmux doctor [--json]`: every check with its state and fix. Exit 0 when nothing is a problem
 * (warnings and unused parts are told, not failed), 1 otherwise. A setting that cannot be used is
 * one of the problems, not a reason to stop: the other checks run on the values that can be.
 */
export async function runDoctor(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, io, 'doctor', { json: { type: 'boolean' } });
  if (parsed === undefined) return ExitCode.ok;
  const { settings, problems } = resolveSettings(io.env);
  const env = environmentWithSettings(io.env, settings);
  const checks = await runChecks({ env, settings, problems, procRoot: discoveryContextFrom(env).procRoot });
  const ok = !checks.some((check) => check.state === 'problem');
  if (parsed.values.json) {
    io.stdout.write(`${printableJson({ vmux: VERSION, node: process.version, ok, checks }, 2)}\n`);
  } else {
    io.stdout.write(printableLines(renderChecks(checks, palette(wantsColor(io.stdout, io.env)))));
  }
  return ok ? ExitCode.ok : ExitCode.failure;
}

const STATE_WORDS: Record<CheckState, string> = { ok: 'ok', warning: 'warning', problem: 'problem', not_used: 'not used' };

export function renderChecks(checks: readonly Check[], style: Palette): string {
  const color: Record<CheckState, (text: string) => string> = { ok: style.green, warning: style.yellow, problem: style.red, not_used: style.dim };
  const stateWidth = Math.max(...Object.values(STATE_WORDS).map((word) => word.length)) + 2;
  const titleWidth = Math.max(...checks.map((check) => check.title.length)) + 2;
  const indent = ' '.repeat(stateWidth + titleWidth);
  const lines = [`vmux ${VERSION} on Node ${process.version} (${process.execPath})`, ''];
  for (const check of checks) {
    lines.push(`${color[check.state](STATE_WORDS[check.state].padEnd(stateWidth))}${style.bold(check.title.padEnd(titleWidth))}${check.summary}`);
    for (const detail of check.details ?? []) lines.push(`${indent}${detail}`);
    if (check.fix !== undefined && check.state !== 'ok') lines.push(`${indent}${style.cyan('fix:')} ${check.fix}`);
  }
  const problems = checks.filter((check) => check.state === 'problem').length;
  lines.push('', problems === 0 ? 'Nothing stands in the way of what you use.' : `${problems} problem${problems === 1 ? '' : 's'}: see the fix under each.`);
  return `${lines.join('\n')}\n`;
}
