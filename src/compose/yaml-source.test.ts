import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseComposeYaml } from './yaml-source.ts';

const one = (text: string) => {
  const docs = parseComposeYaml(text, 'compose.yaml');
  assert.equal(docs.length, 1);
  return docs[0];
};

test('anchors, aliases and merge keys', () => {
  const doc = one(`
x-common: &common
  image: busybox
  environment:
    A: "1"
x-more: &more
  restart: always
  image: ignored
services:
  a:
    <<: *common
    command: echo a
  b:
    <<: [*common, *more]
    image: explicit
    environment: *common
`);
  const services = doc.value.services as Record<string, Record<string, unknown>>;
  assert.deepEqual(services.a, { command: 'echo a', image: 'busybox', environment: { A: '1' } });
  // An explicit key wins over every merged mapping; among merged ones the first wins.
  assert.equal(services.b.image, 'explicit');
  assert.equal(services.b.restart, 'always');
  assert.deepEqual(services.b.environment, { image: 'busybox', environment: { A: '1' } });
});

test('the YAML 1.2 core schema, with go-yaml\'s octal integers', () => {
  const doc = one('a: yes\nb: 0440\nc: "0440"\nd: 0o17\ne: ~\nf: 1.5\ng: true\n');
  assert.deepEqual(doc.value, { a: 'yes', b: 288, c: '0440', d: 15, e: null, f: 1.5, g: true });
});

test('!reset and !override are recorded with their paths and !reset drops the value', () => {
  const doc = one('services:\n  web:\n    ports: !reset []\n    environment: !override\n      A: b\n    image: !reset null\n');
  assert.deepEqual(doc.value, { services: { web: { environment: { A: 'b' } } } });
  assert.deepEqual(doc.resets, [['services', 'web', 'ports'], ['services', 'web', 'image']]);
  assert.deepEqual(doc.overrides, [['services', 'web', 'environment']]);
});

test('several documents, and an empty file', () => {
  assert.equal(parseComposeYaml('services: {}\n---\nvolumes: {}\n', 'f').length, 2);
  assert.equal(parseComposeYaml('', 'f').length, 0);
  assert.equal(parseComposeYaml('# only a comment\n', 'f').length, 0);
});

test('errors name the file and the line', () => {
  assert.throws(() => parseComposeYaml('services:\n  a: 1\n  a: 2\n', '/p/compose.yaml'), /failed to parse \/p\/compose.yaml: line 3: Map keys must be unique/);
  assert.throws(() => parseComposeYaml('services:\n  web: [\n', '/p/compose.yaml'), /failed to parse \/p\/compose.yaml: line \d+:/);
  assert.throws(() => parseComposeYaml('- a\n- b\n', 'c.yaml'), /top-level object must be a mapping/);
  assert.throws(() => parseComposeYaml('services:\n  1: {}\n', 'c.yaml'), /non-string key in services: 1/);
  assert.throws(() => parseComposeYaml('a: *nope\n', 'c.yaml'), /failed to parse c.yaml/);
});

test('alias expansion is bounded (billion laughs)', () => {
  let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 8; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
  assert.throws(() => parseComposeYaml(text, 'bomb.yaml'), /exceeds maximum node visit limit/);
});
