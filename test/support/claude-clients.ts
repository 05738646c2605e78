import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { skippedWithout } from './require-wm.js';

/**
 * The real Claude Code clients the end-to-end tests run, pinned by version and installed on
 * demand from npm into a cache shared by every checkout (`$VMUX_TEST_CLIENTS`, else
 * `~/.cache/vmux/test-clients/<version>/`), so that `npm ci` pulls none of their ~650 MB.
 *
 * Package layouts, as published:
 * - native builds (2.1.1xx+ with `bin/claude.exe`): `@anthropic-ai/claude-code` holds a stub
 *   `bin/claude.exe` and names one optional package per platform
 *   (`@anthropic-ai/claude-code-linux-x64`, …) whose file `claude` is the real executable; the
 *   wrapper's postinstall (`install.cjs`) hard-links it over the stub. 2.1.197 and 2.1.332 are
 *   laid out the same way. We install with `--ignore-scripts` (npm 11 warns about, and with
 *   `strict-allow-scripts` refuses, unapproved install scripts) and place the binary ourselves,
 *   as the postinstall would: the process is then `claude.exe`, like a user's npm install.
 * - the Node build (2.1.100 and older): `cli.js`, run with this Node; no install script.
 */
export type ClientBuild = 'native' | 'node';

export interface ClientSpec {
  readonly version: string;
  readonly build: ClientBuild;
  /** Why this version is in the matrix. */
  readonly why: string;
}

/** The newest version on npm when last checked (`npm view @anthropic-ai/claude-code dist-tags`). */
export const REFERENCE_VERSION = '2.1.332';

export const CLIENTS: readonly ClientSpec[] = [
  { version: REFERENCE_VERSION, build: 'native', why: 'the reference: the newest release' },
  { version: '2.1.197', build: 'native', why: 'an older native build: no auto mode, permission prompts by default' },
  { version: '2.1.100', build: 'node', why: 'the Node build (cli.js): sessions file without status' },
];

export interface InstalledClient extends ClientSpec {
  /** The file that is run: the native executable, or `cli.js` of the Node build. */
  readonly executable: string;
  /** The command line that starts it, before Claude Code's own arguments. */
  readonly command: readonly string[];
}

const PACKAGE = '@anthropic-ai/claude-code';
const INSTALL_TIMEOUT_MS = 10 * 60_000;
/** How long a second process waits for another's install of the same version. */
const LOCK_WAIT_MS = 12 * 60_000;

export class ClientUnavailableError extends Error {
  override readonly name = 'ClientUnavailableError';
}

export function clientSpec(version: string): ClientSpec {
  const spec = CLIENTS.find((c) => c.version === version);
  if (!spec) throw new Error(`Claude Code ${version} is not in the test client table (${CLIENTS.map((c) => c.version).join(', ')})`);
  return spec;
}

export function clientsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['VMUX_TEST_CLIENTS'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const cacheHome = env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(cacheHome, 'vmux', 'test-clients');
}

/** Whether a missing client fails the tests (CI) instead of skipping them. */
export function clientsRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['VMUX_REQUIRE_CLIENTS'] === '1';
}

/** The client of `version` when it is already in the cache; never installs. */
export function cachedClient(version: string, cacheDir = clientsCacheDir()): InstalledClient | undefined {
  const spec = clientSpec(version);
  const packageDir = join(cacheDir, version, 'node_modules', ...PACKAGE.split('/'));
  if (readVersion(join(packageDir, 'package.json')) !== version) return undefined;
  if (spec.build === 'node') {
    const cli = join(packageDir, 'cli.js');
    return existsSync(cli) ? { ...spec, executable: cli, command: [process.execPath, cli] } : undefined;
  }
  const exe = join(packageDir, 'bin', 'claude.exe');
  return isElf(exe) ? { ...spec, executable: exe, command: [exe] } : undefined;
}

/**
 * The client of `version`, installed first when missing. Two processes may ask at once: one
 * installs (under a lock), into a temporary folder renamed into place when complete; the other
 * waits for it. Throws `ClientUnavailableError` when npm cannot install it (no registry).
 */
export function ensureClient(version: string, cacheDir = clientsCacheDir()): Promise<InstalledClient> {
  const cached = cachedClient(version, cacheDir);
  if (cached) return Promise.resolve(cached);
  // One install per version and process, however many tests ask at once; a failure is remembered.
  const key = `${cacheDir}\0${version}`;
  let pending = installs.get(key);
  if (!pending) {
    pending = installOnce(version, cacheDir);
    installs.set(key, pending);
  }
  return pending;
}

const installs = new Map<string, Promise<InstalledClient>>();

async function installOnce(version: string, cacheDir: string): Promise<InstalledClient> {
  mkdirSync(cacheDir, { recursive: true });
  const release = await lock(join(cacheDir, `${version}.lock`));
  try {
    const again = cachedClient(version, cacheDir);
    if (again) return again;
    await install(clientSpec(version), cacheDir);
  } finally {
    release();
  }
  const installed = cachedClient(version, cacheDir);
  if (!installed) throw new ClientUnavailableError(`Claude Code ${version} installed into ${cacheDir} but its executable is missing`);
  return installed;
}

