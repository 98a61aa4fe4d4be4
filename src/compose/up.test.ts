// The executor and the commands' operations over a daemon in memory (fake-engine.ts): what `up`,
// `down`, `start`, `stop` and friends ask the daemon for, in which order, and what they print.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downProject } from './down.ts';
import { FakeEngine } from './fake-engine.ts';
import { memoryFs } from './io.ts';
import { killProject, pauseProject, removeStopped, restartProject, startProject, stopProject, unpauseProject } from './lifecycle.ts';
import { loadProject } from './loader.ts';
import type { ComposeProject } from './model.ts';
import type { Session } from './session.ts';
import { createProject, upProject, type UpRequest } from './up.ts';

function project(text: string, files: Record<string, string> = {}): ComposeProject {
  return loadProject({ cwd: '/app', environment: {} }, memoryFs({ '/app/compose.yaml': text, ...files })).project;
}

interface Captured extends Session {
  out: string[];
  err: string[];
  interrupt(): void;
}

function session(engine: FakeEngine): Captured {
  const out: string[] = [];
  const err: string[] = [];
  const handlers: Array<(n: number) => void> = [];
  let count = 0;
  return {
    engine,
    out,
    err,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    progressMode: 'plain',
    color: false,
    parallel: -1,
    sleep: () => new Promise((r) => setImmediate(r)),
    now: () => 0,
    onInterrupt(h) {
      handlers.push(h);
      return () => handlers.splice(handlers.indexOf(h), 1);
    },
    interrupt() {
      count++;
      for (const h of [...handlers]) h(count);
    },
  };
}

const detached = (services: string[] = []): UpRequest => ({ services, plan: {}, detach: true });

const webDb = `
services:
  web:
    image: busybox
    command: httpd -f
    depends_on: [db]
    environment:
      MODE: prod
  db:
    image: busybox
    volumes: [data:/data]
volumes:
  data: {}
`;

test('up -d creates the network, volume and containers, and starts dependencies first', async () => {
  const engine = new FakeEngine();
  const s = session(engine);
  assert.equal(await upProject(s, project(webDb), detached()), 0);
  assert.deepEqual(engine.names(), ['app-db-1', 'app-web-1']);
  const starts = engine.calls.filter((c) => c.startsWith('start'));
  assert.deepEqual(starts, ['start app-db-1', 'start app-web-1']);
  assert.ok(engine.calls.indexOf('network create app_default') < engine.calls.indexOf('create app-db-1'));
  assert.ok(engine.calls.indexOf('volume create app_data') < engine.calls.indexOf('create app-db-1'));
  const lines = s.err.join('');
  for (const l of [' Network app_default  Created', ' Volume "app_data"  Created', ' Container app-db-1  Created', ' Container app-web-1  Started']) assert.ok(lines.includes(`${l}\n`), `${l} in:\n${lines}`);
  // Twice: nothing to do, each container reported running.
  engine.calls.length = 0;
  s.err.length = 0;
  await upProject(s, project(webDb), detached());
  assert.deepEqual(engine.calls, []);
  assert.equal(s.err.join(''), ' Container app-db-1  Running\n Container app-web-1  Running\n');
});

test('a changed environment recreates that service only, under its name', async () => {
  const engine = new FakeEngine();
  const s = session(engine);
  await upProject(s, project(webDb), detached());
  const before = new Map([...engine.containers.values()].map((c) => [c.name, c.id]));
  engine.calls.length = 0;
  s.err.length = 0;
  await upProject(s, project(webDb.replace('MODE: prod', 'MODE: dev')), detached());
  const after = new Map([...engine.containers.values()].map((c) => [c.name, c.id]));
  assert.equal(after.get('app-db-1'), before.get('app-db-1'));
  assert.notEqual(after.get('app-web-1'), before.get('app-web-1'));
  assert.equal(engine.calls.filter((c) => c.includes('app-db-1')).length, 0);
  assert.match(s.err.join(''), / Container app-web-1 {2}Recreate\n(.|\n)* Container app-web-1 {2}Recreated\n/);
  assert.deepEqual([...engine.containers.values()].find((c) => c.name === 'app-web-1')?.request.body.Env, ['MODE=dev']);
});

test('scale up adds numbered containers, scale down removes the highest', async () => {
  const engine = new FakeEngine();
  const s = session(engine);
  await upProject(s, project(webDb), { ...detached(), plan: { scale: { web: 3 } } });
  assert.deepEqual(engine.names(), ['app-db-1', 'app-web-1', 'app-web-2', 'app-web-3']);
  await upProject(s, project(webDb), { ...detached(), plan: { scale: { web: 1 } } });
  assert.deepEqual(engine.names(), ['app-db-1', 'app-web-1']);
});

