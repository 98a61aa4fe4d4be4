// Holds Berth's statement of the Compose Specification (compose-schema.ts) to the specification's
// published JSON Schema, read in place from the shared reference folder: the same key paths, and
// the same verdict (valid/invalid) on a corpus generated for every path of the reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { referenceDir } from '../../test/helpers/reference.ts';
import { composeSchema } from './compose-schema.ts';
import { declaredPaths, validateSchema } from './schema.ts';

type J = Record<string, unknown>;
const referencePath = join(referenceDir(), 'compose-spec.schema.json');
const reference = JSON.parse(readFileSync(referencePath, 'utf8')) as J;
const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: false });
const referenceValidate = ajv.compile(reference);

function deref(s: unknown): J {
  let cur = s as J;
  for (let i = 0; i < 20 && typeof cur?.$ref === 'string'; i++) {
    const parts = (cur.$ref as string).replace(/^#\//, '').split('/');
    cur = parts.reduce<J>((o, p) => o[p] as J, reference);
  }
  return cur ?? {};
}

function branches(s: unknown): J[] {
  const d = deref(s);
  const alts = (d.oneOf ?? d.anyOf) as unknown[] | undefined;
  return alts ? alts.flatMap(branches) : [d];
}

function referencePaths(): Set<string> {
  const out = new Set<string>();
  const walk = (s: unknown, prefix: string[], seen: J[]) => {
    for (const b of branches(s)) {
      if (seen.includes(b)) continue;
      const next = [...seen, b];
      for (const [k, v] of Object.entries((b.properties as J | undefined) ?? {})) {
        out.add([...prefix, k].join('.'));
        walk(v, [...prefix, k], next);
      }
      for (const [re, v] of Object.entries((b.patternProperties as J | undefined) ?? {})) {
        if (re === '^x-') continue;
        walk(v, [...prefix, '*'], next);
      }
      if (typeof b.additionalProperties === 'object') walk(b.additionalProperties, [...prefix, '*'], next);
      if (b.items && typeof b.items === 'object') walk(b.items, [...prefix, '[]'], next);
    }
  };
  walk(reference, [], []);
  return out;
}

test('every key path of the specification is declared, and no other', () => {
  const ref = referencePaths();
  const ours = declaredPaths(composeSchema);
  const missing = [...ref].filter((p) => !ours.has(p)).sort();
  const extra = [...ours].filter((p) => !ref.has(p)).sort();
  assert.deepEqual(missing, [], `paths of the specification missing from compose-schema.ts: ${missing.join(', ')}`);
  assert.deepEqual(extra, [], `paths compose-schema.ts declares that the specification does not: ${extra.join(', ')}`);
  assert.ok(ref.size > 300, `the reference has ${ref.size} paths`);
});

// --- a corpus generated from the reference: every path, every kind of value -----------------

function sampleKey(pattern: string): string {
  const re = new RegExp(pattern, 'u');
  return ['k', 'a', 'x1', 'key'].find((k) => re.test(k)) ?? 'k';
}

function minimal(s: unknown, depth = 0): unknown {
  for (const b of branches(s)) {
    const types = (Array.isArray(b.type) ? b.type : b.type ? [b.type] : ['object']) as string[];
    const t = types[0];
    let v: unknown;
    if (b.enum) v = (b.enum as unknown[])[0];
    else if (t === 'string') v = b.pattern ? ['always', 'ab'].find((x) => new RegExp(b.pattern as string, 'u').test(x)) : 'x';
    else if (t === 'integer' || t === 'number') v = typeof b.minimum === 'number' ? b.minimum : 1;
    else if (t === 'boolean') v = true;
    else if (t === 'null') v = null;
    else if (t === 'array') v = [];
    else {
      const o: J = {};
      if (depth < 5) for (const r of (b.required as string[] | undefined) ?? []) o[r] = minimal((b.properties as J)[r], depth + 1);
      v = o;
    }
    return v;
  }
  return {};
}

function instanceAt(s: unknown, segs: string[], value: unknown): unknown {
  if (segs.length === 0) return value;
  const [seg, ...rest] = segs;
  for (const b of branches(s)) {
    if (seg === '[]') {
      if (b.items && typeof b.items === 'object') return [instanceAt(b.items, rest, value)];
      continue;
    }
    let child: unknown;
    let key = seg;
    if (seg === '*') {
      const pattern = Object.keys((b.patternProperties as J | undefined) ?? {}).find((p) => p !== '^x-');
      if (pattern) {
        child = (b.patternProperties as J)[pattern];
        key = sampleKey(pattern);
      } else if (typeof b.additionalProperties === 'object') child = b.additionalProperties;
    } else child = (b.properties as J | undefined)?.[seg];
    if (child === undefined) continue;
    const o: J = { [key]: instanceAt(child, rest, value) };
    for (const r of (b.required as string[] | undefined) ?? []) if (!(r in o)) o[r] = minimal((b.properties as J)[r]);
    return o;
  }
  throw new Error(`no branch for ${seg}`);
}

const candidates: unknown[] = [
  'x',
  '${X}',
  '',
  'all',
  'always',
  'host',
  0,
  1,
  -1,
  1.5,
  101,
  -1001,
  true,
  false,
  null,
  [],
  ['a'],
  ['a', 'a'],
  [1],
  [true],
  [{}],
  [{ k: 'v' }],
  {},
  { k: 'v' },
  { k: null },
  { k: 1 },
  { k: [1] },
  { k: {} },
  { 'x-a': 1 },
  { foo: {} },
  { '': 'v' },
  { NOFILE: 1 },
];

test('Berth and the specification agree on a corpus generated for every path', () => {
  let checked = 0;
  const disagreements: string[] = [];
  for (const path of [...referencePaths(), '', 'services.*']) {
    const segs = path === '' ? [] : path.split('.');
    for (const value of candidates) {
      const doc = instanceAt(reference, segs, value);
      const theirs = referenceValidate(doc) as boolean;
      const ours = validateSchema(composeSchema, doc) === undefined;
      checked++;
      if (theirs !== ours) disagreements.push(`${path || '(root)'} = ${JSON.stringify(value)}: specification ${theirs ? 'valid' : 'invalid'}, Berth ${ours ? 'valid' : 'invalid'}`);
    }
  }
  assert.deepEqual(disagreements.slice(0, 20), []);
  assert.ok(checked > 10000, `${checked} documents checked`);
});

test('Berth and the specification agree on hand-written documents', () => {
  const docs: unknown[] = [
    { services: { web: { image: 'nginx', ports: ['80:80', 8080, { target: 80, published: '8080' }] } } },
    { services: { web: { image: 'nginx', ports: [true] } } },
    { services: { web: { image: 'nginx', foo: 1 } } },
    { services: { 'we b': { image: 'nginx' } } },
    { services: { web: { build: { context: '.', foo: 1 } } } },
    { services: { web: { depends_on: { db: { restart: true } } } } },
    { services: { web: { depends_on: { db: { condition: 'service_healthy', required: false } } } } },
    { services: { web: { depends_on: ['db', 'db'] } } },
    { services: { web: { container_name: '-' } } },
    { services: { web: { container_name: 'x-ab' } } },
    { services: { web: { pull_policy: 'sometimes' } } },
    { services: { web: { pull_policy: 'every_12h' } } },
    { services: { web: { cpu_percent: 101 } } },
    { services: { web: { oom_score_adj: -1001 } } },
    { services: { web: { ulimits: { nofile: { soft: 1 } } } } },
    { services: { web: { ulimits: { NOFILE: 'anything' } } } },
    { services: { web: { volumes: [{ source: 'x', target: '/x' }] } } },
    { services: { web: { volumes: [{ type: 'volume', source: 'x', target: '/x', volume: { nocopy: true } }] } } },
    { services: { web: { networks: { front: { aliases: ['a'] }, back: null } } } },
    { services: { web: { environment: { A: 1, B: null, C: true } } } },
    { services: { web: { environment: { A: [1] } } } },
    { networks: { 'a b': { driver: 'bridge' } } },
    { volumes: { 'a b': {} } },
    { secrets: { s: null } },
    { secrets: { s: { external: { name: 'x', other: 1 } } } },
    { networks: { n: { external: { name: 'x', other: 1 } } } },
    { version: 3 },
    { version: '3', name: 'x', 'x-common': { anything: [1] } },
    { include: ['a.yaml', { path: ['b.yaml'], env_file: 'e', project_directory: '.' }] },
    { include: [{ path: 'a', other: 1 }] },
    { models: { m: { model: 'ai/x', context_size: 10 } } },
    { services: { web: { gpus: 'all' } } },
    { services: { web: { gpus: [{ count: 1, anything: true }] } } },
  ];
  for (const doc of docs) {
    const theirs = referenceValidate(doc) as boolean;
    const ours = validateSchema(composeSchema, doc) === undefined;
    assert.equal(ours, theirs, `${JSON.stringify(doc)}: specification ${theirs ? 'valid' : 'invalid'}`);
  }
});

test('errors name the path and the problem in compose v2 words', () => {
  const message = (doc: unknown) => {
    const err = validateSchema(composeSchema, doc);
    assert.ok(err, `${JSON.stringify(doc)} should be invalid`);
    return `${err.path.length === 0 ? '(root)' : err.path.join('.')} ${err.message}`;
  };
  assert.equal(message({ services: { web: { image: 'nginx', foo: 1 } } }), 'services.web Additional property foo is not allowed');
  assert.equal(message({ servics: {} }), '(root) Additional property servics is not allowed');
  assert.equal(message({ services: { web: { ports: [true] } } }), 'services.web.ports.0 must be a number, string or mapping');
  assert.equal(message({ services: { web: { image: 1 } } }), 'services.web.image must be a string');
  assert.equal(message({ services: { web: { environment: 'A=1' } } }), 'services.web.environment must be a mapping or list');
  assert.equal(message({ services: { web: { extends: {} } } }), 'services.web.extends service is required');
  assert.equal(message({ services: { web: { cgroup: 'x' } } }), 'services.web.cgroup must be one of the following: "host", "private"');
  assert.equal(message({ services: { web: { cpu_percent: 101 } } }), 'services.web.cpu_percent Must be less than or equal to 100');
  assert.equal(message({ services: { web: { ports: ['80', '80'] } } }), 'services.web.ports array items[0,1] must be unique');
  assert.equal(message({ services: { web: { depends_on: { db: { condition: 'service_done' } } } } }), 'services.web.depends_on.db.condition must be one of the following: "service_started", "service_healthy", "service_completed_successfully"');
  assert.equal(message({ services: { web: { volumes: [{ type: 'volume', source: 'a', target: '/a', bogus: 1 }] } } }), 'services.web.volumes.0 Additional property bogus is not allowed');
});
