// The planner against a simulated daemon: plans are applied to an in-memory ObservedState the way
// the executor will apply them to a real one, so `up` twice, a changed environment, scaling and
// `down` are checked as sequences, not as single snapshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFs } from './io.ts';
import { loadProject, selectServices, type LoadOptions } from './loader.ts';
import type { ComposeProject } from './model.ts';
import {
  describePlan,
  parseScaleFlags,
  planConverge,
  planDown,
  planImages,
  planUp,
  type Action,
  type ContainerRef,
  type ObservedContainer,
  type ObservedState,
  type Plan,
  type UpOptions,
} from './planner.ts';

function project(text: string, options: Partial<LoadOptions> = {}): ComposeProject {
  return loadProject({ cwd: '/app', environment: {}, ...options }, memoryFs({ '/app/compose.yaml': text })).project;
}

const empty = (): ObservedState => ({ containers: [], networks: [], volumes: [], images: {} });

/** Applies a plan to observed state as a daemon would (ids are counters). */
function apply(plan: Plan, state: ObservedState): ObservedState {
  let n = 0;
  const uid = (prefix: string) => `${prefix}${String(++n + state.containers.length * 100 + Object.keys(state.images).length * 1000).padStart(12, '0')}${'0'.repeat(52)}`;
  const containers = state.containers.map((c) => ({ ...c }));
  let networks = [...state.networks];
  let volumes = [...state.volumes];
  const images = { ...state.images };
  const created = new Map<number, ObservedContainer>();
  const find = (ref: ContainerRef) => ('createdBy' in ref ? created.get(ref.createdBy) : containers.find((c) => c.id === ref.id));
  for (const a of plan.actions) {
    switch (a.kind) {
      case 'pull-image':
      case 'build-image':
        images[a.image] = { id: `sha256:${a.image}-${a.kind}-${a.id}` };
        break;
      case 'create-network':
        networks.push({ id: uid('n'), name: a.name, labels: a.request.Labels ?? {} });
        break;
      case 'remove-network':
        networks = networks.filter((x) => x.name !== a.name);
        break;
      case 'create-volume':
        volumes.push({ name: a.name, labels: a.request.Labels });
        break;
      case 'remove-volume':
        volumes = volumes.filter((v) => v.name !== a.name);
        break;
      case 'create-container': {
        const h = a.request.body.HostConfig;
        const c: ObservedContainer = {
          id: uid('c'),
          name: a.name,
          state: 'created',
          labels: a.request.body.Labels ?? {},
          networks: [h.NetworkMode ?? '', ...a.request.connect.map((x) => x.network)],
          mounts: [
            ...(h.Binds ?? []).filter((b) => !b.startsWith('/')).map((b) => ({ type: 'volume', name: b.split(':')[0], destination: b.split(':')[1] })),
            ...(h.Mounts ?? []).filter((m) => m.Type === 'volume').map((m) => ({ type: 'volume', name: m.Source ?? uid('v'), destination: m.Target })),
          ],
        };
        containers.push(c);
        created.set(a.id, c);
        break;
      }
      case 'rename-container':
        find(a.container)!.name = a.name;
        break;
      case 'start-container':
      case 'unpause-container':
        find(a.container)!.state = 'running';
        break;
      case 'stop-container':
        find(a.container)!.state = 'exited';
        break;
      case 'remove-container': {
        const c = find(a.container)!;
        containers.splice(containers.indexOf(c), 1);
        break;
      }
      case 'remove-image':
        delete images[a.image];
        break;
      case 'wait':
        break;
    }
  }
  return { containers, networks, volumes, images };
}

/** `up` as the executor runs it: images, observe again, converge. */
function up(p: ComposeProject, state: ObservedState, options: UpOptions = {}): { state: ObservedState; plan: Plan } {
  const images = planImages(p, state, options);
  const afterImages = apply(images, state);
  const converge = planConverge(p, afterImages, options);
  return { state: apply(converge, afterImages), plan: { actions: [...images.actions, ...converge.actions], warnings: converge.warnings } };
}

const kinds = (plan: Plan) => plan.actions.map((a) => a.kind);
const names = (s: ObservedState) => s.containers.map((c) => `${c.name}:${c.state}`).sort();
const byName = (s: ObservedState, name: string) => s.containers.find((c) => c.name === name)!;

const app = [
  'services:',
  '  web:',
  '    build: .',
  '    environment: {MODE: prod}',
  '    ports: ["8080:80"]',
  '    depends_on: [db]',
  '    volumes: [data:/data]',
  '  db:',
  '    image: postgres:16',
  'volumes:',
  '  data: {}',
].join('\n');

