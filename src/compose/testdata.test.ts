// The compose files of the seeds (the users' own examples, reproduced under testdata/) load,
// validate against the specification and plan as compose would run them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { referenceDir } from '../../test/helpers/reference.ts';
import YAML from 'yaml';
import { nodeFs } from './io.ts';
import { loadProject } from './loader.ts';
import { describePlan, planUp } from './planner.ts';

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));
const reference = JSON.parse(readFileSync(join(referenceDir(), 'compose-spec.schema.json'), 'utf8')) as object;
const specValidate = new Ajv({ strict: false, validateSchema: false }).compile(reference);
const load = (dir: string) => loadProject({ cwd: `${testdata}${dir}`, environment: { HOME: '/root' } }, nodeFs);

test('every fixture is a valid compose file for the specification and for Berth', () => {
  const dirs = readdirSync(testdata);
  assert.ok(dirs.length >= 3);
  for (const dir of dirs) {
    const file = readdirSync(`${testdata}${dir}`).find((f) => /^(docker-)?compose\.ya?ml$/.test(f));
    assert.ok(file, `${dir} has a compose file`);
    const doc = YAML.parse(readFileSync(`${testdata}${dir}/${file}`, 'utf8'), { merge: true }) as unknown;
    assert.equal(specValidate(doc), true, `${dir}: ${JSON.stringify(specValidate.errors)}`);
    const { warnings } = load(dir);
    assert.match(warnings.join('\n'), /the attribute `version` is obsolete/);
  }
});

test('seed: the SDN controller and redis (container_name, ports, environment, depends_on, bind volumes, restart, command)', () => {
  const { project } = load('seed-sdn-controller');
  const dir = `${testdata}seed-sdn-controller`;
  assert.equal(project.name, 'seed-sdn-controller');
  const sdn = project.services['sdn-controller'];
  const redis = project.services.redis;
  assert.equal(sdn.container_name, 'sdn-controller');
  assert.deepEqual(sdn.environment, { REDIS_HOST: 'redis', REDIS_PORT: '6379', TZ: 'Asia/Shanghai', LANG: 'en_US.UTF-8' });
  assert.deepEqual(sdn.depends_on, { redis: { condition: 'service_started', restart: false, required: true } });
  assert.deepEqual(sdn.volumes?.map((v) => `${v.type}:${v.source}:${v.target}`), [`bind:${dir}/conf/ryu_app.list:/opt/ryu/ryu_app.list`, `bind:${dir}/log:/opt/ryu/log`]);
  assert.equal(redis.restart, 'always');
  assert.deepEqual(redis.command, ['redis-server', '/usr/local/redis/redis.conf']);
  const plan = planUp(project, { containers: [], networks: [], volumes: [], images: {} });
  assert.equal(
    describePlan(plan),
    [
      '#1 [] pull-image redis:5.0.12',
      '#2 [] pull-image sdn-controller:latest',
      '#3 [] create-network seed-sdn-controller_default (not found)',
      '#4 [1,3] create-container redis (no existing container)',
      '#5 [2,3,4] create-container sdn-controller (no existing container)',
      '#6 [4] start-container #4 (created)',
      '#7 [4,5,6] start-container #5 (created)',
    ].join('\n'),
  );
  const redisCreate = plan.actions[3];
  assert.equal(redisCreate.kind, 'create-container');
  if (redisCreate.kind === 'create-container') {
    assert.deepEqual(redisCreate.request.body.HostConfig.RestartPolicy, { Name: 'always', MaximumRetryCount: 0 });
    assert.deepEqual(redisCreate.request.body.HostConfig.PortBindings, { '6379/tcp': [{ HostIp: '', HostPort: '6379' }] });
  }
});

test('seed: the private registry and its UI (list environment, absolute binds)', () => {
  const { project } = load('seed-registry-ui');
  assert.deepEqual(Object.keys(project.services).sort(), ['registry', 'ui']);
  assert.deepEqual(project.services.ui.environment, {
    REGISTRY_TITLE: 'My Private Docker Registry',
    REGISTRY_URL: 'http://192.168.80.250:5000',
    SINGLE_REGISTRY: 'true',
  });
  assert.deepEqual(project.services.registry.volumes?.map((v) => v.source), ['/opt/registry', '/etc/docker/registry/config.yml']);
});

test('an app with build, redis and links', () => {
  const { project } = load('app-build-redis-links');
  const web = project.services.web;
  assert.equal(web.build?.context, `${testdata}app-build-redis-links`);
  assert.equal(web.build?.dockerfile, 'Dockerfile');
  assert.deepEqual(web.links, ['redis']);
  assert.deepEqual(web.depends_on, { redis: { condition: 'service_started', restart: true, required: true } });
  const plan = planUp(project, { containers: [], networks: [], volumes: [], images: {} });
  const create = plan.actions.find((a) => a.kind === 'create-container' && a.service === 'web');
  assert.ok(create && create.kind === 'create-container');
  assert.equal(create.request.body.Image, 'app-build-redis-links-web');
  assert.deepEqual(create.request.body.HostConfig.Links, [
    'app-build-redis-links-redis-1:redis',
    'app-build-redis-links-redis-1:redis-1',
    'app-build-redis-links-redis-1:app-build-redis-links-redis-1',
  ]);
});
