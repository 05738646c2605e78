import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** A program to run, as argv, with the environment it gets. */
export interface Command {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

export interface RunResult {
  readonly stdout: string;
  /** Wall-clock milliseconds from spawn until the child exited and its output was read. */
  readonly ms: number;
}

/**
 * Runs the command to its end; rejects when it fails, since a failed run would time nothing
 * useful. Asynchronous on purpose: between runs the event loop turns, so a SIGINT or SIGTERM to
 * the harness is handled at once (the fixture processes are killed) rather than after the loop.
 */
export function run(command: Command): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command.file, [...command.args], { env: command.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const ms = performance.now() - start;
      if (code === 0) {
        resolve({ stdout: Buffer.concat(stdout).toString('utf8'), ms });
        return;
      }
      const detail = Buffer.concat(stderr).toString('utf8').trim().slice(0, 2_000);
      reject(new Error(`${describe(command)} exited with ${code ?? signal}: ${detail}`));
    });
  });
}

/** Wall-clock milliseconds of one run, spawn to reap, as a user waiting at a prompt sees it. */
export async function timeCommand(command: Command): Promise<number> {
  return (await run(command)).ms;
}

export function describe(command: Command): string {
  return [command.file, ...command.args].join(' ');
}

/**
 * Peak resident set size (KiB) of a whole child process. Two ways, both exact rather than sampled:
 * - GNU `/usr/bin/time -f %M` reports `ru_maxrss` from wait4(), i.e. the kernel's high-water mark
 *   of that child over its whole life (polling `/proc/<pid>/status` VmHWM would race the exit).
 * - Without it, a preloaded module (`node --import`) records `process.resourceUsage().maxRSS` —
 *   the same getrusage high-water mark — in the child's own `exit` handler, which runs after the
 *   CLI has done all its work. Only works for Node children, which is all we measure.
 */
export class PeakRss {
  readonly method: 'gnu-time' | 'node-preload';

  private constructor(
    private readonly scratch: string,
    method: 'gnu-time' | 'node-preload',
  ) {
    this.method = method;
  }

  static async detect(scratch: string): Promise<PeakRss> {
    const probe = new PeakRss(scratch, 'gnu-time');
    try {
      if (existsSync('/usr/bin/time') && (await probe.viaTime({ file: 'true', args: [], env: process.env })) > 0) return probe;
    } catch {
      // Not GNU time (BusyBox's has no -o), or it failed: fall back below.
    }
    return new PeakRss(scratch, 'node-preload');
  }

  /** Peak RSS in KiB of one run of a Node program (`file`: node, or an executable that starts it). */
  measure(command: Command): Promise<number> {
    return this.method === 'gnu-time' ? this.viaTime(command) : this.viaPreload(command);
  }

  private async viaTime(command: Command): Promise<number> {
    const out = join(this.scratch, 'time-maxrss.txt');
    rmSync(out, { force: true });
    await run({ file: '/usr/bin/time', args: ['-f', '%M', '-o', out, command.file, ...command.args], env: command.env });
    return parseKib(readFileSync(out, 'utf8'));
  }

  private async viaPreload(command: Command): Promise<number> {
    const out = join(this.scratch, 'preload-maxrss.txt');
    const preload = join(this.scratch, 'maxrss-preload.mjs');
    writeFileSync(
      preload,
      "import { writeFileSync } from 'node:fs';\n" +
        `process.on('exit', () => writeFileSync(${JSON.stringify(out)}, String(process.resourceUsage().maxRSS)));\n`,
    );
    rmSync(out, { force: true });
    // Through the environment: `file` may be an executable that starts Node with options of its own.
    await run({ ...command, env: { ...command.env, NODE_OPTIONS: `--import=${preload}` } });
    return parseKib(readFileSync(out, 'utf8'));
  }
}

function parseKib(text: string): number {
  // GNU time prefixes "Command exited with non-zero status" lines; the figure is the last line.
  const last = text.trim().split('\n').pop() ?? '';
  const kib = Number(last);
  if (!Number.isFinite(kib) || kib <= 0) throw new Error(`cannot read a peak RSS from "${text.trim()}"`);
  return kib;
}

/**
 * CPU time (ns) a live process has used, summed over its threads from `/proc/<pid>/task/<tid>/schedstat`:
 * nanoseconds, where `utime`+`stime` count 10 ms ticks, too coarse for a daemon that should use
 * ~0.1 % of a core (one tick in 5 s is 0.2 %). Undefined where the kernel keeps no schedstat.
 */
export function readCpuNs(pid: number): number | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let total = 0;
  for (const tid of tids) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended since the listing: its time is lost, a few µs at most for Node's own.
    }
  }
  return Number.isFinite(total) && total > 0 ? total : undefined;
}

/**
 * `vmux` run as a user's shell runs it: the executable itself, whose first lines start the Node on
 * `PATH`, with options for a listing that scans by itself (SCAN_NODE_OPTIONS). `env` must put the
 * Node being measured first on `PATH` (withNodeOnPath).
 */
export function vmuxCommand(vmux: string, args: readonly string[], env: NodeJS.ProcessEnv): Command {
  return { file: vmux, args, env };
}

/** `env` with the directory of the Node running the bench first on `PATH`: the executables vmux and vmuxd start that Node. */
export function withNodeOnPath(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, PATH: [dirname(process.execPath), env['PATH'] ?? '/usr/bin:/bin'].join(':') };
}

/**
 * A bare Node client of vmuxd: it sends one request line to the socket and prints the first line
 * of the answer, and nothing else. SPEC §9 measures `vmux list` and `vmux switch` through vmuxd
 * against it: the floor for any client written in Node.
 */
export function bareSocketClient(socketPath: string, request: unknown, env: NodeJS.ProcessEnv): Command {
  const code =
    'const s=require("node:net").connect(process.argv[1]);s.end(process.argv[2]+"\\n");let a="";' +
    's.setEncoding("utf8").on("data",(d)=>{a+=d;const n=a.indexOf("\\n");if(n>=0){process.stdout.write(a.slice(0,n+1));s.destroy();}});';
  return { file: process.execPath, args: ['-e', code, socketPath, JSON.stringify(request)], env };
}
