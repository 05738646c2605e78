import type { Environment } from '../sessions/discovery-context.js';

/** Whether the environment points at a window manager or display vmux could ask at all. */
export function hasGraphicalSession(env: Environment): boolean {
  return Boolean(env['SWAYSOCK'] || env['I3SOCK'] || env['DISPLAY'] || env['WAYLAND_DISPLAY']);
}
