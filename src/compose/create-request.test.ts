import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCreateRequest, injectedFiles, restartPolicy, serviceLinks } from './create-request.ts';
import { serviceConfigHash } from './hash.ts';
import { memoryFs } from './io.ts';
import { loadProject } from './loader.ts';

const compose = [
  'name: shop',
  'services:',
  '  web:',
  '    image: shop/web:1',
  '    command: ["serve", "--port", "80"]',
  '    entrypoint: /entry.sh',
  '    environment: {B: "2", A: "1", BARE: null}',
  '    labels: {tier: front}',
  '    ports: ["127.0.0.1:8080:80", "9000-9001:9000-9001/udp"]',
  '    expose: ["3000-3001", 4000]',
  '    volumes:',
  '      - ./html:/usr/share/nginx/html:ro,z',
  '      - data:/data',
  '      - /cache',
  '      - type: tmpfs',
  '        target: /tmp',
  '        tmpfs: {size: 1m}',
  '      - type: volume',
  '        source: data',
  '        target: /nocopy',
  '        volume: {nocopy: true}',
  '      - type: bind',
  '        source: /srv',
  '        target: /srv',
  '        bind: {propagation: rshared}',
  '    networks:',
  '      front: {aliases: [www], ipv4_address: 10.5.0.5}',
  '      back: {priority: 10}',
  '    links: ["db:database"]',
  '    external_links: ["legacy:old"]',
  '    depends_on: {db: {condition: service_healthy}}',
  '    healthcheck: {test: "curl -f localhost", interval: 10s, retries: 3, start_period: 5s}',
  '    restart: on-failure:3',
  '    mem_limit: 512m',
  '    cpus: 1.5',
  '    pids_limit: 100',
  '    ulimits: {nofile: {soft: 10, hard: 20}, nproc: 5}',
  '    cap_add: [NET_ADMIN]',
  '    cap_drop: [ALL]',
  '    privileged: true',
  '    security_opt: [no-new-privileges, systempaths=unconfined]',
  '    user: "1000:1000"',
  '    working_dir: /app',
  '    hostname: web',
  '    domainname: example.com',
  '    dns: [1.1.1.1]',
  '    extra_hosts: ["host.docker.internal:host-gateway"]',
  '    logging: {driver: json-file, options: {max-size: 1m}}',
  '    stop_signal: SIGINT',
  '    stop_grace_period: 20s',
  '    init: true',
  '    tty: true',
  '    stdin_open: true',
  '    read_only: true',
  '    shm_size: 128m',
  '    sysctls: {net.core.somaxconn: 1024}',
  '    tmpfs: [/run:size=1m]',
  '    secrets: [token, {source: envsecret, target: api}]',
  '    configs: [{source: conf, target: /etc/app.conf}, inline]',
  '    platform: linux/amd64',
  '  db:',
  '    image: postgres',
  '    networks: [back]',
  '  sidecar:',
  '    image: busybox',
  '    network_mode: service:web',
  '    volumes_from: [web:ro, container:other]',
  '    deploy:',
  '      resources: {limits: {memory: 64m, cpus: "0.25"}, reservations: {memory: 32m}}',
  '      restart_policy: {condition: any, max_attempts: 2}',
  'networks:',
  '  front: {}',
  '  back: {}',
  'volumes:',
  '  data: {}',
  'secrets:',
  '  token: {file: ./token}',
  '  envsecret: {environment: SECRET}',
  'configs:',
  '  conf: {file: ./app.conf}',
  '  inline: {content: "hello"}',
].join('\n');

const { project } = loadProject({ cwd: '/p', environment: { SECRET: 's3' } }, memoryFs({ '/p/compose.yaml': compose }));

