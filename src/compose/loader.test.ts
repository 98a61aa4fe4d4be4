import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFs } from './io.ts';
import { loadProject, normalizeProjectName, selectServices, type LoadOptions } from './loader.ts';

const load = (files: Record<string, string>, options: Partial<LoadOptions> = {}) =>
  loadProject({ cwd: '/p', environment: {}, ...options }, memoryFs(files, { home: '/home/u' }));

const simple = 'services:\n  web:\n    image: nginx\n';

test('compose.yaml and friends are found from the current directory upwards, with the override file', () => {
  const r = load({ '/p/compose.yaml': simple, '/p/compose.override.yml': 'services:\n  web:\n    environment: [A=1]\n' }, { cwd: '/p/sub/dir' });
  assert.deepEqual(r.project.composeFiles, ['/p/compose.yaml', '/p/compose.override.yml']);
  assert.equal(r.project.workingDir, '/p');
  assert.equal(r.project.name, 'p');
  assert.deepEqual(r.project.services.web.environment, { A: '1' });
  const both = load({ '/p/compose.yaml': simple, '/p/docker-compose.yml': simple });
  assert.deepEqual(both.project.composeFiles, ['/p/compose.yaml']);
  assert.match(both.warnings.join('\n'), /Found multiple config files with supported names: \/p\/compose.yaml, \/p\/docker-compose.yml/);
  assert.deepEqual(load({ '/p/docker-compose.yaml': simple }).project.composeFiles, ['/p/docker-compose.yaml']);
  assert.throws(() => load({ '/q/compose.yaml': simple }), /no configuration file provided: not found/);
});

test('-f repeated merges in order; -f - reads standard input; COMPOSE_FILE with its separator', () => {
  const files = { '/p/a.yaml': 'services:\n  web:\n    image: a\n    ports: ["80:80"]\n', '/p/b.yaml': 'services:\n  web:\n    image: b\n    ports: ["81:81"]\n' };
  const r = load(files, { files: ['a.yaml', 'b.yaml'] });
  assert.equal(r.project.services.web.image, 'b');
  assert.deepEqual(r.project.services.web.ports?.map((p) => p.target), [80, 81]);
  const stdin = load(files, { files: ['a.yaml', '-'], stdin: () => 'services:\n  web:\n    image: from-stdin\n' });
  assert.equal(stdin.project.services.web.image, 'from-stdin');
  assert.deepEqual(stdin.project.composeFiles, ['/p/a.yaml', '-']);
  const env = load(files, { environment: { COMPOSE_FILE: 'a.yaml;b.yaml', COMPOSE_PATH_SEPARATOR: ';' } });
  assert.deepEqual(env.project.composeFiles, ['/p/a.yaml', '/p/b.yaml']);
  assert.throws(() => load(files, { environment: { COMPOSE_FILE: 'a.yaml:nope.yaml' } }), /stat \/p\/nope.yaml: no such file or directory/);
  assert.throws(() => load(files, { files: ['nope.yaml'] }), /open \/p\/nope.yaml: no such file or directory/);
});

test('project name: -p, COMPOSE_PROJECT_NAME, name:, then the directory, normalized', () => {
  assert.equal(normalizeProjectName('My_App.v2 (test)'), 'my_appv2test');
  assert.equal(normalizeProjectName('--x'), 'x');
  const files = { '/work/My Project/compose.yaml': `name: \${NAME:-From_File}\n${simple}` };
  assert.equal(load(files, { cwd: '/work/My Project' }).project.name, 'from_file');
  assert.equal(load(files, { cwd: '/work/My Project', environment: { NAME: 'Other' } }).project.name, 'other');
  assert.equal(load(files, { cwd: '/work/My Project', projectName: 'given' }).project.name, 'given');
  assert.equal(load(files, { cwd: '/work/My Project', environment: { COMPOSE_PROJECT_NAME: 'envname' } }).project.name, 'envname');
  assert.equal(load({ '/work/My Project/compose.yaml': simple }, { cwd: '/work/My Project' }).project.name, 'myproject');
  assert.throws(
    () => load(files, { cwd: '/work/My Project', projectName: 'Bad Name' }),
    /^InvalidArgument: invalid project name "Bad Name": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number$/,
  );
  assert.throws(() => load(files, { cwd: '/work/My Project', environment: { COMPOSE_PROJECT_NAME: '_x' } }), /invalid project name "_x"/);
  assert.throws(() => load({ '/_/compose.yaml': simple }, { cwd: '/_' }), /project name must not be empty/);
});