test('a first up: images, network, volume, containers in dependency order, then starts', () => {
  const p = project(app);
  const plan = planUp(p, empty());
  assert.equal(
    describePlan(plan),
    [
      '#1 [] pull-image postgres:16',
      '#2 [] build-image app-web for web',
      '#3 [] create-network app_default (not found)',
      '#4 [] create-volume app_data (not found)',
      '#5 [1,3] create-container app-db-1 (no existing container)',
      '#6 [2,3,4,5] create-container app-web-1 (no existing container)',
      '#7 [5] start-container #5 (created)',
      '#8 [5,6,7] start-container #6 (created)',
    ].join('\n'),
  );
  assert.deepEqual(plan.images.map((a) => a.id), [1, 2]);
  const { state } = up(p, empty());
  assert.deepEqual(names(state), ['app-db-1:running', 'app-web-1:running']);
  const web = byName(state, 'app-web-1');
  assert.equal(web.labels['com.docker.compose.project'], 'app');
  assert.equal(web.labels['com.docker.compose.service'], 'web');
  assert.equal(web.labels['com.docker.compose.container-number'], '1');
  assert.equal(web.labels['com.docker.compose.oneoff'], 'False');
  assert.equal(web.labels['com.docker.compose.image'], state.images['app-web'].id);
  assert.deepEqual(state.networks.map((n) => n.name), ['app_default']);
  assert.equal(state.networks[0].labels['com.docker.compose.network'], 'default');
  assert.deepEqual(state.volumes.map((v) => [v.name, v.labels['com.docker.compose.volume']]), [['app_data', 'data']]);
});

test('a second up changes nothing', () => {
  const p = project(app);
  const first = up(p, empty()).state;
  const second = up(p, first);
  assert.deepEqual(second.plan.actions, []);
  assert.deepEqual(second.plan.warnings, []);
});

test('a changed environment recreates that service only, under the same name', () => {
  const first = up(project(app), empty()).state;
  const dbBefore = byName(first, 'app-db-1').id;
  const webBefore = byName(first, 'app-web-1').id;
  const { state, plan } = up(project(app.replace('MODE: prod', 'MODE: dev')), first);
  assert.deepEqual(kinds(plan), ['create-container', 'stop-container', 'remove-container', 'rename-container', 'start-container']);
  const create = plan.actions[0] as Extract<Action, { kind: 'create-container' }>;
  assert.equal(create.name, `${webBefore.slice(0, 12)}_app-web-1`);
  assert.equal(create.request.body.Labels?.['com.docker.compose.replace'], 'web-1');
  assert.equal(byName(state, 'app-db-1').id, dbBefore);
  assert.notEqual(byName(state, 'app-web-1').id, webBefore);
  assert.deepEqual(names(state), ['app-db-1:running', 'app-web-1:running']);
});

test('--force-recreate, --no-recreate and --always-recreate-deps', () => {
  const first = up(project(app), empty()).state;
  const forced = up(project(app), first, { recreate: 'force' });
  assert.equal(forced.plan.actions.filter((a) => a.kind === 'rename-container').length, 2);
  const targeted = up(project(app), first, { services: ['web'], recreate: 'force' });
  assert.deepEqual(targeted.plan.actions.filter((a) => a.kind === 'rename-container').map((a) => (a as { name: string }).name), ['app-web-1']);
  const deps = up(project(app), first, { services: ['web'], recreateDependencies: 'force' });
  assert.deepEqual(deps.plan.actions.filter((a) => a.kind === 'rename-container').map((a) => (a as { name: string }).name), ['app-db-1']);
  const never = up(project(app.replace('MODE: prod', 'MODE: dev')), first, { recreate: 'never', recreateDependencies: 'never' });
  assert.deepEqual(never.plan.actions, []);
});