test('a service becomes compose v2\'s create request', () => {
  const web = project.services.web;
  const links = serviceLinks(project.name, web, 1, (s) => (s === 'db' ? ['shop-db-1'] : []));
  const req = buildCreateRequest(project, web, { number: 1, links, imageId: 'sha256:abc', apiVersion: '1.43' });
  assert.equal(req.name, 'shop-web-1');
  assert.equal(req.platform, 'linux/amd64');
  const b = req.body;
  assert.equal(b.Image, 'shop/web:1');
  assert.deepEqual(b.Cmd, ['serve', '--port', '80']);
  assert.deepEqual(b.Entrypoint, ['/entry.sh']);
  assert.deepEqual(b.Env, ['A=1', 'B=2', 'BARE']);
  assert.deepEqual(Object.keys(b.ExposedPorts ?? {}).sort(), ['3000/tcp', '3001/tcp', '4000/tcp', '80/tcp', '9000/udp', '9001/udp']);
  assert.deepEqual(b.Labels, {
    tier: 'front',
    'com.docker.compose.project': 'shop',
    'com.docker.compose.service': 'web',
    'com.docker.compose.version': '2.29.7',
    'com.docker.compose.project.working_dir': '/p',
    'com.docker.compose.project.config_files': '/p/compose.yaml',
    'com.docker.compose.oneoff': 'False',
    'com.docker.compose.config-hash': serviceConfigHash(web),
    'com.docker.compose.container-number': '1',
    'com.docker.compose.depends_on': 'db:service_healthy:false',
    'com.docker.compose.image': 'sha256:abc',
  });
  assert.deepEqual(b.Healthcheck, { Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 10e9, Timeout: 0, StartPeriod: 5e9, StartInterval: 0, Retries: 3 });
  assert.equal(b.StopSignal, 'SIGINT');
  assert.equal(b.StopTimeout, 20);
  assert.equal(b.User, '1000:1000');
  assert.equal(b.WorkingDir, '/app');
  assert.equal(b.Hostname, 'web');
  assert.equal(b.Domainname, 'example.com');
  assert.equal(b.Tty, true);
  assert.equal(b.OpenStdin, true);

  const h = b.HostConfig;
  assert.deepEqual(h.Binds, ['/p/html:/usr/share/nginx/html:ro,z', 'shop_data:/data:rw']);
  assert.deepEqual(h.Mounts, [
    { Type: 'volume', Target: '/cache', VolumeOptions: {} },
    { Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 1048576 } },
    { Type: 'volume', Source: 'shop_data', Target: '/nocopy', VolumeOptions: { NoCopy: true } },
    { Type: 'bind', Source: '/srv', Target: '/srv', BindOptions: { CreateMountpoint: true, Propagation: 'rshared' } },
    { Type: 'bind', Source: '/p/token', Target: '/run/secrets/token', ReadOnly: true, BindOptions: { CreateMountpoint: false } },
    { Type: 'bind', Source: '/p/app.conf', Target: '/etc/app.conf', ReadOnly: true },
  ]);
  assert.deepEqual(h.PortBindings, {
    '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }],
    '9000/udp': [{ HostIp: '', HostPort: '9000' }],
    '9001/udp': [{ HostIp: '', HostPort: '9001' }],
  });
  assert.deepEqual(h.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.equal(h.Memory, 512 * 2 ** 20);
  assert.equal(h.NanoCpus, 1.5e9);
  assert.equal(h.PidsLimit, 100);
  assert.deepEqual(h.Ulimits, [{ Name: 'nofile', Soft: 10, Hard: 20 }, { Name: 'nproc', Soft: 5, Hard: 5 }]);
  assert.deepEqual(h.CapAdd, ['NET_ADMIN']);
  assert.deepEqual(h.CapDrop, ['ALL']);
  assert.equal(h.Privileged, true);
  assert.deepEqual(h.SecurityOpt, ['no-new-privileges']);
  assert.deepEqual(h.MaskedPaths, []);
  assert.deepEqual(h.ReadonlyPaths, []);
  assert.deepEqual(h.Dns, ['1.1.1.1']);
  assert.deepEqual(h.ExtraHosts, ['host.docker.internal:host-gateway']);
  assert.deepEqual(h.LogConfig, { Type: 'json-file', Config: { 'max-size': '1m' } });
  assert.equal(h.Init, true);
  assert.equal(h.ReadonlyRootfs, true);
  assert.equal(h.ShmSize, 128 * 2 ** 20);
  assert.deepEqual(h.Sysctls, { 'net.core.somaxconn': '1024' });
  assert.deepEqual(h.Tmpfs, { '/run': 'size=1m' });
  assert.deepEqual(h.Links, ['shop-db-1:database', 'shop-db-1:db-1', 'shop-db-1:shop-db-1', 'legacy:old']);

  // The highest-priority network is the primary one; API 1.43 takes one endpoint at create.
  assert.equal(h.NetworkMode, 'shop_back');
  assert.deepEqual(b.NetworkingConfig, {
    EndpointsConfig: { shop_back: { Aliases: ['shop-web-1', 'web'], Links: h.Links } },
  });
  assert.deepEqual(req.connect, [
    { network: 'shop_front', endpoint: { Aliases: ['shop-web-1', 'web', 'www'], Links: h.Links, IPAMConfig: { IPv4Address: '10.5.0.5' } } },
  ]);
  const v144 = buildCreateRequest(project, web, { number: 1, links, apiVersion: '1.44' });
  assert.deepEqual(Object.keys(v144.body.NetworkingConfig?.EndpointsConfig ?? {}), ['shop_back', 'shop_front']);
  assert.deepEqual(v144.connect, []);

  assert.deepEqual(injectedFiles(project, web), [
    { target: '/run/secrets/api', content: 's3', uid: undefined, gid: undefined, mode: 0o444 },
    { target: '/inline', content: 'hello', uid: undefined, gid: undefined, mode: 0o444 },
  ]);
});

