/**
 * polybar drawing one `custom/script` module on an Xvfb of its own, for the tests of `vmux bar
 * --format polybar`. Its log (`-l trace`) says how wide the bar's content was drawn and which
 * command each click ran; `click(button, x)` presses a mouse button on the bar with xdotool, as a
 * user does. Everything started here is stopped by `stop()`, or killed when the process exits.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execQuiet, exitReason, makeScratchDir, pollFor, releaseDir, startProcess, startXvfb, stopProcessTree, type ManagedProcess } from './i3-xvfb.js';

/** What a polybar test runs. */
export const POLYBAR_PROGRAMS = ['Xvfb', 'polybar', 'xdotool'] as const;

const READY_TIMEOUT_MS = 10_000;
/** The bar's height in pixels; clicks land in its middle. */
const HEIGHT = 24;

export interface Polybar {
  /** All polybar printed so far. */
  log(): string;
  /** Width in pixels of what polybar drew last (its content, from the left edge), once it drew. */
  drawnWidth(): number | undefined;
  /** The shell commands polybar ran for clicks, in order. */
  commandsRun(): string[];
  /** Presses and releases `button` at `x` on the bar, and waits until polybar has handled it. */
  click(button: 1 | 3, x: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts Xvfb and polybar with one module that runs `exec` (a shell command line, as polybar's
 * `exec` is) with `tail = true`; resolves once polybar has drawn something.
 */
export async function startPolybar(options: { readonly exec: string; readonly env: Readonly<Record<string, string>> }): Promise<Polybar> {
  const dir = makeScratchDir('vmux-polybar-');
  const started: ManagedProcess[] = [];
  try {
    const { xvfb, display } = await startXvfb({ PATH: options.env['PATH'] ?? '/usr/bin:/bin' }, { timeoutMs: READY_TIMEOUT_MS });
    started.unshift(xvfb);
    const configPath = join(dir, 'config.ini');
    writeFileSync(
      configPath,
      [
        '[bar/test]',
        'width = 100%',
        `height = ${HEIGHT}`,
        'modules-left = vmux',
        'font-0 = DejaVu Sans Mono:size=10',
        'padding = 0',
        'module-margin = 0',
        '',
        '[module/vmux]',
        'type = custom/script',
        `exec = ${options.exec}`,
        'tail = true',
        '',
      ].join('\n'),
    );
    const env = { ...options.env, DISPLAY: display, HOME: dir };
    const polybar = await startProcess('polybar', 'polybar', ['-c', configPath, '-l', 'trace', 'test'], { env });
    started.unshift(polybar);
    const widths = (): number[] => [...polybar.output().matchAll(/renderer: flush\(1 geom=(\d+)x\d+\+0\+0/g)].map((match) => Number(match[1]));
    const commandsRun = (): string[] => [...polybar.output().matchAll(/Executing shell command: (.*)$/gm)].map((match) => match[1] ?? '');
    await pollFor(() => (widths().some((width) => width > 0) ? true : undefined), 'polybar to draw the module', {
      timeoutMs: READY_TIMEOUT_MS,
      abort: () => exitReason(polybar) ?? exitReason(xvfb),
    });
    return {
      log: () => polybar.output(),
      drawnWidth: () => widths().at(-1),
      commandsRun,
      async click(button, x) {
        const before = polybar.output().split('Received button press').length;
        const result = await execQuiet('xdotool', ['mousemove', String(x), String(HEIGHT / 2), 'click', String(button)], 5000, env);
        if (result.code !== 0) throw new Error(`xdotool: ${result.stderr.trim() || `exit ${String(result.code)}`}`);
        await pollFor(() => (polybar.output().split('Received button press').length > before ? true : undefined), `polybar to take the click at x=${x}`, {
          timeoutMs: 5000,
          abort: () => exitReason(polybar),
        });
      },
      async stop() {
        for (const proc of started.splice(0)) await stopProcessTree(proc);
        releaseDir(dir);
      },
    };
  } catch (error) {
    for (const proc of started) await stopProcessTree(proc).catch(() => undefined);
    releaseDir(dir);
    throw error;
  }
}