test('a failing start leaves what started running, skips what depends on it and names the container', async () => {
  const engine = new FakeEngine();
  engine.failStart.set('app-db-1', 'driver failed programming external connectivity: Bind for 0.0.0.0:80 failed: port is already allocated');
  const s = session(engine);
  const p = project(`services:\n  web: {image: busybox, depends_on: [db]}\n  db: {image: busybox}\n  other: {image: busybox}\n`);
  await assert.rejects(upProject(s, p, detached()), /port is already allocated/);
  assert.equal(engine.state('app-other-1'), 'running');
  assert.equal(engine.state('app-web-1'), 'created');
  assert.ok(!engine.calls.includes('start app-web-1'));
  assert.match(s.err.join(''), / Container app-db-1 {2}Error response from daemon: driver failed/);
});

test('depends_on conditions: healthy and completed dependencies are awaited before the dependent starts', async () => {
  const engine = new FakeEngine();
  engine.programs = { db: { health: 'healthy' }, migrate: { output: ['migrated'], exitCode: 0 } };
  const s = session(engine);
  const p = project(`
services:
  db: {image: busybox, healthcheck: {test: [CMD, 'true']}}
  migrate: {image: busybox, depends_on: {db: {condition: service_healthy}}}
  web: {image: busybox, depends_on: {migrate: {condition: service_completed_successfully}}}
`);
  await upProject(s, p, detached());
  assert.deepEqual(
    engine.calls.filter((c) => c.startsWith('start')),
    ['start app-db-1', 'start app-migrate-1', 'start app-web-1'],
  );
  const err = s.err.join('');
  assert.ok(err.indexOf(' Container app-db-1  Healthy') < err.indexOf(' Container app-migrate-1  Starting'));
  assert.ok(err.indexOf(' Container app-migrate-1  Exited') < err.indexOf(' Container app-web-1  Starting'));
});

test('a dependency that fails its condition fails the dependent with compose’s message', async () => {
  const engine = new FakeEngine();
  engine.programs = { db: { health: 'unhealthy' }, job: { exitCode: 2 } };
  const p = project(`
services:
  db: {image: busybox}
  web: {image: busybox, depends_on: {db: {condition: service_healthy}}}
`);
  await assert.rejects(upProject(session(engine), p, detached()), { message: 'dependency failed to start: container app-db-1 is unhealthy' });
  assert.equal(engine.state('app-web-1'), 'created');
  const engine2 = new FakeEngine();
  engine2.programs = { job: { exitCode: 2 } };
  const p2 = project(`
services:
  job: {image: busybox}
  web: {image: busybox, depends_on: {job: {condition: service_completed_successfully}}}
`);
  await assert.rejects(upProject(session(engine2), p2, detached()), { message: `service "job" didn't complete successfully: exit 2` });
});

test('attached up prints `name  | line`, each exit, and returns the --exit-code-from container’s code', async () => {
  const engine = new FakeEngine();
  engine.programs = { job: { output: ['working', 'done'], exitCode: 3 }, web: { output: ['listening'] } };
  const s = session(engine);
  const p = project(`
services:
  job: {image: busybox}
  web: {image: busybox}
`);
  const code = await upProject(s, p, { services: [], plan: {}, detach: false, exitCodeFrom: 'job', cascade: 'stop' });
  assert.equal(code, 3);
  const out = s.out.join('');
  assert.match(out, /^Attaching to job-1, web-1\n/);
  assert.match(out, /job-1 {2}\| working\njob-1 {2}\| done\n/);
  assert.match(out, /web-1 {2}\| listening\n/);
  assert.match(out, /job-1 exited with code 3\nAborting on container exit\.\.\.\n/);
  assert.equal(engine.state('app-web-1'), 'exited');
});

test('attached up ends when every container has exited; ctrl-c stops the project and returns 130', async () => {
  const engine = new FakeEngine();
  engine.programs = { a: { output: ['a says hi'], exitCode: 0 }, b: { exitCode: 1 } };
  const s = session(engine);
  const p = project(`services:\n  a: {image: busybox}\n  b: {image: busybox}\n`);
  assert.equal(await upProject(s, p, { services: [], plan: {}, detach: false }), 0);
  assert.match(s.out.join(''), /a-1 exited with code 0\n/);
  assert.match(s.out.join(''), /b-1 exited with code 1\n/);

  const engine2 = new FakeEngine();
  const s2 = session(engine2);
  const running = upProject(s2, project(`services:\n  srv: {image: busybox}\n`), { services: [], plan: {}, detach: false });
  while (engine2.state('app-srv-1') !== 'running') await new Promise((r) => setImmediate(r));
  s2.interrupt();
  assert.equal(await running, 130);
  assert.equal(engine2.state('app-srv-1'), 'exited');
  assert.match(s2.err.join(''), /Gracefully stopping\.\.\. \(press Ctrl\+C again to force\)\n(.|\n)* Container app-srv-1 {2}Stopped\n/);
});

test('create makes containers without starting them; start starts them in dependency order', async () => {
  const engine = new FakeEngine();
  const s = session(engine);
  const p = project(webDb);
  await createProject(s, p, { services: [], plan: {} });
  assert.deepEqual(engine.calls.filter((c) => c.startsWith('start')), []);
  assert.equal(engine.state('app-web-1'), 'created');
  await startProject(s, p, { services: [] });
  assert.deepEqual(engine.calls.filter((c) => c.startsWith('start')), ['start app-db-1', 'start app-web-1']);
});