test('scale up takes the next numbers, scale down removes the highest ones', () => {
  const first = up(project(app), empty()).state;
  const three = up(project(app), first, { scale: { web: 3 } });
  assert.deepEqual(names(three.state), ['app-db-1:running', 'app-web-1:running', 'app-web-2:running', 'app-web-3:running']);
  assert.deepEqual(
    three.plan.actions.filter((a) => a.kind === 'create-container').map((a) => (a as { number: number }).number),
    [2, 3],
  );
  const one = up(project(app), three.state, { scale: { web: 1 } });
  assert.equal(describePlan(one.plan), ['#1 [] stop-container app-web-2 (scale down)', '#2 [1] remove-container app-web-2 (scale down)', '#3 [] stop-container app-web-3 (scale down)', '#4 [3] remove-container app-web-3 (scale down)'].join('\n'));
  assert.deepEqual(names(one.state), ['app-db-1:running', 'app-web-1:running']);
  // deploy.replicas and scale: in the file count as well, and 0 means no container.
  const none = up(project(app.replace('    build: .', '    build: .\n    scale: 0')), one.state);
  assert.deepEqual(names(none.state), ['app-db-1:running']);
  assert.deepEqual(parseScaleFlags(['web=3']), { web: 3 });
  assert.throws(() => parseScaleFlags(['web']), /invalid --scale option "web". Should be SERVICE=NUM/);
  assert.throws(() => up(project(app), first, { scale: { nope: 2 } }), /no such service: nope/);
  assert.throws(() => up(project(app.replace('    image: postgres:16', '    image: postgres:16\n    container_name: pg')), first, { scale: { db: 2 } }), /custom container name "pg"/);
});

