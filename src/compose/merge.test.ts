import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonical } from './canonical.ts';
import { applyResets, enforceUnicity, mergeYaml } from './merge.ts';
import type { Mapping } from './tree.ts';

/** What compose does with `-f base -f override`: merge, keep one entry per key, canonical form. */
function merge(base: Mapping, override: Mapping): Mapping {
  const merged = enforceUnicity(mergeYaml(structuredClone(base), structuredClone(override))) as Mapping;
  return enforceUnicity(canonical(merged, () => {})) as Mapping;
}

const web = (m: Mapping) => (m.services as Record<string, Mapping>).web;

test('scalars are replaced, mappings merged key by key', () => {
  const m = merge(
    { services: { web: { image: 'a', deploy: { replicas: 1, labels: ['x=1'] } } } },
    { services: { web: { image: 'b', deploy: { labels: { y: '2' } } } } },
  );
  assert.equal(web(m).image, 'b');
  assert.deepEqual(web(m).deploy, { replicas: 1, labels: ['x=1', 'y=2'] });
});

test('command and entrypoint and healthcheck.test are replaced whole', () => {
  const m = merge(
    { services: { web: { command: ['a', 'b'], entrypoint: 'sh', healthcheck: { test: ['CMD', 'a'], interval: '5s' } } } },
    { services: { web: { command: ['c'], healthcheck: { test: 'b' } } } },
  );
  assert.deepEqual(web(m).command, ['c']);
  assert.equal(web(m).entrypoint, 'sh');
  assert.deepEqual(web(m).healthcheck, { test: 'b', interval: '5s' });
});

test('environment, labels and sysctls merge across list and mapping spellings', () => {
  const m = merge(
    { services: { web: { environment: ['A=1', 'B=2', 'C'], labels: { l: 'x' } } } },
    { services: { web: { environment: { B: 'two', D: null }, labels: ['l=y', 'm=z'] } } },
  );
  assert.deepEqual(web(m).environment, ['A=1', 'B=two', 'C', 'D']);
  assert.deepEqual(web(m).labels, ['l=y', 'm=z']);
});

test('ports, volumes, secrets, expose and env_file keep one entry per key', () => {
  const m = merge(
    {
      services: {
        web: {
          ports: ['8080:80', '443:443'],
          volumes: ['data:/data', './a:/a'],
          secrets: ['s1', { source: 's2', target: '/etc/s2' }],
          expose: [80, '81'],
          env_file: ['a.env'],
          dns: '1.1.1.1',
        },
      },
    },
    {
      services: {
        web: {
          ports: ['8080:80', { target: 443, published: '8443' }],
          volumes: ['other:/data'],
          secrets: [{ source: 's1', mode: 0o400 }],
          expose: [80],
          env_file: [{ path: 'a.env', required: false }, 'b.env'],
          dns: ['8.8.8.8'],
        },
      },
    },
  );
  assert.deepEqual(
    (web(m).ports as Mapping[]).map((p) => `${p.published}:${p.target}`),
    ['8080:80', '443:443', '8443:443'],
  );
  assert.deepEqual((web(m).volumes as Mapping[]).map((v) => `${v.source}:${v.target}`), ['other:/data', './a:/a']);
  assert.deepEqual(web(m).secrets, [{ source: 's1', mode: 0o400 }, { source: 's2', target: '/etc/s2' }]);
  assert.deepEqual(web(m).expose, [80, '81']);
  assert.deepEqual(web(m).env_file, [{ path: 'a.env', required: false }, { path: 'b.env', required: true }]);
  assert.deepEqual(web(m).dns, ['1.1.1.1', '8.8.8.8']);
});

test('depends_on, networks and build merge after their short forms are expanded', () => {
  const m = merge(
    { services: { web: { depends_on: ['db'], networks: ['front'], build: '.' } } },
    { services: { web: { depends_on: { cache: { condition: 'service_healthy' } }, networks: { back: { aliases: ['b'] } }, build: { target: 'prod' } } } },
  );
  assert.deepEqual(web(m).depends_on, {
    db: { condition: 'service_started', required: true },
    cache: { condition: 'service_healthy', required: true },
  });
  assert.deepEqual(web(m).networks, { front: null, back: { aliases: ['b'] } });
  assert.deepEqual(web(m).build, { context: '.', target: 'prod' });
});

test('logging options merge only under the same driver', () => {
  const same = merge(
    { services: { web: { logging: { driver: 'json-file', options: { 'max-size': '1m' } } } } },
    { services: { web: { logging: { options: { 'max-file': '3' } } } } },
  );
  assert.deepEqual(web(same).logging, { driver: 'json-file', options: { 'max-size': '1m', 'max-file': '3' } });
  const other = merge(
    { services: { web: { logging: { driver: 'json-file', options: { 'max-size': '1m' } } } } },
    { services: { web: { logging: { driver: 'syslog' } } } },
  );
  assert.deepEqual(web(other).logging, { driver: 'syslog' });
});

test('extra_hosts keep the first spelling of a duplicate', () => {
  const m = merge({ services: { web: { extra_hosts: ['a=1.1.1.1'] } } }, { services: { web: { extra_hosts: { a: '1.1.1.1', b: '2.2.2.2' } } } });
  assert.deepEqual(web(m).extra_hosts, ['a=1.1.1.1', 'b=2.2.2.2']);
});

test('ipam config merges by subnet', () => {
  const m = merge(
    { networks: { n: { ipam: { config: [{ subnet: '10.0.0.0/24', gateway: '10.0.0.1' }] } } } },
    { networks: { n: { ipam: { config: [{ subnet: '10.0.0.0/24', ip_range: '10.0.0.128/25' }, { subnet: '10.1.0.0/24' }] } } } },
  );
  assert.deepEqual((m.networks as Record<string, Mapping>).n.ipam, {
    config: [{ subnet: '10.0.0.0/24', gateway: '10.0.0.1', ip_range: '10.0.0.128/25' }, { subnet: '10.1.0.0/24' }],
  });
});

test('a mismatched override is an error', () => {
  assert.throws(() => mergeYaml({ services: { web: { deploy: {} } } }, { services: { web: { deploy: 'x' } } }), /cannot override services.web.deploy/);
});

test('!reset and !override paths empty what the files before defined', () => {
  const base = { services: { web: { ports: ['80:80'], environment: { A: '1' }, image: 'x' } } };
  applyResets(base, [['services', 'web', 'ports'], ['services', 'web', 'environment']]);
  assert.deepEqual(base, { services: { web: { image: 'x' } } });
});
