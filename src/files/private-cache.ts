import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { debuglog } from 'node:util';
import { replaceFile } from './replace-file.js';

const debug = debuglog('vmux:cache');

/**
 * Where vmux keeps what it can make again (compiled code, transcript tails): `$XDG_CACHE_HOME/vmux`,
 * else `~/.cache/vmux`; none when no absolute folder is named.
 */
export function vmuxCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'vmux');
  const home = env['HOME'];
  return home !== undefined && isAbsolute(home) ? join(home, '.cache', 'vmux') : undefined;
}

/**
 * The folder, created if missing (only this user may enter it), when it is an absolute path to a
 * folder of this user that nobody else may write: what vmux reads back from it (code that runs,
 * tails it shows) must be its own.
 */
export function ownFolder(dir: string): boolean {
  if (!isAbsolute(dir)) return false;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    const own = stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0;
    if (!own) debug('not using %s as a cache: not a folder that only this user may write', dir);
    return own;
  } catch (error) {
    debug('no cache folder %s: %s', dir, String(error));
    return false;
  }
}

/** A file of the cache: a regular file of this user, at most `maxBytes`, never through a link; undefined otherwise. */
export function readCacheFile(path: string, maxBytes: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.uid !== process.getuid?.() || stat.size > maxBytes) return undefined;
    const content = Buffer.allocUnsafe(stat.size);
    let read = 0;
    while (read < content.length) {
      const n = readSync(fd, content, read, content.length - read, read);
      if (n === 0) return undefined;
      read += n;
    }
    return content;
  } catch (error) {
    debug('cannot read %s: %s', path, String(error));
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Written beside and renamed into place: a run that reads it meanwhile sees the old file or the new, never half of one. */
export function writeCacheFile(path: string, data: string | Uint8Array): void {
  try {
    replaceFile(path, data, 0o600);
  } catch (error) {
    debug('cannot write %s: %s', path, String(error));
  }
}

/** 32-bit FNV-1a, in hex: a short stable name for a path. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