test('depends_on conditions: healthy and completed are waited for before the dependent starts', () => {
  const p = project([
    'services:',
    '  migrate:',
    '    image: busybox',
    '  db:',
    '    image: busybox',
    '    healthcheck: {test: ["CMD", "true"]}',
    '  web:',
    '    image: busybox',
    '    depends_on:',
    '      db: {condition: service_healthy}',
    '      migrate: {condition: service_completed_successfully, required: false}',
  ].join('\n'));
  const plan = planConverge(p, { ...empty(), images: { busybox: { id: 'sha256:b' } } });
  const text = describePlan(plan);
  assert.match(text, /#\d+ \[\d+(,\d+)*\] wait db service_healthy for web\n/);
  assert.match(text, /wait migrate service_completed_successfully for web \(optional\)/);
  const start = plan.actions.find((a) => a.kind === 'start-container' && a.service === 'web')!;
  const waits = plan.actions.filter((a) => a.kind === 'wait').map((a) => a.id);
  assert.ok(waits.every((w) => start.after.includes(w)), `web starts after ${waits}: ${start.after}`);
  const dbStart = plan.actions.find((a) => a.kind === 'start-container' && a.service === 'db')!;
  const dbWait = plan.actions.find((a) => a.kind === 'wait' && a.service === 'db')!;
  assert.ok(dbWait.after.includes(dbStart.id));
  // --wait: every service, healthy when it has a healthcheck, running else, completed for jobs.
  const waited = planConverge(p, { ...empty(), images: { busybox: { id: 'sha256:b' } } }, { wait: true });
  assert.deepEqual(
    waited.actions.filter((a) => a.kind === 'wait' && a.for === 'app').map((a) => `${(a as { service: string }).service}:${(a as { condition: string }).condition}`),
    ['db:running_or_healthy', 'migrate:service_completed_successfully', 'web:running_or_healthy'],
  );
});

test('create (no start), exited containers started again, paused ones unpaused', () => {
  const p = project(app);
  const created = apply(planConverge(p, apply(planImages(p, empty()), empty()), { start: false }), apply(planImages(p, empty()), empty()));
  assert.deepEqual(names(created), ['app-db-1:created', 'app-web-1:created']);
  const mixed = { ...created, containers: created.containers.map((c) => ({ ...c, state: c.name === 'app-db-1' ? ('exited' as const) : ('paused' as const) })) };
  const plan = planConverge(p, mixed);
  assert.deepEqual(kinds(plan), ['start-container', 'unpause-container']);
  const restarting = { ...created, containers: created.containers.map((c) => ({ ...c, state: 'restarting' as const })) };
  assert.deepEqual(kinds(planConverge(p, restarting)), []);
});

test('orphans are reported, and removed with --remove-orphans', () => {
  const first = up(project(app), empty()).state;
  const withoutDb = app.replace('    depends_on: [db]\n', '').replace(/ {2}db:\n {4}image: postgres:16\n/, '');
  const warned = up(project(withoutDb), first);
  assert.deepEqual(warned.plan.actions, []);
  assert.deepEqual(warned.plan.warnings, [
    'Found orphan containers ([app-db-1]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.',
  ]);
  const removed = up(project(withoutDb), first, { removeOrphans: true });
  assert.deepEqual(kinds(removed.plan), ['stop-container', 'remove-container']);
  assert.deepEqual(names(removed.state), ['app-web-1:running']);
  // Services disabled by a profile or left out of the selection are no orphans.
  const profiled = up(project(app.replace('    image: postgres:16', '    image: postgres:16\n    profiles: [db]').replace('    depends_on: [db]\n', '')), first);
  assert.deepEqual(profiled.plan.warnings, []);
});

test('up web --no-deps leaves the dependencies alone; an unknown service is refused', () => {
  const first = up(project(app), empty()).state;
  const changed = project(app.replace('MODE: prod', 'MODE: dev').replace('postgres:16', 'postgres:17'));
  const onlyWeb = selectServices(changed, ['web'], { dependencies: false });
  const { plan } = up(onlyWeb, first, { services: ['web'] });
  assert.ok(plan.actions.every((a) => !('service' in a) || a.service === 'web'), describePlan(plan));
  assert.deepEqual(plan.warnings, []);
  assert.throws(() => planUp(project(app), first, { services: ['nope'] }), /^NotFound: no such service: nope$/);
});

test('images: missing ones pulled, --build rebuilds, --no-build and pull_policy never build nothing', () => {
  const p = project([
    'services:',
    '  a: {image: "x:1"}',
    '  b: {image: "x:1", pull_policy: always}',
    '  c: {image: "own:1", build: ., pull_policy: missing}',
    '  d: {build: ./d}',
    '  e: {image: "y:1", pull_policy: never}',
    '  f: {build: ./f, pull_policy: build}',
  ].join('\n'));
  const none = planImages(p, empty());
  assert.equal(
    describePlan(none),
    [
      '#1 [] pull-image x:1',
      '#2 [] pull-image own:1 (optional)',
      '#3 [2] build-image own:1 for c (if missing)',
      '#4 [] build-image app-d for d',
      '#5 [] build-image app-f for f',
    ].join('\n'),
  );
  const present = { ...empty(), images: { 'x:1': { id: 'a' }, 'own:1': { id: 'b' }, 'app-d': { id: 'c' }, 'y:1': { id: 'd' }, 'app-f': { id: 'e' } } };
  assert.equal(describePlan(planImages(p, present)), ['#1 [] pull-image x:1', '#2 [] build-image app-f for f'].join('\n'));
  assert.deepEqual(planImages(p, present, { build: 'always' }).actions.map((a) => `${a.kind}:${(a as { image: string }).image}`), ['pull-image:x:1', 'build-image:own:1', 'build-image:app-d', 'build-image:app-f']);
  assert.deepEqual(kinds(planImages(p, empty(), { build: 'never' })), ['pull-image', 'pull-image']);
  const refresh = project('services:\n  a: {image: "x:1", pull_policy: daily}\n');
  const day = 24 * 3600e3;
  assert.equal(planImages(refresh, { ...empty(), images: { 'x:1': { id: 'a', lastTagTime: 1000 } } }, { now: 1000 + day / 2 }).actions.length, 0);
  assert.equal(planImages(refresh, { ...empty(), images: { 'x:1': { id: 'a', lastTagTime: 1000 } } }, { now: 2000 + day }).actions.length, 1);
  const after = project('services:\n  a: {image: "x:1", pull_policy: refresh, pull_refresh_after: 2h}\n');
  assert.equal(planImages(after, { ...empty(), images: { 'x:1': { id: 'a', lastTagTime: 0 } } }, { now: 3600e3 }).actions.length, 0);
  assert.equal(planImages(after, { ...empty(), images: { 'x:1': { id: 'a', lastTagTime: 0 } } }, { now: 3 * 3600e3 }).actions.length, 1);
});

test('a rebuilt image recreates its containers', () => {
  const first = up(project(app), empty()).state;
  const { plan } = up(project(app), first, { build: 'always' });
  assert.deepEqual(kinds(plan), ['build-image', 'create-container', 'stop-container', 'remove-container', 'rename-container', 'start-container']);
});

test('recreating a dependency stops dependents declared restart: true, which start again after it', () => {
  const text = app.replace('    depends_on: [db]', '    depends_on: {db: {condition: service_started, restart: true}}');
  const first = up(project(text), empty()).state;
  const { plan, state } = up(project(text.replace('postgres:16', 'postgres:17')), first);
  const stopWeb = plan.actions.find((a) => a.kind === 'stop-container' && a.service === 'web')!;
  const createDb = plan.actions.find((a) => a.kind === 'create-container' && a.service === 'db')!;
  const startWeb = plan.actions.find((a) => a.kind === 'start-container' && a.service === 'web')!;
  assert.ok(createDb.after.includes(stopWeb.id));
  assert.ok(startWeb.id > createDb.id);
  assert.deepEqual(names(state), ['app-db-1:running', 'app-web-1:running']);
});

test('a recreated parent recreates the services sharing its namespace, and anonymous volumes are handed over', () => {
  const text = ['services:', '  app:', '    image: a', '    environment: [V=1]', '    volumes: [/scratch]', '  sidecar:', '    image: b', '    network_mode: service:app'].join('\n');
  const first = up(project(text), empty()).state;
  const scratch = byName(first, 'app-app-1').mounts?.find((m) => m.destination === '/scratch')?.name;
  assert.ok(scratch);
  const { plan, state } = up(project(text.replace('V=1', 'V=2')), first);
  assert.deepEqual(plan.actions.filter((a) => a.kind === 'rename-container').map((a) => (a as { name: string }).name), ['app-app-1', 'app-sidecar-1']);
  const sidecar = plan.actions.find((a) => a.kind === 'create-container' && a.service === 'sidecar') as Extract<Action, { kind: 'create-container' }>;
  assert.equal(sidecar.request.body.HostConfig.NetworkMode, 'container:app-app-1');
  const app1 = plan.actions.find((a) => a.kind === 'create-container' && a.service === 'app') as Extract<Action, { kind: 'create-container' }>;
  assert.deepEqual(app1.request.body.HostConfig.Mounts, [{ Type: 'volume', Source: scratch, Target: '/scratch' }]);
  assert.equal(byName(state, 'app-app-1').mounts?.find((m) => m.destination === '/scratch')?.name, scratch);
  const renewed = up(project(text.replace('V=1', 'V=3')), first, { inheritVolumes: false });
  const fresh = renewed.plan.actions.find((a) => a.kind === 'create-container' && a.service === 'app') as Extract<Action, { kind: 'create-container' }>;
  assert.deepEqual(fresh.request.body.HostConfig.Mounts, [{ Type: 'volume', Target: '/scratch', VolumeOptions: {} }]);
});

test('networks: external must exist, a foreign one is reused with a warning, a changed one is recreated', () => {
  assert.throws(() => planConverge(project('services:\n  a: {image: x, networks: [ext]}\nnetworks:\n  ext: {external: true}\n'), empty()), /network ext declared as external, but could not be found/);
  assert.throws(() => planConverge(project('services:\n  a: {image: x, volumes: ["v:/v"]}\nvolumes:\n  v: {external: true}\n'), empty()), /external volume "v" not found/);
  const foreign = planConverge(project('services:\n  a: {image: x}\n'), { ...empty(), networks: [{ id: 'n1', name: 'app_default', labels: {} }] });
  assert.equal(foreign.actions.some((a) => a.kind === 'create-network'), false);
  assert.match(foreign.warnings[0], /a network with name app_default exists but was not created by compose/);

  const first = up(project(app), empty()).state;
  const changed = project(`${app}\nnetworks:\n  default:\n    driver_opts: {com.docker.network.driver.mtu: "1400"}\n`);
  const { plan, state } = up(changed, first);
  assert.deepEqual(kinds(plan).slice(0, 7), ['stop-container', 'remove-container', 'stop-container', 'remove-container', 'remove-network', 'create-network', 'create-container']);
  assert.deepEqual(names(state), ['app-db-1:running', 'app-web-1:running']);
  assert.deepEqual(up(changed, state).plan.actions, []);
});

test('a dependency cycle in the model is refused by the planner too', () => {
  const p = project('services:\n  a: {image: x}\n  b: {image: x}\n');
  p.services.a.depends_on = { b: { condition: 'service_started', restart: false, required: true } };
  p.services.b.depends_on = { a: { condition: 'service_started', restart: false, required: true } };
  assert.throws(() => planConverge(p, empty()), /dependency cycle detected: a -> b -> a/);
});

test('down: dependents stop first, then networks, volumes with -v, images with --rmi', () => {
  const p = project(app);
  const { state } = up(p, empty());
  const plan = planDown(p, state, { volumes: true, rmi: 'local' });
  assert.equal(
    describePlan(plan),
    [
      '#1 [] stop-container app-web-1 (down)',
      '#2 [1] remove-container app-web-1 (down)',
      '#3 [1] stop-container app-db-1 (down)',
      '#4 [1,3] remove-container app-db-1 (down)',
      '#5 [2,4] remove-network app_default (down)',
      '#6 [2,4] remove-volume app_data',
      '#7 [2,4] remove-image app-web',
    ].join('\n'),
  );
  const after = apply(plan, state);
  assert.deepEqual(after.containers, []);
  assert.deepEqual(after.networks, []);
  assert.deepEqual(after.volumes, []);
  assert.deepEqual(Object.keys(after.images), ['postgres:16']);
  assert.deepEqual(kinds(planDown(p, state)), ['stop-container', 'remove-container', 'stop-container', 'remove-container', 'remove-network']);
});
