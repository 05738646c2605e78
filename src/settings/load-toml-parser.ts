import type * as Toml from 'smol-toml';
import { loadCreateRequire } from '../lazy-builtins.js';

/** Set by `npm run build` (esbuild's `define`) in the bundles; undefined when vmux runs from its modules (tests). */
declare const VMUX_BUNDLED: boolean | undefined;

/**
 * smol-toml, read only when there is a config file to parse: the bundles carry it apart, in
 * `vmux-toml.cjs` beside them, so that the many runs without a config file do not read it.
 */
export function tomlParser(): typeof Toml {
  if (typeof VMUX_BUNDLED !== 'undefined' && VMUX_BUNDLED) return require(`${__dirname}/vmux-toml.cjs`) as typeof Toml;
  return loadCreateRequire()(import.meta.url)('smol-toml') as typeof Toml;
}