test('.env: the shell wins over .env; --env-file replaces .env; COMPOSE_* variables may come from it', () => {
  const files = {
    '/p/.env': 'TAG=from-dotenv\nPORT=80\nCOMPOSE_PROJECT_NAME=dotenvname\n',
    '/p/other.env': 'TAG=from-other\n',
    '/p/compose.yaml': 'services:\n  web:\n    image: nginx:${TAG}\n    ports: ["${PORT:-1}:80"]\n',
  };
  const r = load(files, { environment: { TAG: 'from-shell' } });
  assert.equal(r.project.services.web.image, 'nginx:from-shell');
  assert.equal(r.project.services.web.ports?.[0].published, '80');
  assert.equal(r.project.name, 'dotenvname');
  assert.equal(r.project.environment.TAG, 'from-shell');
  const other = load(files, { envFiles: ['other.env'] });
  assert.equal(other.project.services.web.image, 'nginx:from-other');
  assert.equal(other.project.services.web.ports?.[0].published, '1');
  assert.deepEqual(other.project.envFiles, ['/p/other.env']);
  assert.equal(load(files, { environment: { COMPOSE_DISABLE_ENV_FILE: 'true', TAG: 't' } }).project.name, 'p');
  assert.throws(() => load(files, { envFiles: ['missing.env'] }), /couldn't find env file: \/p\/missing.env/);
});

test('interpolation errors and warnings', () => {
  const r = load({ '/p/compose.yaml': 'services:\n  web:\n    image: nginx:$UNSET_TAG\n' });
  assert.deepEqual(r.warnings, ['The "UNSET_TAG" variable is not set. Defaulting to a blank string.']);
  assert.throws(
    () => load({ '/p/compose.yaml': 'services:\n  web:\n    image: ${IMAGE:?set IMAGE}\n' }),
    /error while interpolating services.web.image: required variable IMAGE is missing a value: set IMAGE/,
  );
});

test('version: accepted and ignored, with compose v2\'s warning', () => {
  const r = load({ '/p/compose.yaml': `version: "3.8"\n${simple}` });
  assert.deepEqual(r.warnings, ['/p/compose.yaml: the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion']);
  assert.equal('version' in r.model, false);
});

test('validation errors name the file, the path and the problem', () => {
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  web:\n    image: nginx\n    foo: 1\n' }), /^InvalidArgument: validating \/p\/compose.yaml: services.web Additional property foo is not allowed$/);
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  web:\n    image: nginx\n    ports: [[1]]\n' }), /validating \/p\/compose.yaml: services.web.ports.0 must be a number, string or mapping/);
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  web:\n    ports: ["80:80"]\n' }), /service "web" has neither an image nor a build context specified: invalid compose project/);
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  web:\n    image: x\n    networks: [nope]\n' }), /service "web" refers to undefined network nope: invalid compose project/);
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  web:\n    image: x\n    volumes: ["data:/data"]\n' }), /service "web" refers to undefined volume data: invalid compose project/);
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  web:\n    image: x\n    depends_on: [db]\n' }), /service "web" depends on undefined service "db": invalid compose project/);
  assert.throws(() => load({ '/p/compose.yaml': '' }), /empty compose file/);
  assert.throws(() => load({ '/p/compose.yaml': 'volumes:\n  v:\n    external: true\n    driver: local\n' }), /volumes.v: conflicting parameters "external" and "driver" specified/);
});

test('a dependency cycle is an error', () => {
  const cycle = 'services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [c]\n  c:\n    image: x\n    links: [a]\n';
  assert.throws(() => load({ '/p/compose.yaml': cycle }), /^InvalidArgument: dependency cycle detected: a -> b -> c -> a$/);
});

test('extends: in the same file, from another file with its own relative paths, recursively; cycles', () => {
  const files = {
    '/p/compose.yaml': [
      'services:',
      '  base:',
      '    image: busybox',
      '    environment: [A=1]',
      '    ports: ["80:80"]',
      '  web:',
      '    extends: base',
      '    environment: [B=2]',
      '    ports: ["80:80", "81:81"]',
      '  worker:',
      '    extends:',
      '      file: common/services.yaml',
      '      service: worker',
      '    command: run',
    ].join('\n'),
    '/p/common/services.yaml': 'services:\n  root:\n    image: alpine\n    env_file: root.env\n  worker:\n    extends: root\n    volumes: ["./data:/data"]\n    command: ignored\n',
    '/p/common/root.env': 'FROM_ROOT=yes\n',
  };
  const r = load(files);
  assert.deepEqual(r.project.services.web.environment, { A: '1', B: '2' });
  assert.deepEqual(r.project.services.web.ports?.map((p) => p.target), [80, 81]);
  assert.equal(r.project.services.web.image, 'busybox');
  const worker = r.project.services.worker;
  assert.equal(worker.image, 'alpine');
  assert.deepEqual(worker.command, ['run']);
  assert.equal(worker.volumes?.[0].source, '/p/common/data');
  assert.deepEqual(worker.env_file, [{ path: '/p/common/root.env', required: true }]);
  assert.deepEqual(worker.environment, { FROM_ROOT: 'yes' });

  const cyclic = 'services:\n  a:\n    image: x\n    extends: b\n  b:\n    image: x\n    extends: a\n';
  assert.throws(() => load({ '/p/compose.yaml': cyclic }), /Circular reference:\n {2}a in \/p\/compose.yaml\n {2}extends b in \/p\/compose.yaml\n {2}extends a in \/p\/compose.yaml/);
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  a:\n    extends: nope\n' }), /cannot extend service "a" in \/p\/compose.yaml: service "nope" not found/);
  assert.throws(
    () => load({ '/p/compose.yaml': 'services:\n  a:\n    extends: {file: o.yaml, service: nope}\n', '/p/o.yaml': simple }),
    /cannot extend service "a" in \/p\/compose.yaml: service "nope" not found in o.yaml/,
  );
});

test('!reset and !override across files', () => {
  const files = {
    '/p/compose.yaml': 'services:\n  web:\n    image: nginx\n    ports: ["80:80"]\n    environment: {A: "1", B: "2"}\n',
    '/p/compose.override.yaml': 'services:\n  web:\n    ports: !reset []\n    environment: !override\n      C: "3"\n',
  };
  const r = load(files);
  assert.equal(r.project.services.web.ports, undefined);
  assert.deepEqual(r.project.services.web.environment, { C: '3' });
});

test('include: paths, project_directory, env_file; the includer wins; cycles', () => {
  const files = {
    '/p/compose.yaml': 'include:\n  - lib/compose.yaml\n  - path: other/c.yaml\n    project_directory: other\n    env_file: other/vars.env\nservices:\n  web:\n    image: nginx\n    depends_on: [db]\n  db:\n    environment: [OVERRIDDEN=yes]\n',
    '/p/lib/compose.yaml': 'services:\n  db:\n    image: postgres:${PGTAG}\n    volumes: ["./pgdata:/var/lib/postgresql/data"]\n',
    '/p/lib/.env': 'PGTAG=16\n',
    '/p/other/c.yaml': 'services:\n  cache:\n    image: redis:${REDIS_TAG}\n    env_file: cache.env\n',
    '/p/other/vars.env': 'REDIS_TAG=7\n',
    '/p/other/cache.env': 'X=1\n',
  };
  const r = load(files);
  assert.equal(r.project.services.db.image, 'postgres:16');
  assert.equal(r.project.services.db.volumes?.[0].source, '/p/lib/pgdata');
  assert.deepEqual(r.project.services.db.environment, { OVERRIDDEN: 'yes' });
  assert.equal(r.project.services.cache.image, 'redis:7');
  assert.deepEqual(r.project.services.cache.env_file, [{ path: '/p/other/cache.env', required: true }]);
  assert.throws(
    () => load({ '/p/compose.yaml': `include: [a.yaml]\n${simple}`, '/p/a.yaml': 'include: [compose.yaml]\nservices: {}\n' }),
    /include cycle detected:\n\/p\/compose.yaml\n include \/p\/a.yaml\n include \/p\/compose.yaml/,
  );
});

test('profiles: inactive unless enabled by --profile, COMPOSE_PROFILES or naming the service', () => {
  const files = {
    '/p/compose.yaml': 'services:\n  web:\n    image: x\n  debug:\n    image: x\n    profiles: [dev]\n  admin:\n    image: x\n    profiles: [ops, dev]\n    depends_on: [web]\n',
  };
  assert.deepEqual(Object.keys(load(files).project.services), ['web']);
  assert.deepEqual(Object.keys(load(files).project.disabledServices).sort(), ['admin', 'debug']);
  assert.deepEqual(Object.keys(load(files, { profiles: ['dev'] }).project.services).sort(), ['admin', 'debug', 'web']);
  assert.deepEqual(Object.keys(load(files, { environment: { COMPOSE_PROFILES: 'ops, other' } }).project.services).sort(), ['admin', 'web']);
  assert.deepEqual(Object.keys(load(files, { profiles: ['*'] }).project.services).sort(), ['admin', 'debug', 'web']);
  // Naming a service enables its profiles, and selection keeps it and its dependencies.
  const named = load(files, { services: ['admin'] }).project;
  assert.deepEqual(Object.keys(named.services).sort(), ['admin', 'web']);
  assert.throws(() => load(files, { services: ['nope'] }), /^NotFound: no such service: nope$/);
  assert.deepEqual(Object.keys(selectServices(named, ['admin'], { dependencies: false }).services), ['admin']);
  assert.deepEqual(Object.keys(selectServices(load(files).project, ['w*'], { dependencies: true }).services), ['web']);
});

test('env_file: relative to the project, required by default, required: false tolerated, and the raw format', () => {
  const files = {
    '/p/compose.yaml': 'services:\n  web:\n    image: x\n    env_file:\n      - a.env\n      - path: optional.env\n        required: false\n      - path: raw.env\n        format: raw\n    environment:\n      B: from-compose\n      FROM_SHELL:\n      UNSET:\n',
    '/p/a.env': 'A=1\nB=from-file\nREF=${SHELLVAR}\n',
    '/p/raw.env': 'R="kept as is"\n',
  };
  const r = load(files, { environment: { FROM_SHELL: 'shell', SHELLVAR: 's' } });
  assert.deepEqual(r.project.services.web.environment, { A: '1', B: 'from-compose', REF: 's', R: '"kept as is"', FROM_SHELL: 'shell', UNSET: null });
  const withoutA: Record<string, string> = { ...files };
  delete withoutA['/p/a.env'];
  assert.throws(() => load(withoutA), /env file \/p\/a.env not found/);
});

test('label_file and x- extensions', () => {
  const r = load({
    '/p/compose.yaml': 'x-owner: team\nservices:\n  web:\n    image: x\n    label_file: l.env\n    labels: {b: "2"}\n    x-note: hello\n    ports:\n      - target: 80\n        x-port: yes\n',
    '/p/l.env': 'a=1\nb=1\n',
  });
  assert.deepEqual(r.project.services.web.labels, { a: '1', b: '2' });
  assert.deepEqual(r.project.extensions, { 'x-owner': 'team' });
  assert.deepEqual(r.project.services.web.extensions, { 'x-note': 'hello' });
  assert.deepEqual(r.project.services.web.ports?.[0].extensions, { 'x-port': 'yes' });
});

test('normalization: default network, implied dependencies, resource names, secrets from the environment', () => {
  const r = load(
    {
      '/p/compose.yaml': [
        'services:',
        '  web:',
        '    image: x',
        '    links: [db:database]',
        '    volumes_from: [data:ro]',
        '    secrets: [token]',
        '  db:',
        '    image: x',
        '    network_mode: service:data',
        '  data:',
        '    image: x',
        '    volumes: [store:/store]',
        '    pull_policy: if_not_present',
        'volumes:',
        '  store: {}',
        '  ext:',
        '    external: true',
        'secrets:',
        '  token:',
        '    environment: TOKEN',
      ].join('\n'),
    },
    { environment: { TOKEN: 's3cret' } },
  );
  const p = r.project;
  assert.deepEqual(Object.keys(p.networks), ['default']);
  assert.equal(p.networks.default.name, 'p_default');
  assert.equal(p.volumes.store.name, 'p_store');
  assert.equal(p.volumes.ext.name, 'ext');
  assert.deepEqual(p.services.web.depends_on, {
    db: { condition: 'service_started', restart: true, required: true },
    data: { condition: 'service_started', restart: false, required: true },
  });
  assert.deepEqual(p.services.db.depends_on, { data: { condition: 'service_started', restart: true, required: true } });
  assert.equal(p.services.db.networks, undefined);
  assert.equal(p.services.data.pull_policy, 'missing');
  assert.equal(p.secrets.token.content, 's3cret');
  assert.deepEqual(p.services.web.secrets, [{ source: 'token', target: '/run/secrets/token' }]);
});

test('typed values: durations, sizes, commands, healthcheck, ulimits, extra_hosts', () => {
  const r = load({
    '/p/compose.yaml': [
      'services:',
      '  web:',
      '    image: x',
      '    command: sh -c "echo hi"',
      '    entrypoint: ""',
      '    stop_grace_period: 1m30s',
      '    shm_size: 64m',
      '    mem_limit: 512m',
      '    cpus: "0.5"',
      '    healthcheck:',
      '      test: curl -f http://localhost',
      '      interval: 1d',
      '      retries: "3"',
      '    ulimits:',
      '      nproc: 65535',
      '      nofile: {soft: 1024, hard: 2048}',
      '    extra_hosts: ["a:1.2.3.4", "b=::1", "c=[::2]"]',
      '    init: true',
      '    deploy:',
      '      resources:',
      '        limits: {memory: 512M, pids: 100, cpus: 0.5}',
      '      restart_policy: {condition: on-failure, delay: 5s}',
    ].join('\n'),
  });
  const web = r.project.services.web;
  assert.deepEqual(web.command, ['sh', '-c', 'echo hi']);
  assert.deepEqual(web.entrypoint, []);
  assert.equal(web.stop_grace_period, 90e9);
  assert.equal(web.shm_size, 64 * 2 ** 20);
  assert.equal(web.mem_limit, 512 * 2 ** 20);
  assert.equal(web.cpus, 0.5);
  assert.deepEqual(web.healthcheck, { test: ['CMD-SHELL', 'curl -f http://localhost'], interval: 86400e9, retries: 3 });
  assert.deepEqual(web.ulimits, { nproc: { single: 65535 }, nofile: { soft: 1024, hard: 2048 } });
  assert.deepEqual(web.extra_hosts, { a: ['1.2.3.4'], b: ['::1'], c: ['::2'] });
  assert.equal(web.init, true);
  assert.equal(web.deploy?.resources?.limits?.memory, 512 * 2 ** 20);
  assert.equal(web.deploy?.restart_policy?.delay, 5e9);
});

test('consistency: scale and container_name, distinct scale and replicas, duplicate container names', () => {
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  web:\n    image: x\n    container_name: cn\n    scale: 2\n' }), /can't set container_name and scale as container name must be unique/);
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  web:\n    image: x\n    scale: 2\n    deploy: {replicas: 3}\n' }), /can't set distinct values on 'scale' and 'deploy.replicas'/);
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  web:\n    image: x\n    mem_limit: 1g\n    deploy: {resources: {limits: {memory: 2g}}}\n' }), /can't set distinct values on 'mem_limit' and 'deploy.resources.limits.memory'/);
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  a:\n    image: x\n    container_name: cn\n  b:\n    image: x\n    container_name: cn\n' }), /services.b: container name "cn" is already in use by service a/);
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  a:\n    image: x\n    healthcheck: {test: [curl]}\n' }), /healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"/);
});

test('!reset and !override in an extending service, and several documents in one file', () => {
  const r = load({
    '/p/compose.yaml': [
      'services:',
      '  base:',
      '    image: x',
      '    ports: ["80:80"]',
      '    environment: {A: "1", B: "2"}',
      '  web:',
      '    extends: base',
      '    ports: !reset []',
      '    environment: !override {C: "3"}',
      '---',
      'services:',
      '  web:',
      '    labels: [second=document]',
    ].join('\n'),
  });
  const web = r.project.services.web;
  assert.equal(web.ports, undefined);
  assert.deepEqual(web.environment, { C: '3' });
  assert.deepEqual(web.labels, { second: 'document' });
  assert.deepEqual(r.project.services.base.environment, { A: '1', B: '2' });
});
