import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { encodePath, MAX_ENCODED_PATH_LENGTH } from './encode-path.js';
import { isSessionId, ProjectFolders, ProjectFoldersMemory } from './project-folders.js';

const ID = 'aaaaaaaa-0000-4000-8000-000000000001';

/** `projects/<folder>/<id>.jsonl` under a fresh Claude config dir; returns the transcript's path. */
function writeTranscript(projects: string, folder: string, id = ID): string {
  mkdirSync(join(projects, folder), { recursive: true });
  const path = join(projects, folder, `${id}.jsonl`);
  writeFileSync(path, '{}\n');
  return path;
}

/** Sets a folder's modification time, so a test never depends on two changes falling in different clock ticks. */
function setModified(path: string, epochSeconds: number): void {
  utimesSync(path, epochSeconds, epochSeconds);
}

test('session ids are UUIDs or other plain names, never paths', () => {
  assert.ok(isSessionId(ID));
  assert.ok(isSessionId('agent_1-b'));
  for (const bad of ['', '..', '../../etc/passwd', 'a/b', 'a.b', `${ID}\n`, 'x'.repeat(129), '~root']) assert.ok(!isSessionId(bad), bad);
});

test('an id that is not a session id is never turned into a path, even where such a file exists', () => {
  const claudeDir = tempDir();
  const projects = join(claudeDir, 'projects');
  mkdirSync(join(projects, encodePath('/work/app')), { recursive: true });
  // `projects/-work-app/../../outside.jsonl` is `<claudeDir>/outside.jsonl`.
  writeFileSync(join(claudeDir, 'outside.jsonl'), '{}\n');
  const folders = new ProjectFolders(projects);
  assert.equal(folders.findTranscript({ sessionId: '../../outside', cwds: ['/work/app'] }), undefined);
  assert.equal(folders.findTranscript({ sessionId: '../../outside', cwds: ['/work/app'], elsewhere: () => ({ stamp: '' }) }), undefined);
  assert.equal(folders.findTranscript({ sessionId: '../outside', cwds: [''], elsewhere: () => ({ stamp: '' }) }), undefined);
});

test('the transcript is found in the folder of any of the cwds', () => {
  const projects = join(tempDir(), 'projects');
  const path = writeTranscript(projects, encodePath('/work/recorded'));
  const folders = new ProjectFolders(projects);
  assert.equal(folders.findTranscript({ sessionId: ID, cwds: [undefined, '/work/elsewhere', '/work/recorded'] }), path);
});

test('a cwd recorded through a symbolic link finds the folder named after its real path', () => {
  const root = tempDir();
  const real = join(root, 'real-project');
  const link = join(root, 'link-to-project');
  mkdirSync(real);
  symlinkSync(real, link);
  const projects = join(root, 'claude', 'projects');
  const path = writeTranscript(projects, encodePath(real));
  assert.equal(new ProjectFolders(projects).findTranscript({ sessionId: ID, cwds: [link] }), path);
});

test('a long cwd finds its hashed folder, and the folder an older version named with another hash', () => {
  const long = `/work/${'deep/'.repeat(50)}project`;
  assert.ok(encodePath(long).length > MAX_ENCODED_PATH_LENGTH);
  const projects = join(tempDir(), 'projects');
  const current = writeTranscript(projects, encodePath(long));
  const older = writeTranscript(projects, `${encodePath(long).slice(0, MAX_ENCODED_PATH_LENGTH)}-0ld0hash`, 'bbbbbbbb-0000-4000-8000-000000000002');
  const folders = new ProjectFolders(projects);
  assert.equal(folders.findTranscript({ sessionId: ID, cwds: [long] }), current);
  assert.equal(folders.findTranscript({ sessionId: 'bbbbbbbb-0000-4000-8000-000000000002', cwds: [long] }), older);
  assert.deepEqual(folders.transcriptsOf(long).map((t) => t.path).sort(), [current, older].sort());
});

test('other project folders are searched only when the query says the transcript may be there', () => {
  const projects = join(tempDir(), 'projects');
  const path = writeTranscript(projects, encodePath('/work/resumed-from'));
  mkdirSync(join(projects, encodePath('/work/now')));
  const folders = new ProjectFolders(projects);
  assert.equal(folders.findTranscript({ sessionId: ID, cwds: ['/work/now'] }), undefined);
  assert.equal(folders.findTranscript({ sessionId: ID, cwds: ['/work/now'], elsewhere: () => ({ stamp: 'resumed' }) }), path);
});

