import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceConfigHash } from './hash.ts';
import { memoryFs } from './io.ts';
import { loadProject } from './loader.ts';

const base = [
  'services:',
  '  web:',
  '    image: nginx',
  '    environment: {A: "1"}',
  '    ports: ["80:80"]',
  '  db:',
  '    image: postgres',
  '    environment: [POSTGRES_PASSWORD=x]',
].join('\n');

function hashes(text: string, env: Record<string, string> = {}): Record<string, string> {
  const { project } = loadProject({ cwd: '/p', environment: env }, memoryFs({ '/p/compose.yaml': text }));
  return Object.fromEntries(Object.entries(project.services).map(([n, s]) => [n, serviceConfigHash(s)]));
}

test('a change to one service\'s environment changes only its hash', () => {
  const before = hashes(base);
  const after = hashes(base.replace('A: "1"', 'A: "2"'));
  assert.notEqual(after.web, before.web);
  assert.equal(after.db, before.db);
});

test('the spelling does not matter, the configuration does', () => {
  const before = hashes(base);
  const respelled = hashes(base.replace('environment: {A: "1"}', 'environment: ["A=1"]').replace('ports: ["80:80"]', 'ports: [{target: 80, published: "80"}]'));
  assert.deepEqual(respelled, before);
  // A value from the environment counts as what it resolves to.
  assert.deepEqual(hashes(base.replace('A: "1"', 'A: "${VALUE}"'), { VALUE: '1' }), before);
});

test('what does not need a new container does not change the hash', () => {
  const before = hashes(base);
  const scaled = hashes(base.replace('    image: nginx', '    image: nginx\n    scale: 3\n    pull_policy: always\n    depends_on: [db]\n    profiles: [web]\n    x-note: 1\n    build: .'), { COMPOSE_PROFILES: 'web' });
  assert.equal(scaled.web, before.web);
  const changed = hashes(base.replace('    image: nginx', '    image: nginx\n    restart: always'));
  assert.notEqual(changed.web, before.web);
});
