import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { desktopSessionOf } from '../src/desktop/graphical-session.js';
import { sessionWorkspaces } from '../src/desktop/session-workspaces.js';
import { connectToWindowManager } from '../src/desktop/wm-ipc/index.js';
import { fixtureClaude, missingI3Binaries, startI3UnderXvfb } from '../test/support/i3-xvfb.js';
import { childrenOf, commOf } from '../test/support/process-tree.js';
import { startVmuxd, type VmuxdProcess } from '../test/support/vmuxd-process.js';
import { bareSocketClient, timeCommand, vmuxCommand, withNodeOnPath, type Command } from './measure.js';
import { compare, type Comparison, type Measurement } from './report.js';
import { interleaveAll, summarize } from './stats.js';

/** Scanning by itself, `vmux switch` costs at most 1.5 × starting Node (as `vmux list` does). */
const SWITCH_SCAN_TARGET_RATIO = 1.5;
/** SPEC §9: through vmuxd, at most 1.1 × a bare Node client sending the same request over the socket. */
const SWITCH_DAEMON_TARGET_RATIO = 1.1;
const SESSIONS_FOR_WORKSPACES = 50;
const TERMINALS = 5;

export interface SwitchBench {
  readonly comparisons: Comparison[];
  readonly measurements: Measurement[];
  readonly notes: string[];
}

/**
 * On a real i3 under Xvfb: `vmux switch` end to end (alternating between two sessions on two
 * workspaces, so each run really moves the focus) against `node -e 0`, scanning by itself and
 * with vmuxd running (what a key binding meets); one IPC round trip; and the workspaces of 50
 * sessions, as a listing resolves them (one tree, a few xprop reads).
 */
export async function benchSwitch(vmux: string, runs: number, scratch: string): Promise<SwitchBench> {
  const missing = missingI3Binaries();
  if (missing.length > 0) return { comparisons: [], measurements: [], notes: [`switch benchmarks skipped: i3 not installed (missing: ${missing.join(', ')})`] };
  mkdirSync(scratch, { recursive: true });
  const harness = await startI3UnderXvfb();
  let daemon: VmuxdProcess | undefined;
  try {
    const claude = fixtureClaude(harness);
    const targets = [
      await harness.openTerminal({ workspace: '1', command: [claude, '3600'] }),
      await harness.openTerminal({ workspace: '2', command: [claude, '3601'] }),
    ];
    const env: NodeJS.ProcessEnv = withNodeOnPath({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: scratch, VMUX_HOME: join(scratch, 'vmux-home'), ...harness.env });
    const baseline: Command = { file: process.execPath, args: ['-e', '0'], env };
    let next = 0;
    const switchOnce = () => {
      const target = targets[next++ % targets.length];
      return timeCommand(vmuxCommand(vmux, ['switch', String(target?.commandPid)], env));
    };
    const [b = [], s = []] = await interleaveAll(runs, 2, [() => timeCommand(baseline), switchOnce]);
    await assertFocusOnOneOf(harness, targets);

    // The daemon finds the fixture sessions in /proc like the scan does; the switch asks it for them.
    daemon = await startVmuxd({ home: join(scratch, 'vmux-home'), claudeDir: join(scratch, 'claude'), userHome: scratch });
    const socketPath = daemon.home.socketPath;
    // The request `vmux switch <pid>` sends, from a client that does nothing else.
    let bareNext = 0;
    const bareSwitchOnce = () => {
      const target = targets[bareNext++ % targets.length];
      return timeCommand(bareSocketClient(socketPath, { action: 'switch', args: { query: String(target?.commandPid), desktop: desktopSessionOf(env) } }, env));
    };
    const [bd = [], sd = []] = await interleaveAll(runs, 2, [bareSwitchOnce, switchOnce]);
    await assertFocusOnOneOf(harness, targets);
    await daemon.stop();
    daemon = undefined;

    const client = await connectToWindowManager(env);
    const roundTrips: number[] = [];
    try {
      for (let i = 0; i < 200; i++) {
        const started = performance.now();
        await client.getVersion();
        roundTrips.push(performance.now() - started);
      }
    } finally {
      client.close();
    }

    // 50 sessions in 5 terminals, as many as a heavy user runs, without WINDOWID (the slow path).
    const pids: number[] = [];
    for (let i = 0; i < TERMINALS; i++) {
      const perTerminal = SESSIONS_FOR_WORKSPACES / TERMINALS;
      const script = `for i in $(seq ${perTerminal}); do "$0" 3600 & done; wait`;
      const terminal = await harness.openTerminal({ workspace: String(i + 3), command: ['/usr/bin/env', '-u', 'WINDOWID', 'sh', '-c', script, claude] });
      pids.push(...(await childrenNamed(terminal.commandPid, 'claude', perTerminal)));
    }
    const lookups: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const workspaces = await sessionWorkspaces(pids.map((pid) => ({ pid })), env, '/proc');
      lookups.push(performance.now() - started);
      if (workspaces.size !== pids.length) throw new Error(`workspaces found for ${workspaces.size} of ${pids.length} sessions`);
    }
    return {
      comparisons: [
        switchComparison('switch-i3', 'scanning by itself', { label: 'node -e 0', samples: b }, s, SWITCH_SCAN_TARGET_RATIO),
        switchComparison('switch-i3-daemon', 'vmuxd running', { label: 'bare socket client', samples: bd }, sd, SWITCH_DAEMON_TARGET_RATIO),
      ],
      measurements: [
        { id: 'i3-ipc-round-trip', title: 'i3 IPC round trip (get_version)', unit: 'ms', summary: summarize(roundTrips) },
        {
          id: 'workspaces-50',
          title: `workspaces of ${pids.length} sessions (one get_tree, xprop, no WINDOWID)`,
          unit: 'ms',
          summary: summarize(lookups),
        },
      ],
      notes: [`switch: ${runs} runs alternating between two sessions on workspaces 1 and 2 of a real i3 under Xvfb, first scanning, then through vmuxd`],
    };
  } finally {
    await daemon?.kill('SIGKILL');
    await harness.stop();
  }
}

/** `vmux switch` against its baseline from interleaved runs (milliseconds). */
function switchComparison(id: string, how: string, baseline: { label: string; samples: readonly number[] }, subject: readonly number[], target: number): Comparison {
  return compare({
    id,
    title: `vmux switch on i3, ${how} (focus moves each run)`,
    unit: 'ms',
    baseline: { label: baseline.label, summary: summarize(baseline.samples) },
    subject: { label: 'vmux switch', summary: summarize(subject) },
    target,
  });
}

async function assertFocusOnOneOf(harness: { focusedConId(): Promise<number | undefined> }, targets: readonly { conId: number }[]): Promise<void> {
  const focused = await harness.focusedConId();
  if (!targets.some((t) => t.conId === focused)) throw new Error('vmux switch did not focus a fixture terminal: is it broken?');
}

/** The PIDs of `count` children named `comm` of a process, once they have all started. */
async function childrenNamed(parent: number, comm: string, count: number): Promise<number[]> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; ) {
    const named = childrenOf(parent).filter((pid) => commOf(pid) === comm);
    if (named.length >= count) return named;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${count} ${comm} processes did not start under ${parent}`);
}