test('stop stops dependents first; restart, pause, unpause, kill, rm', async () => {
  const engine = new FakeEngine();
  const s = session(engine);
  const p = project(webDb);
  await upProject(s, p, detached());
  engine.calls.length = 0;
  await stopProject(s, p, { services: [] });
  assert.deepEqual(engine.calls, ['stop app-web-1', 'stop app-db-1']);
  await startProject(s, p, { services: [] });
  engine.calls.length = 0;
  await restartProject(s, p, { services: ['web'] });
  await pauseProject(s, p, { services: ['db'] });
  await unpauseProject(s, p, { services: ['db'] });
  await killProject(s, p, { services: ['web'], signal: 'SIGTERM' });
  assert.deepEqual(engine.calls, ['restart app-web-1', 'pause app-db-1', 'unpause app-db-1', 'kill app-web-1 SIGTERM']);
  s.out.length = 0;
  await removeStopped(s, p, { services: [], force: true, stop: false, volumes: false, confirm: async () => assert.fail('forced: no question') });
  assert.equal(s.out.join(''), 'Going to remove app-web-1\n');
  assert.deepEqual(engine.names(), ['app-db-1']);
  let asked = '';
  await removeStopped(s, p, { services: [], force: false, stop: true, volumes: true, confirm: async (m) => ((asked = m), false) });
  assert.equal(asked, 'Going to remove app-db-1');
  assert.deepEqual(engine.names(), ['app-db-1']);
  await assert.rejects(stopProject(s, p, { services: ['nope'] }), { message: 'no such service: nope' });
});

test('down removes containers dependents first, then the network; -v the named volumes too', async () => {
  const engine = new FakeEngine();
  const s = session(engine);
  const p = project(webDb);
  await upProject(s, p, detached());
  engine.calls.length = 0;
  await downProject(s, p, { fromFiles: true });
  assert.deepEqual(engine.calls, ['stop app-web-1', 'rm app-web-1', 'stop app-db-1', 'rm app-db-1', 'network rm app_default']);
  assert.ok(engine.volumes.has('app_data'));
  await upProject(s, p, detached());
  engine.calls.length = 0;
  await downProject(s, p, { fromFiles: true, volumes: true });
  assert.ok(engine.calls.includes('volume rm app_data'));
  assert.ok(engine.calls.includes('rm app-db-1 -v'));
  assert.equal(engine.volumes.size, 0);
  s.err.length = 0;
  await downProject(s, p, { fromFiles: true });
  assert.equal(s.err.join(''), 'WARN[0000] Warning: No resource found to remove for project "app".\n');
});

test('secrets and configs given by value are written into the container; post_start hooks run after the start', async () => {
  const engine = new FakeEngine();
  const s = session(engine);
  const p = project(`
services:
  web:
    image: busybox
    configs: [{source: page, target: /www/index.html}]
    post_start:
      - command: [touch, /started]
configs:
  page:
    content: hello
`);
  await upProject(s, p, detached());
  const archive = engine.calls.find((c) => c.startsWith('archive app-web-1 /'));
  assert.ok(archive, engine.calls.join('\n'));
  assert.ok(engine.calls.indexOf('start app-web-1') < engine.calls.indexOf('exec app-web-1 touch /started'));
  const failing = project(`services:\n  web:\n    image: busybox\n    post_start:\n      - command: [exit, '4']\n`);
  await assert.rejects(upProject(session(new FakeEngine()), failing, detached()), { message: 'web hook exited with status 4: failed with 4' });
});

test('images: missing ones are pulled, a pull that fails names the image; keys Berth cannot carry out are refused first', async () => {
  const engine = new FakeEngine([]);
  const s = session(engine);
  await upProject(s, project('services:\n  web: {image: redis:alpine}\n'), detached());
  assert.ok(engine.calls.includes('pull redis:alpine'));
  assert.match(s.err.join(''), / web Pulling \n(.|\n)* web Pulled \n/);
  await assert.rejects(upProject(session(engine), project('services:\n  web: {image: missing/app}\n'), detached()), /pull access denied for missing\/app/);
  const refused = project('services:\n  web:\n    image: busybox\n    build:\n      context: .\n      ssh: [default]\n');
  await assert.rejects(upProject(session(engine), refused, detached()), { message: `service "web": the classic builder doesn't support SSH keys, set DOCKER_BUILDKIT=1 to use BuildKit` });
  const swarm = session(engine);
  await upProject(swarm, project('services:\n  web:\n    image: busybox\n    deploy:\n      placement: {constraints: [node.role==manager]}\n'), detached());
  assert.match(swarm.err.join(''), /^WARN\[0000\] services\.web\.deploy\.placement is a swarm setting: it has no effect with compose\n/);
  const calls = engine.calls.length;
  await assert.rejects(upProject(session(engine), project('services:\n  web: {image: busybox, use_api_socket: true}\n'), detached()), /use_api_socket is not supported/);
  assert.equal(engine.calls.length, calls);
});
