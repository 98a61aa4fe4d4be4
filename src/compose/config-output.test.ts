import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { configHashes, configImages, configNetworks, configProfiles, configServices, configVolumes, configYaml } from './config-output.ts';
import { memoryFs, nodeFs } from './io.ts';
import { loadProject } from './loader.ts';

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));

test('the seeds\' registry + UI pair, as compose v2 prints it', () => {
  const dir = `${testdata}seed-registry-ui`;
  const { project } = loadProject({ cwd: dir, environment: {} }, nodeFs);
  assert.equal(
    configYaml(project),
    `name: seed-registry-ui
services:
  registry:
    image: registry:2.7.1
    networks:
      default: null
    ports:
      - mode: ingress
        target: 5000
        published: "5000"
        protocol: tcp
    volumes:
      - type: bind
        source: /opt/registry
        target: /var/lib/registry
        bind: {}
      - type: bind
        source: /etc/docker/registry/config.yml
        target: /etc/docker/registry/config.yml
        bind: {}
  ui:
    depends_on:
      registry:
        condition: service_started
        required: true
    environment:
      REGISTRY_TITLE: My Private Docker Registry
      REGISTRY_URL: http://192.168.80.250:5000
      SINGLE_REGISTRY: "true"
    image: joxit/docker-registry-ui:latest
    networks:
      default: null
    ports:
      - mode: ingress
        target: 80
        published: "80"
        protocol: tcp
networks:
  default:
    name: seed-registry-ui_default
`,
  );
});

test('defaults filled, durations and sizes as compose prints them, $ escaped, env_file folded into environment', () => {
  const { project } = loadProject(
    {
      cwd: '/p',
      environment: { HOME: '/home/u' },
    },
    memoryFs({
      '/p/compose.yaml': [
        'services:',
        '  web:',
        '    build: ./app',
        '    image: web:1',
        '    command: echo "$$HOME" yes 12:30',
        '    env_file: web.env',
        '    healthcheck:',
        '      test: ["CMD", "true"]',
        '      interval: 90s',
        '      timeout: 500ms',
        '      start_period: 1h',
        '    stop_grace_period: 1m',
        '    shm_size: 1g',
        '    secrets: [token]',
        '    volumes: [data:/data, /anon, "~/cfg:/cfg:ro"]',
        '    ulimits: {nofile: {soft: 1, hard: 2}, nproc: 3}',
        '    deploy: {replicas: 2}',
        'volumes:',
        '  data: {}',
        'secrets:',
        '  token:',
        '    file: ./token.txt',
      ].join('\n'),
      '/p/web.env': 'FROM_FILE=1\n',
    }, { home: '/home/u' }),
  );
  assert.equal(
    configYaml(project),
    `name: p
services:
  web:
    build:
      context: /p/app
      dockerfile: Dockerfile
    command:
      - echo
      - $$HOME
      - "yes"
      - "12:30"
    deploy:
      replicas: 2
    environment:
      FROM_FILE: "1"
    healthcheck:
      test:
        - CMD
        - "true"
      timeout: 500ms
      interval: 1m30s
      start_period: 1h0m0s
    image: web:1
    networks:
      default: null
    secrets:
      - source: token
        target: /run/secrets/token
    shm_size: "1073741824"
    stop_grace_period: 1m0s
    ulimits:
      nofile:
        soft: 1
        hard: 2
      nproc: 3
    volumes:
      - type: volume
        source: data
        target: /data
        volume: {}
      - type: volume
        target: /anon
        volume: {}
      - type: bind
        source: /home/u/cfg
        target: /cfg
        read_only: true
        bind: {}
networks:
  default:
    name: p_default
volumes:
  data:
    name: p_data
secrets:
  token:
    name: p_token
    file: /p/token.txt
`,
  );
});

test('--services in dependency order, --volumes, --networks, --images, --profiles, --hash', () => {
  const { project } = loadProject(
    { cwd: '/p', environment: {} },
    memoryFs({
      '/p/compose.yaml':
        'services:\n  a:\n    image: x\n    depends_on: [c]\n  b:\n    build: .\n  c:\n    image: y\n  d:\n    image: z\n    profiles: [dbg]\nvolumes:\n  v2: {}\n  v1: {}\nnetworks:\n  front: {}\n',
    }),
  );
  assert.deepEqual(configServices(project), ['b', 'c', 'a']);
  assert.deepEqual(configVolumes(project), ['v1', 'v2']);
  assert.deepEqual(configNetworks(project), ['default', 'front']);
  assert.deepEqual(configImages(project), ['x', 'p-b', 'y']);
  assert.deepEqual(configProfiles(project), ['dbg']);
  const hashes = configHashes(project, ['*']);
  assert.equal(hashes.length, 3);
  assert.match(hashes[0], /^a [0-9a-f]{64}$/);
  assert.throws(() => configHashes(project, ['nope']), /no such service: nope/);
});
