/**
 * `node dist/src/tools/build-bundles.js` (part of `npm run build`): bundles the compiled modules
 * into the files vmux ships (package.json's `files`), and writes `dist/bundles.json`, the modules
 * each bundle holds, which the tests read to check what each command loads.
 *
 * The bundles are minified: a command's time goes largely to reading and compiling its bundle,
 * and V8 reads a source file over 128 KiB into memory of its own, at a noticeable cost. The
 * bundles that `vmux` loads itself (`loadBundle`) are written already wrapped as a function, so
 * that V8 compiles the file as it is rather than a copy with the wrapper around it.
 */
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { chmodSync, writeFileSync } from 'node:fs';
import { BUNDLE_WRAPPER_HEAD, BUNDLE_WRAPPER_TAIL } from '../bin/load-bundle.js';
import { DAEMON_NODE_OPTIONS, SCAN_NODE_OPTIONS } from '../lean-runtime.js';

/**
 * The first lines of `vmux` and `vmuxd`: a shell runs them, and starts Node on the same file (a
 * `#!` line can pass no options portably); Node skips the first line and reads the second as a
 * string and a comment. `exec`: the program's PID is the one the shell started with.
 */
const launcher = (shellLine: string): string => `#!/bin/sh\n':' //; ${shellLine}`;

/** vmuxd: always with the daemon's options. */
const DAEMON_LAUNCHER = launcher(`exec node ${DAEMON_NODE_OPTIONS.join(' ')} "$0" "$@"`);

/**
 * vmux: `list` with no vmuxd socket where vmux looks for one first (VMUX_HOME, else ~/.vmux) with
 * the options of a scan (SCAN_NODE_OPTIONS); any other command, or a listing that will ask vmuxd,
 * with none. Only a matter of speed: where the shell guesses wrong (a socket left by a vmuxd that
 * died, an empty HOME), vmux does the same, a little slower.
 */
const COMMAND_LAUNCHER = launcher(
  `case "$1" in list|ls) [ -S "\${VMUX_HOME:-$HOME/.vmux}/vmuxd.sock" ] || exec node ${SCAN_NODE_OPTIONS.join(' ')} "$0" "$@";; esac; exec node "$0" "$@"`,
);

/**
 * Run by Node itself: dbus-native, which vmuxd `require`s when it shows notifications; smol-toml,
 * which any command `require`s when there is a config file.
 */
const RUN_BY_NODE = ['vmux-dbus', 'vmux-toml'];
/** Loaded by `vmux` through `loadBundle`: each command path's code. */
const LOADED_BY_VMUX = ['vmux-list', 'vmux-switch', 'vmux-cli'];

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  define: { VMUX_BUNDLED: 'true' },
  minify: true,
  metafile: true,
  logLevel: 'warning',
  // `import.meta` stands only in the branches for running from the modules (tests), which the define removes.
  logOverride: { 'empty-import-meta': 'silent' },
} as const satisfies BuildOptions;

/**
 * dbus-native reads a service's interfaces from its introspection XML, through xml2js, sax and
 * xmlbuilder: half of its bundle. vmux calls the notification server by name and signature and
 * never introspects, so the bundle carries a stand-in that says so: a vmuxd showing notifications
 * then holds 1.5 MiB less (measured: 1.3–1.8 MiB above one without notifications, against 2.8–3.3).
 */
const withoutIntrospection: Plugin = {
  name: 'dbus-native-without-introspection',
  setup(bundler) {
    bundler.onResolve({ filter: /^\.\/introspect$/ }, (args) =>
      args.importer.includes('/node_modules/dbus-native/') ? { path: 'dbus-native-introspect', namespace: 'vmux-stand-in' } : undefined,
    );
    bundler.onLoad({ filter: /.*/, namespace: 'vmux-stand-in' }, () => ({
      contents: 'exports.introspectBus = (obj, callback) => callback(new Error("vmux carries no D-Bus introspection"));',
      loader: 'js',
    }));
  },
};

const entries = (names: readonly string[]): string[] => names.map((name) => `dist/src/bin/${name}.js`);

const [byNode, command, daemon, byVmux] = await Promise.all([
  build({ ...common, entryPoints: entries(RUN_BY_NODE), plugins: [withoutIntrospection] }),
  build({ ...common, entryPoints: entries(['vmux']), banner: { js: COMMAND_LAUNCHER } }),
  build({ ...common, entryPoints: entries(['vmuxd']), banner: { js: DAEMON_LAUNCHER } }),
  build({ ...common, entryPoints: entries(LOADED_BY_VMUX), banner: { js: BUNDLE_WRAPPER_HEAD }, footer: { js: BUNDLE_WRAPPER_TAIL } }),
]);
for (const executable of ['dist/vmux.cjs', 'dist/vmuxd.cjs']) chmodSync(executable, 0o755);

/** `{ "dist/vmux-list.cjs": ["dist/src/cli/list-command.js", …] }`: the modules in each bundle. */
function modulesOf(...metafiles: Metafile[]): Record<string, string[]> {
  const bundles: Record<string, string[]> = {};
  for (const metafile of metafiles) {
    for (const [output, { inputs }] of Object.entries(metafile.outputs)) bundles[output] = Object.keys(inputs).sort();
  }
  return bundles;
}

writeFileSync('dist/bundles.json', `${JSON.stringify(modulesOf(byNode.metafile, command.metafile, daemon.metafile, byVmux.metafile), null, 2)}\n`);
