// What compose prints: progress lines (plain, terminal, JSON), `name  | line` logs with their
// colours, and the one-off service `run` makes from the command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { projectFromContainers } from './from-containers.ts';
import { extractVariables } from './interpolate.ts';
import { memoryFs } from './io.ts';
import { loadModel, loadProject } from './loader.ts';
import { LogConsumer, shortName } from './logs.ts';
import { createProgress, done, failed, working } from './progress.ts';
import { oneOffService } from './run.ts';
import type { ContainerSummary } from '../types/index.ts';

const sink = () => {
  const chunks: string[] = [];
  return { chunks, out: { write: (s: string) => chunks.push(s), columns: 100, rows: 24 } };
};

test('plain progress prints each event once, as compose’s plain writer (Println with its spaces)', () => {
  const { chunks, out } = sink();
  const p = createProgress({ mode: 'plain', out });
  p.event(working('Container app-web-1', 'Creating'));
  p.event(done('Container app-web-1', 'Created'));
  p.tail('a tail message');
  p.stop();
  assert.equal(chunks.join(''), ' Container app-web-1  Creating\n Container app-web-1  Created\na tail message\n');
});

test('terminal progress redraws the block in place under "[+] Running n/m", marks and timers aligned', () => {
  const { chunks, out } = sink();
  let now = 1000;
  const p = createProgress({ mode: 'tty', out, animate: false, now: () => now });
  p.event(working('Network app_default', 'Creating'));
  p.event(working('Container app-web-1', 'Creating'));
  p.render();
  now = 1300;
  p.event(done('Network app_default', 'Created'));
  now = 1500;
  p.event(failed('Container app-web-1', 'Error response from daemon: boom'));
  p.stop();
  const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  const frames = chunks.map(strip);
  assert.equal(frames.length, 2);
  assert.ok(chunks[1].startsWith('\x1b[3A'), 'the second frame goes back over the title and two lines');
  const last = frames[1].split('\n');
  assert.equal(last[0], '[+] Running 2/2');
  assert.equal(last[1], ` ✔ Network app_default  Created${' '.repeat(100 - 31 - 5)}0.3s `);
  assert.match(last[2], /^ ✘ Container app-web-1 {2}Error response from daemon: boom +0\.5s $/);
  assert.match(chunks[1], /\x1b\[32m✔\x1b\[0m/);
});

test('JSON progress: one object a line with compose’s keys', () => {
  const { chunks, out } = sink();
  const p = createProgress({ mode: 'json', out });
  p.event({ id: 'redis', status: 'working', text: 'Pulling', statusText: '' });
  p.event({ id: 'aaaa', parentId: 'redis', status: 'working', text: 'Downloading', statusText: '[=>  ]', current: 5, total: 10, percent: 50 });
  assert.deepEqual(chunks.map((c) => JSON.parse(c)), [
    { id: 'redis', text: 'Pulling' },
    { id: 'aaaa', parent_id: 'redis', text: 'Downloading', status: '[=>  ]', current: 5, total: 10, percent: 50 },
  ]);
});

test('logs: names padded to the longest plus one, then " | "; colours per container, statuses in them', () => {
  const out = sink();
  const err = sink();
  const c = new LogConsumer(out.out, err.out, { color: false, prefix: true, timestamps: false });
  c.register('web-1');
  c.register('db-1');
  c.log('web-1', 'hello');
  c.err('db-1', 'oops\nagain');
  c.status('web-1', 'exited with code 0');
  assert.equal(out.chunks.join(''), 'web-1  | hello\nweb-1 exited with code 0\n');
  assert.equal(err.chunks.join(''), 'db-1   | oops\ndb-1   | again\n');
  const coloured = sink();
  const k = new LogConsumer(coloured.out, coloured.out, { color: true, prefix: true, timestamps: false });
  k.register('a');
  k.register('b');
  k.log('a', 'x');
  k.log('b', 'y');
  assert.equal(coloured.chunks.join(''), '\x1b[36ma  | \x1b[0mx\n\x1b[33mb  | \x1b[0my\n');
  const bare = sink();
  new LogConsumer(bare.out, bare.out, { color: false, prefix: false, timestamps: false }).log('a', 'plain');
  assert.equal(bare.chunks.join(''), 'plain\n');
  assert.equal(shortName({ Names: ['/app-web-1'], Labels: { 'com.docker.compose.project': 'app' } }), 'web-1');
  assert.equal(shortName({ Names: ['/custom'], Labels: { 'com.docker.compose.project': 'app' } }), 'custom');
});

test('run: the service with the command line’s overrides, ports only with --service-ports', () => {
  const { project } = loadProject(
    { cwd: '/app', environment: { FROM_SHELL: 'x' } },
    memoryFs({ '/app/compose.yaml': 'services:\n  web:\n    image: busybox\n    restart: always\n    container_name: web\n    ports: ["80:80"]\n    cap_add: [NET_ADMIN]\n    environment: {A: "1"}\n' }),
  );
  const base = { env: ['B=2', 'FROM_SHELL'], labels: ['l=v'], capAdd: [], capDrop: ['NET_ADMIN'], volumes: ['./data:/data', 'named:/named'], publish: ['8080:80'], servicePorts: false, tty: false, interactive: true };
  const s = oneOffService(project, 'web', { ...base, command: ['echo', 'hi'], user: 'nobody', workdir: '/tmp' }, '/work');
  assert.equal(s.container_name, undefined);
  assert.equal(s.restart, undefined);
  assert.deepEqual(s.command, ['echo', 'hi']);
  assert.deepEqual(s.environment, { A: '1', B: '2', FROM_SHELL: 'x' });
  assert.deepEqual(s.labels, { l: 'v' });
  assert.deepEqual([s.cap_add, s.cap_drop], [[], ['NET_ADMIN']]);
  assert.deepEqual(s.volumes?.map((v) => `${v.type}:${v.source}:${v.target}`), ['bind:/work/data:/data', 'volume:named:/named']);
  assert.deepEqual(s.ports?.map((p) => `${p.published}:${p.target}`), ['8080:80']);
  assert.deepEqual([s.user, s.working_dir, s.stdin_open, s.tty], ['nobody', '/tmp', true, false]);
  const withPorts = oneOffService(project, 'web', { ...base, publish: [], servicePorts: true, entrypoint: ['sh'] }, '/work');
  assert.deepEqual(withPorts.ports?.map((p) => `${p.published}:${p.target}`), ['80:80']);
  assert.deepEqual([withPorts.entrypoint, withPorts.command], [['sh'], []]);
  assert.throws(() => oneOffService(project, 'nope', base, '/'), /no such service: nope/);
});

test('a project known by name only is rebuilt from its containers’ labels', () => {
  const c = (service: string, dependsOn = ''): ContainerSummary =>
    ({
      Id: service,
      Names: [`/app-${service}-1`],
      Image: 'busybox',
      Labels: { 'com.docker.compose.project': 'app', 'com.docker.compose.service': service, 'com.docker.compose.depends_on': dependsOn, 'com.docker.compose.project.working_dir': '/app' },
    }) as unknown as ContainerSummary;
  const p = projectFromContainers('app', [c('web', 'db:service_healthy:true,gone:service_started:false'), c('db')], {
    networks: [{ Id: 'n', Name: 'app_default', Labels: { 'com.docker.compose.project': 'app', 'com.docker.compose.network': 'default' } }],
  });
  assert.deepEqual(Object.keys(p.services).sort(), ['db', 'web']);
  assert.deepEqual(p.services.web.depends_on, { db: { condition: 'service_healthy', restart: true, required: true } });
  assert.deepEqual(p.networks, { default: { name: 'app_default' } });
  assert.equal(p.workingDir, '/app');
});

test('config --variables: names, requirements, defaults and alternate values', () => {
  const vars = extractVariables({ services: { web: { image: '${IMAGE:-busybox}', environment: ['A=$PLAIN', 'B=${REQ:?needed}', 'C=${ALT:+on}', 'D=$$ESCAPED'] } } });
  assert.deepEqual([...vars.values()].sort((a, b) => a.name.localeCompare(b.name)), [
    { name: 'ALT', required: false, defaultValue: '', alternateValue: 'on' },
    { name: 'IMAGE', required: false, defaultValue: 'busybox', alternateValue: '' },
    { name: 'PLAIN', required: false, defaultValue: '', alternateValue: '' },
    { name: 'REQ', required: true, defaultValue: '', alternateValue: '' },
  ]);
});

test('config --no-interpolate: the merged model with its variables as written, short syntaxes that need them kept', () => {
  const { model } = loadModel(
    { cwd: '/app', environment: {}, interpolate: false },
    memoryFs({ '/app/compose.yaml': 'services:\n  web:\n    image: busybox:${TAG:-1}\n    ports: ["${PORT}:80", "9000:9000"]\n' }),
  );
  const web = (model.services as Record<string, { image: string; ports: unknown[] }>).web;
  assert.equal(web.image, 'busybox:${TAG:-1}');
  assert.deepEqual(web.ports, ['${PORT}:80', { mode: 'ingress', target: 9000, published: '9000', protocol: 'tcp' }]);
});
