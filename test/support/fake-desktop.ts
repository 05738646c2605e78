import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WmNode } from '../../src/desktop/wm-ipc/index.js';
import { tempDir } from './temp-dir.js';

/**
 * For unit tests of finding and focusing windows: a process tree as /proc shows it, and i3/sway
 * trees built from a few lines. The tests on a real i3 and sway show that the WMs send such trees.
 */

export interface FakeProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly start?: number;
}

/** `<root>/<pid>/stat` and `<root>/<pid>/environ`, as the kernel writes them. */
export function fakeProcRoot(processes: readonly FakeProcess[]): string {
  const root = tempDir('vmux-window-proc-');
  for (const p of processes) {
    const dir = join(root, String(p.pid));
    mkdirSync(dir);
    const fields5to21 = Array.from({ length: 17 }, () => '0').join(' ');
    writeFileSync(join(dir, 'stat'), `${p.pid} (proc) S ${p.ppid} ${fields5to21} ${p.start ?? p.pid} 0 0\n`);
    const env = Object.entries(p.env ?? {}).map(([key, value]) => `${key}=${value}\0`);
    writeFileSync(join(dir, 'environ'), env.join(''));
  }
  return root;
}

type Shape = Partial<WmNode> & Pick<WmNode, 'id'>;

export function node(shape: Shape): WmNode {
  return { name: null, type: 'con', focused: false, urgent: false, focus: [], nodes: [], floating_nodes: [], ...shape };
}

export function workspace(id: number, name: string, windows: readonly WmNode[], floating: readonly WmNode[] = []): WmNode {
  return node({ id, type: 'workspace', name, nodes: windows, floating_nodes: floating });
}

export function tree(workspaces: readonly WmNode[], dock: readonly WmNode[] = []): WmNode {
  const content = node({ id: 3, type: 'con', name: 'content', nodes: workspaces });
  const dockarea = node({ id: 4, type: 'dockarea', name: 'topdock', nodes: dock });
  const output = node({ id: 2, type: 'output', name: 'HDMI-1', nodes: [dockarea, content] });
  return node({ id: 1, type: 'root', name: 'root', nodes: [output] });
}
