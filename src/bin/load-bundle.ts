import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { debuglog } from 'node:util';
import { Script, constants as vmConstants } from 'node:vm';
import { fnv1a, ownFolder, readCacheFile, vmuxCacheDir, writeCacheFile } from '../files/private-cache.js';

const debug = debuglog('vmux:cache');

/**
 * What a CommonJS module's code runs inside, as Node's own loader wraps it. The build writes the
 * bundles that vmux loads already wrapped (see build-bundles.ts), so V8 compiles the file's text as
 * it is, not a copy with the wrapper around it; any other bundle is wrapped here.
 */
export const BUNDLE_WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) {';
export const BUNDLE_WRAPPER_TAIL = '\n})';

/** A cache file larger than this is not vmux's (its bundles' caches are a few hundred KB). */
const MAX_CACHE_BYTES = 16 * 1024 * 1024;

/**
 * A cache holds the functions the run that wrote it used. The first run after an update takes
 * paths later runs do not (it reads every transcript: the saved tails of another version are not
 * used) and misses theirs (reading the saved tails back), which each later run would then
 * compile: the run after it writes the cache once more, with both.
 */
const WRITES_PER_CACHE = 2;

/** One of vmux's bundles, loaded, and the way to keep what V8 compiled of it for the next run. */
export interface LoadedBundle<T> {
  readonly exports: T;
  /** Whether V8 took its compiled code from the cache rather than compiling the source. */
  readonly fromCache: boolean;
  /**
   * Writes what V8 compiled of the bundle so far (the functions this run used, not only the top
   * level) into the cache, when there was none or it is to be completed (see WRITES_PER_CACHE).
   * Called once the command is done.
   */
  saveCache(): void;
}

/**
 * Loads a CommonJS bundle as `require` would, with V8's code cache kept in `cacheDir`: most of a
 * short command's time beyond Node's own start goes to compiling the bundle and the functions it
 * calls, which the cache skips. (Node 22 has this built in as `module.enableCompileCache`; vmux
 * runs on Node 20 too.) The cache is only a shortcut: a missing, stale, foreign or broken one is
 * ignored, and V8 itself refuses data made from another source or by another V8.
 *
 * `cacheDir` is used only when it is an absolute path to a folder of this user that nobody else
 * may write: the cache is code that runs. Undefined: no cache. `moduleRequire`: the `require` the
 * bundle gets, one of a module in the bundle's folder (`vmux` passes its own: `node:module`, for
 * `createRequire`, costs a command ~0.7 ms to load).
 */
export function loadBundle<T>(file: string, cacheDir: string | undefined, moduleRequire: NodeJS.Require): LoadedBundle<T> {
  // The bundles are ASCII (installed-files.test.ts): read as bytes and taken one byte a character,
  // the text is copied once, where decoding it as UTF-8 copied it more.
  const source = readFileSync(file).toString('latin1');
  const cache = cacheDir === undefined ? undefined : cacheFileOf(file, cacheDir);
  const { data: cached, writes } = (cache === undefined ? undefined : readCache(cache)) ?? { data: undefined, writes: 0 };
  const wrapped = source.startsWith(BUNDLE_WRAPPER_HEAD) ? source : `${BUNDLE_WRAPPER_HEAD}${source}${BUNDLE_WRAPPER_TAIL}`;
  const script = new Script(wrapped, {
    filename: file,
    ...(cached === undefined ? {} : { cachedData: cached }),
    // The bundles' `import()` (of Node's own modules, on older Node) goes to Node's loader.
    importModuleDynamically: vmConstants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const fromCache = cached !== undefined && script.cachedDataRejected !== true;
  if (cached !== undefined && !fromCache) debug('cache of %s rejected by V8', file);
  const module = { exports: {} as T };
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  wrapper.call(module.exports, module.exports, moduleRequire, module, file, dirname(file));
  return {
    exports: module.exports,
    fromCache,
    saveCache: () => {
      const done = fromCache ? writes : 0;
      if (cache !== undefined && done < WRITES_PER_CACHE) writeCache(cache, script.createCachedData(), done + 1);
    },
  };
}

interface CacheFile {
  readonly path: string;
  /** What the cached data was made from: the bundle as it is on disk, and this Node. */
  readonly key: string;
}

/**
 * One cache file per bundle, install folder and set of Node options, so that a clone and an
 * installed copy, or `vmux` and `node vmux.cjs` (V8 refuses code compiled under other flags), do
 * not keep overwriting each other's; its first line names what it was made from, so an update of
 * vmux or Node replaces it rather than leaving old files behind.
 */
function cacheFileOf(file: string, cacheDir: string): CacheFile | undefined {
  if (!ownFolder(cacheDir)) return undefined;
  try {
    const bundle = statSync(file);
    const nodeOptions = fnv1a(process.execArgv.join('\0'));
    const key = [file, bundle.ino, bundle.size, bundle.mtimeMs, process.version, process.arch, nodeOptions].join(' ');
    return { path: join(cacheDir, `${basename(file)}-${fnv1a(dirname(file))}-${nodeOptions}.cache`), key };
  } catch (error) {
    debug('no cache for %s: %s', file, String(error));
    return undefined;
  }
}

/**
 * The cached data starts at a multiple of this in the file (its first line is padded with
 * spaces): V8 copies cached data that is not aligned to a pointer before reading it, a copy of a
 * few hundred KB into fresh memory.
 */
const DATA_ALIGNMENT = 16;

/** The cached data and how many runs wrote it, when the file is a regular file of this user made from this very bundle and Node. */
function readCache(cache: CacheFile): { data: Buffer; writes: number } | undefined {
  const content = readCacheFile(cache.path, MAX_CACHE_BYTES);
  const newline = content?.indexOf(0x0a) ?? -1;
  if (content === undefined || newline < 0) return undefined;
  // The first line: the key, the number of writes, and spaces up to the data's alignment.
  const header = content.toString('utf8', 0, newline).trimEnd();
  const space = header.lastIndexOf(' ');
  if (header.slice(0, space) !== cache.key) return undefined;
  return { data: content.subarray(newline + 1), writes: Number(header.slice(space + 1)) || WRITES_PER_CACHE };
}

function writeCache(cache: CacheFile, data: Buffer, writes: number): void {
  const header = `${cache.key} ${writes}`;
  const padding = (DATA_ALIGNMENT - ((Buffer.byteLength(header) + 1) % DATA_ALIGNMENT)) % DATA_ALIGNMENT;
  writeCacheFile(cache.path, Buffer.concat([Buffer.from(`${header}${' '.repeat(padding)}\n`), data]));
}

/**
 * Where vmux keeps its code cache: `$XDG_CACHE_HOME/vmux`, else `~/.cache/vmux`. None when
 * `NODE_DISABLE_COMPILE_CACHE` is set (Node's own switch for its compile cache) or no absolute
 * folder is named.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env['NODE_DISABLE_COMPILE_CACHE'] !== undefined && env['NODE_DISABLE_COMPILE_CACHE'] !== '') return undefined;
  return vmuxCacheDir(env);
}
