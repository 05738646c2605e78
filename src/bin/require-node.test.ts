import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MINIMUM_NODE, nodeTooOld } from './require-node.js';

test('a Node older than 20.12 is told which Node vmux needs; 20.12 and newer run', () => {
  assert.equal(nodeTooOld('20.11.1', '/usr/bin/node'), 'vmux needs Node.js 20.12 or newer; this is Node 20.11.1 (/usr/bin/node). Install a newer Node and install vmux again with it.\n');
  assert.match(nodeTooOld('18.19.0') ?? '', /needs Node\.js 20\.12/);
  for (const version of ['20.12.0', '20.16.0', '21.0.0', '22.13.1', '24.1.0']) assert.equal(nodeTooOld(version), undefined, version);
  assert.equal(nodeTooOld(), undefined, 'the Node running the tests');
});

test('package.json asks npm for the same Node', () => {
  const manifest = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { engines: { node: string } };
  assert.equal(manifest.engines.node, `>=${MINIMUM_NODE}`);
});