test('service: references resolve to the containers the caller names', () => {
  const sidecar = project.services.sidecar;
  const req = buildCreateRequest(project, sidecar, { number: 2, serviceContainer: (s) => (s === 'web' ? 'shop-web-1' : undefined) });
  assert.equal(req.name, 'shop-sidecar-2');
  assert.equal(req.body.HostConfig.NetworkMode, 'container:shop-web-1');
  assert.equal(req.body.NetworkingConfig, undefined);
  assert.deepEqual(req.body.HostConfig.VolumesFrom, ['shop-web-1:ro', 'other']);
  assert.equal(req.body.HostConfig.Memory, 64 * 2 ** 20);
  assert.equal(req.body.HostConfig.MemoryReservation, 32 * 2 ** 20);
  assert.equal(req.body.HostConfig.NanoCpus, 0.25e9);
  assert.deepEqual(req.body.HostConfig.RestartPolicy, { Name: 'always', MaximumRetryCount: 2 });
  assert.throws(() => buildCreateRequest(project, sidecar, { number: 1 }), /cannot share volume with service web: container missing/);
  assert.throws(
    () => buildCreateRequest(project, { ...sidecar, volumes_from: undefined }, { number: 1 }),
    /cannot share network namespace with service web: container missing/,
  );
});

test('restart policies and one-off containers', () => {
  assert.deepEqual(restartPolicy({ name: 'x' }), { Name: '', MaximumRetryCount: 0 });
  assert.deepEqual(restartPolicy({ name: 'x', restart: 'unless-stopped' }), { Name: 'unless-stopped', MaximumRetryCount: 0 });
  assert.throws(() => restartPolicy({ name: 'x', restart: 'sometimes' }), /invalid restart policy: sometimes/);
  const run = buildCreateRequest(project, project.services.db, { number: 0, name: 'shop-db-run-1a2b', oneoff: { slug: '1a2b', useAliases: false } });
  assert.equal(run.body.Labels?.['com.docker.compose.oneoff'], 'True');
  assert.equal(run.body.Labels?.['com.docker.compose.container-number'], undefined);
  assert.deepEqual(run.body.NetworkingConfig?.EndpointsConfig?.shop_back.Aliases, ['shop-db-run-1a2b']);
});
