import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from '../sessions/discovery-context.js';

/** Whether `program` is an executable in one of the folders of the caller's `PATH`. */
export function onPath(program: string, env: Environment): boolean {
  return (env['PATH'] ?? '').split(':').some((dir) => {
    try {
      accessSync(join(dir || '.', program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