/**
 * For a test: the client, or undefined after marking the test skipped with a one-line reason
 * (npm or the registry unreachable). With `VMUX_REQUIRE_CLIENTS=1` (CI) a missing client fails.
 */
export async function clientOrSkip(t: TestContext, version: string): Promise<InstalledClient | undefined> {
  try {
    return await ensureClient(version);
  } catch (error) {
    if (clientsRequired() || !(error instanceof ClientUnavailableError)) throw error;
    t.skip(`Claude Code ${version} unavailable: ${error.message.split('\n')[0]}`);
    return undefined;
  }
}

async function install(spec: ClientSpec, cacheDir: string): Promise<void> {
  const target = join(cacheDir, spec.version);
  const staging = join(cacheDir, `.installing-${spec.version}-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging, { recursive: true });
  try {
    await npm([
      'install',
      '--prefix', staging,
      '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts',
      '--loglevel', 'error',
      `${PACKAGE}@${spec.version}`,
    ]);
    if (spec.build === 'native') placeNativeBinary(join(staging, 'node_modules', ...PACKAGE.split('/')));
    // A leftover from an install that died before its rename (no lock held it): replace it.
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * What the package's postinstall does: the platform package's `claude` takes the place of the
 * `bin/claude.exe` stub (a hard link, a copy across file systems).
 */
function placeNativeBinary(packageDir: string): void {
  const platformPackage = `${PACKAGE}-${process.platform}-${process.arch}${isMusl() ? '-musl' : ''}`;
  const source = join(packageDir, '..', '..', ...platformPackage.split('/'), 'claude');
  if (!isElf(source)) {
    throw new ClientUnavailableError(`npm installed no ${platformPackage} (the native binary for this platform)`);
  }
  const dest = join(packageDir, 'bin', 'claude.exe');
  if (existsSync(dest)) unlinkSync(dest);
  try {
    linkSync(source, dest);
  } catch {
    copyFileSync(source, dest);
  }
}

function isMusl(): boolean {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return process.platform === 'linux' && report?.header?.glibcVersionRuntime === undefined;
}

function npm(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('npm', [...args], { timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, env: npmEnv() }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'npm is not on PATH' : npmReason(stderr) || error.message;
      reject(new ClientUnavailableError(`npm install ${args.at(-1)} failed: ${why}`, { cause: error }));
    });
  });
}

/**
 * npm's settings stay (registry, proxy, cache, also as `npm_config_*`); what `npm test` sets
 * about vmux's own package and script does not leak in.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(package|lifecycle)_|^npm_config_(local_)?prefix$/i.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/** npm's reason in one line: its error code and the line that says what failed, not the stack. */
function npmReason(text: string): string {
  const lines = text.split('\n').map((l) => l.replace(/^npm (error|ERR!) ?/, '').trim()).filter((l) => l !== '');
  const code = lines.map((l) => /^code (\S+)$/.exec(l)?.[1]).find((c) => c !== undefined);
  const what = lines.find((l) => /request to|reason:|No matching version|404|E[A-Z]{3,}:/.test(l) && !l.startsWith('at ')) ?? lines[0] ?? '';
  return [code, what].filter((x) => x).join(': ');
}

/**
 * An exclusive lock as a folder created atomically, holding the owner's PID. A lock whose owner
 * has died is taken over; a live owner is waited for.
 */
async function lock(path: string): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(path);
      writeFileSync(join(path, 'pid'), String(process.pid));
      return () => rmSync(path, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(readText(join(path, 'pid')));
    const ownerGone = Number.isInteger(owner) && owner > 0 && !pidAlive(owner);
    // A lock folder without a PID is one being created, unless it is old.
    const orphan = !(owner > 0) && ageMs(path) > 30_000;
    if (ownerGone || orphan) {
      rmSync(path, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${path} (held by pid ${owner})`);
    await delay(500);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function readVersion(packageJson: string): string | undefined {
  try {
    const value = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown };
    return typeof value.version === 'string' ? value.version : undefined;
  } catch {
    return undefined;
  }
}

function isElf(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Installs every client of the table (CI does this before the tests, so that they find them cached). */
export async function ensureAllClients(): Promise<InstalledClient[]> {
  const installed: InstalledClient[] = [];
  for (const spec of CLIENTS) installed.push(await ensureClient(spec.version));
  return installed;
}

// `node dist/test/support/claude-clients.js`: install every client of the table, print where.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureAllClients().then(
    (clients) => {
      for (const c of clients) console.log(`Claude Code ${c.version} (${c.build}): ${c.executable}`);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}

/**
 * `clientOrSkip` for a client that runs in tmux: without tmux on PATH the test is skipped with
 * the reason (a failure under VMUX_REQUIRE_WM=1), before anything is started.
 */
export async function clientInTmuxOrSkip(t: TestContext, version: string): Promise<InstalledClient | undefined> {
  if (skippedWithout(t, 'tmux')) return undefined;
  return clientOrSkip(t, version);
}
