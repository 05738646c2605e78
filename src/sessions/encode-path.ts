/**
 * Claude Code names a project's folder under `projects/` after its cwd: every character outside
 * `[A-Za-z0-9]` becomes `-`. Names over this length are cut and suffixed with a hash.
 */
export const MAX_ENCODED_PATH_LENGTH = 200;

export function encodePath(path: string): string {
  const encoded = path.replace(/[^A-Za-z0-9]/g, '-');
  if (encoded.length <= MAX_ENCODED_PATH_LENGTH) return encoded;
  return `${encoded.slice(0, MAX_ENCODED_PATH_LENGTH)}-${pathHash(path)}`;
}

/**
 * The 32-bit string hash Claude Code 2.1.x appends to long folder names, in base 36.
 * It runs over UTF-16 code units, as JavaScript's `charCodeAt` does.
 */
export function pathHash(path: string): string {
  let h = 0;
  for (let i = 0; i < path.length; i++) {
    h = ((h << 5) - h + path.charCodeAt(i)) | 0;
  }
  return Math.abs(h).toString(36);
}

/**
 * Whether a folder under `projects/` may hold the transcripts of `cwd`. Long names are matched
 * on their 200-character prefix, since versions before 2.1 used another hash.
 */
export function isProjectFolderFor(folder: string, cwd: string): boolean {
  const encoded = encodePath(cwd);
  if (folder === encoded) return true;
  if (encoded.length <= MAX_ENCODED_PATH_LENGTH) return false;
  const prefix = encoded.slice(0, MAX_ENCODED_PATH_LENGTH + 1);
  return folder.startsWith(prefix);
}
