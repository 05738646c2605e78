/**
 * The oldest Node vmux runs on: 20.12 brought util.styleText (colours). Everything newer that
 * vmux uses has a fallback (process.getBuiltinModule, 20.16).
 */
export const MINIMUM_NODE = '20.12';

/** What to tell when this Node is older than MINIMUM_NODE; undefined when it will do. */
export function nodeTooOld(version: string = process.versions.node, execPath: string = process.execPath): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [needMajor = 0, needMinor = 0] = MINIMUM_NODE.split('.').map(Number);
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return `vmux needs Node.js ${MINIMUM_NODE} or newer; this is Node ${version} (${execPath}). Install a newer Node and install vmux again with it.\n`;
}

/** Said before anything else runs: on an older Node, vmux tells which one it needs instead of failing deep inside. */
export function exitIfNodeTooOld(): void {
  const message = nodeTooOld();
  if (message === undefined) return;
  process.stderr.write(message);
  process.exit(1);
}
