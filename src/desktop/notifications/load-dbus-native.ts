import type * as DBus from 'dbus-native';

/** Set by `npm run build` (esbuild's `--define`) in the bundles; undefined when vmux runs from its modules (tests). */
declare const VMUX_BUNDLED: boolean | undefined;

/**
 * dbus-native and its XML parsers are most of vmux's code by size, and only a daemon that shows
 * desktop notifications uses them: the bundles carry them apart, in `vmux-dbus.cjs` beside
 * them, which is read only here, so that vmuxd without notifications and every vmux command
 * start and stay smaller.
 */
export async function loadDbusNative(): Promise<typeof DBus> {
  if (typeof VMUX_BUNDLED !== 'undefined' && VMUX_BUNDLED) {
    return require(`${__dirname}/vmux-dbus.cjs`) as typeof DBus;
  } else {
    return await import('dbus-native');
  }
}