test("a daemon's memory repeats a search through every folder only when its stamp or projects/ changed", () => {
  const projects = join(tempDir(), 'projects');
  mkdirSync(join(projects, encodePath('/work/other')), { recursive: true });
  setModified(projects, 1_000_000);
  const memory = new ProjectFoldersMemory(() => Date.now());
  const scan = (stamp: string) => {
    const folders = new ProjectFolders(projects, memory);
    const found = folders.findTranscript({ sessionId: ID, cwds: ['/work/now'], elsewhere: () => ({ stamp }) });
    folders.finish();
    return found;
  };
  assert.equal(scan('first'), undefined);
  // Written into a folder that existed: projects/ itself does not change.
  const path = writeTranscript(projects, encodePath('/work/other'));
  assert.equal(scan('first'), undefined, 'the search that found nothing is remembered');
  assert.equal(scan('second'), path, 'a new stamp searches again');

  mkdirSync(join(projects, encodePath('/work/new-folder')));
  setModified(projects, 1_000_100);
  rmSync(path);
  const moved = writeTranscript(projects, encodePath('/work/new-folder'));
  assert.equal(scan('second'), moved, 'a change of projects/ searches again');
});

test('a transcript a search found is looked for again once it is gone', () => {
  const projects = join(tempDir(), 'projects');
  const first = writeTranscript(projects, encodePath('/work/one'));
  mkdirSync(join(projects, encodePath('/work/two')));
  setModified(projects, 1_000_000);
  const memory = new ProjectFoldersMemory(() => Date.now());
  const scan = () => {
    const folders = new ProjectFolders(projects, memory);
    const found = folders.findTranscript({ sessionId: ID, cwds: ['/work/now'], elsewhere: () => ({ stamp: 's' }) });
    folders.finish();
    return found;
  };
  assert.equal(scan(), first);
  rmSync(first);
  const second = writeTranscript(projects, encodePath('/work/two'));
  assert.equal(scan(), second);
});

test('a memory forgets the sessions a scan did not ask about', () => {
  const projects = join(tempDir(), 'projects');
  mkdirSync(join(projects, encodePath('/work/other')), { recursive: true });
  setModified(projects, 1_000_000);
  const memory = new ProjectFoldersMemory(() => Date.now());
  const scan = (ask: boolean) => {
    const folders = new ProjectFolders(projects, memory);
    const found = ask ? folders.findTranscript({ sessionId: ID, cwds: ['/work/now'], elsewhere: () => ({ stamp: 's' }) }) : undefined;
    folders.finish();
    return found;
  };
  assert.equal(scan(true), undefined);
  const path = writeTranscript(projects, encodePath('/work/other'));
  setModified(projects, 1_000_000);
  scan(false);
  assert.equal(scan(true), path, 'forgotten, so searched again');
});

test('a listing of projects/ is kept only once the folder has not changed for a while', () => {
  const projects = join(tempDir(), 'projects');
  const long = `/work/${'deep/'.repeat(50)}project`;
  const prefix = encodePath(long).slice(0, MAX_ENCODED_PATH_LENGTH);
  writeTranscript(projects, `${prefix}-first`);
  let now = 2_000_000_000;
  const memory = new ProjectFoldersMemory(() => now);
  const count = () => {
    const folders = new ProjectFolders(projects, memory);
    const n = folders.transcriptsOf(long).length;
    folders.finish();
    return n;
  };
  // projects/ was changed "just now": a folder made in the same tick would not change its time.
  setModified(projects, now / 1000);
  assert.equal(count(), 1);
  writeTranscript(projects, `${prefix}-second`, 'bbbbbbbb-0000-4000-8000-000000000002');
  setModified(projects, now / 1000);
  assert.equal(count(), 2, 'a listing taken as projects/ changed is read again');
  now += 5_000;
  assert.equal(count(), 2);
  writeTranscript(projects, `${prefix}-third`, 'cccccccc-0000-4000-8000-000000000003');
  setModified(projects, now / 1000 - 5);
  assert.equal(count(), 2, 'kept while projects/ keeps its time');
  setModified(projects, now / 1000 - 4);
  assert.equal(count(), 3);
});

test("with a daemon's memory, a project folder is listed again when it changed, or changed as it was listed", () => {
  const projects = join(tempDir(), 'projects');
  const folder = join(projects, encodePath('/work/old-client'));
  writeTranscript(projects, encodePath('/work/old-client'));
  let now = 3_000_000_000;
  const memory = new ProjectFoldersMemory(() => now);
  const count = () => {
    const folders = new ProjectFolders(projects, memory);
    const n = folders.transcriptsOf('/work/old-client').length;
    folders.finish();
    return n;
  };
  setModified(folder, now / 1000 - 10);
  assert.equal(count(), 1);
  writeTranscript(projects, encodePath('/work/old-client'), 'bbbbbbbb-0000-4000-8000-000000000002');
  setModified(folder, now / 1000 - 5);
  assert.equal(count(), 2, 'the folder changed');
  // Listed in the tick it changed in: a file added in that same tick would leave its time as it was.
  setModified(folder, now / 1000);
  assert.equal(count(), 2);
  writeTranscript(projects, encodePath('/work/old-client'), 'cccccccc-0000-4000-8000-000000000003');
  setModified(folder, now / 1000);
  assert.equal(count(), 3, 'listed again, since it was listed as it changed');
  now += 5_000;
  assert.equal(count(), 3);
});
