import { watch, type FSWatcher } from 'node:fs';

/**
 * Watches a set of folders (the client's `sessions/` and the project folders of live sessions)
 * and reports that something in them changed. Appending to a transcript, creating one (a first
 * prompt, `/clear`) and rewriting a sessions file all show up as events on the folder. The set is
 * reconciled after every scan; folders that vanish are dropped quietly.
 */
export class ChangeWatcher {
  private readonly watchers = new Map<string, FSWatcher>();

  constructor(private readonly onChange: (folder: string) => void) {}

  watchOnly(folders: Iterable<string>): void {
    const wanted = new Set(folders);
    for (const [folder, watcher] of this.watchers) {
      if (wanted.has(folder)) continue;
      watcher.close();
      this.watchers.delete(folder);
    }
    for (const folder of wanted) {
      if (this.watchers.has(folder)) continue;
      try {
        const watcher = watch(folder, { persistent: false }, () => this.onChange(folder));
        watcher.on('error', () => {
          watcher.close();
          this.watchers.delete(folder);
        });
        this.watchers.set(folder, watcher);
      } catch {
        // Not there yet (no transcript written so far) or not readable: the poll still covers it.
      }
    }
  }

  get count(): number {
    return this.watchers.size;
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }
}
