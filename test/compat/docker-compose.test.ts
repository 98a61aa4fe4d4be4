// docker-compose 1.29 (Debian's docker-compose, on docker-py) against berthd: the seeds' compose
// files brought up, listed and torn down, and projects handed between docker-compose and berth
// compose both ways — found by their labels, recreated under compose v2's names, torn down with
// their networks and volumes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startDaemon, type RunResult, type TestDaemon } from '../helpers/daemon.ts';

const dockerCompose = '/usr/bin/docker-compose';
let d: TestDaemon;
let work: string;

function v1(dir: string, args: string[]): RunResult {
  const r = spawnSync(dockerCompose, args, { cwd: dir, env: { ...process.env, DOCKER_HOST: d.host, COMPOSE_INTERACTIVE_NO_CLI: '1' }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function v2(dir: string, args: string[]): RunResult {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'berth.mjs'), 'compose', ...args], { cwd: dir, env: { ...process.env, BERTH_HOST: d.host }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const ok = (r: RunResult, what: string) => {
  assert.equal(r.code, 0, `${what} (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
};

function projectDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(work, 'p'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Containers of a project: name → labels. */
function projectContainers(project: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  const ids = d.berthOk(['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`]).split('\n').filter(Boolean);
  for (const id of ids) {
    const [name, labels] = d.berthOk(['inspect', '-f', '{{.Name}} {{json .Config.Labels}}', id]).trim().split(/ (.*)/s);
    out.set(name.slice(1), JSON.parse(labels) as Record<string, string>);
  }
  return out;
}

function makeImage(tag: string, setup: string, cmd: string[]): void {
  const name = `mk-${randomBytes(4).toString('hex')}`;
  d.berthOk(['run', '--name', name, 'busybox', 'sh', '-c', setup]);
  d.berthOk(['commit', '-c', `CMD ${JSON.stringify(cmd)}`, name, tag]);
  d.berthOk(['rm', name]);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function httpGet(url: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const r = spawnSync('curl', ['-s', '--max-time', '2', url], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout) return r.stdout;
    await new Promise((res) => setTimeout(res, 100));
  }
  return '';
}

before(async () => {
  assert.ok(existsSync(dockerCompose), 'docker-compose 1.29 (Debian package docker-compose) is installed');
  work = mkdtempSync('/tmp/berth-compose-compat-');
  d = await startDaemon();
  d.berthOk(['pull', 'busybox']);
  makeImage('registry:2.7.1', 'mkdir -p /www/v2 && echo "{}" > /www/v2/index.html', ['httpd', '-f', '-p', '5000', '-h', '/www']);
  makeImage('joxit/docker-registry-ui:latest', 'mkdir -p /www', ['sh', '-c', 'echo "<title>$REGISTRY_TITLE</title>" > /www/index.html; exec httpd -f -p 80 -h /www']);
  makeImage('redis:5.0.12', 'mkdir -p /usr/local/redis /usr/local/bin && printf "#!/bin/sh\\nexec sleep 600\\n" > /usr/local/bin/redis-server && chmod +x /usr/local/bin/redis-server', ['redis-server']);
  makeImage('sdn-controller:latest', 'mkdir -p /opt/ryu/log', ['sh', '-c', 'ping -c 1 redis > /opt/ryu/log/redis.txt; exec sleep 600']);
});
after(async () => {
  await d?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('docker-compose 1.29 against berthd', () => {
  it('runs the seed registry + UI file: up -d, ps, the services answer, down', async () => {
    const [regPort, uiPort] = [await freePort(), await freePort()];
    // The seed file, its host ports and host paths moved into the test's own space.
    const seed = readFileSync(join(repoRoot, 'src', 'compose', 'testdata', 'seed-registry-ui', 'docker-compose.yaml'), 'utf8')
      .replace('- 5000:5000', `- 127.0.0.1:${regPort}:5000`)
      .replace('- 80:80', `- 127.0.0.1:${uiPort}:80`)
      .replace('/opt/registry:', './registry:')
      .replace('/etc/docker/registry/config.yml:', './config.yml:');
    const dir = projectDir({ 'docker-compose.yaml': seed, 'config.yml': 'version: 0.1\n' });
    mkdirSync(join(dir, 'registry'));
    const project = dir.split('/').pop()!.toLowerCase();
    ok(v1(dir, ['up', '-d']), 'docker-compose up -d');
    assert.equal(await httpGet(`http://127.0.0.1:${regPort}/v2/`), '{}\n');
    assert.equal(await httpGet(`http://127.0.0.1:${uiPort}/`), '<title>My Private Docker Registry</title>\n');
    const ps = ok(v1(dir, ['ps']), 'docker-compose ps').stdout;
    assert.match(ps, new RegExp(`^${project}_registry_1 +httpd -f -p 5000 -h /www +Up +127\\.0\\.0\\.1:${regPort}->5000/tcp *$`, 'm'));
    assert.match(ps, new RegExp(`^${project}_ui_1 +sh -c echo .* +Up +127\\.0\\.0\\.1:${uiPort}->80/tcp *$`, 'm'));
    ok(v1(dir, ['down']), 'docker-compose down');
    assert.equal(projectContainers(project).size, 0);
    assert.doesNotMatch(d.berthOk(['network', 'ls', '--format', '{{.Name}}']), new RegExp(`^${project}_default$`, 'm'));
  });

  it('runs the seed SDN controller file: container_name, restart: always, links by service name, bind volumes', async () => {
    const [a, b, c] = [await freePort(), await freePort(), await freePort()];
    const seed = readFileSync(join(repoRoot, 'src', 'compose', 'testdata', 'seed-sdn-controller', 'docker-compose.yml'), 'utf8')
      .replace('- 8080:8080', `- 127.0.0.1:${a}:8080`)
      .replace('- 6653:6653', `- 127.0.0.1:${b}:6653`)
      .replace('- 6379:6379', `- 127.0.0.1:${c}:6379`)
      .replace(/container_name: (sdn-controller|redis)/g, (_m, n: string) => `container_name: ${n}-${a}`);
    const dir = projectDir({ 'docker-compose.yml': seed });
    mkdirSync(join(dir, 'conf'));
    writeFileSync(join(dir, 'conf', 'ryu_app.list'), 'app\n');
    writeFileSync(join(dir, 'conf', 'redis.conf'), 'port 6379\n');
    ok(v1(dir, ['up', '-d']), 'docker-compose up -d');
    assert.equal(d.berthOk(['inspect', '-f', '{{.HostConfig.RestartPolicy.Name}}', `redis-${a}`]), 'always\n');
    for (let i = 0; i < 50 && !existsSync(join(dir, 'log', 'redis.txt')); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(readFileSync(join(dir, 'log', 'redis.txt'), 'utf8'), /1 packets transmitted, 1 packets received/);
    // berth compose sees the same project through its labels, and takes it down.
    const ps = ok(v2(dir, ['ps']), 'berth compose ps').stdout;
    assert.match(ps, new RegExp(`^redis-${a} +redis:5\\.0\\.12 +"redis-server /usr/l…" +redis +`, 'm'));
    ok(v2(dir, ['down', '-t', '1']), 'berth compose down');
    assert.equal(projectContainers(dir.split('/').pop()!.toLowerCase()).size, 0);
  });
});

describe('labels and names: berth compose and docker-compose 1.29 hand projects to each other', () => {
  const file = 'services:\n  web:\n    image: busybox\n    command: sleep 600\n    depends_on: [db]\n  db:\n    image: busybox\n    command: sleep 600\n    volumes: [data:/data]\nvolumes:\n  data: {}\n';

  it('berth compose up → docker-compose ps and down (containers, network, volume)', () => {
    const dir = projectDir({ 'docker-compose.yml': file });
    const project = dir.split('/').pop()!.toLowerCase();
    ok(v2(dir, ['up', '-d']), 'berth compose up -d');
    const labels = projectContainers(project);
    assert.deepEqual([...labels.keys()].sort(), [`${project}-db-1`, `${project}-web-1`]);
    assert.equal(labels.get(`${project}-db-1`)!['com.docker.compose.version'], '2.29.7');
    const ps = ok(v1(dir, ['ps']), 'docker-compose ps').stdout;
    assert.match(ps, new RegExp(`^${project}-db-1 +sleep 600 +Up`, 'm'));
    assert.match(ps, new RegExp(`^${project}-web-1 +sleep 600 +Up`, 'm'));
    assert.match(ok(v1(dir, ['ps', '--services']), 'docker-compose ps --services').stdout, /^db\nweb\n$/);
    ok(v1(dir, ['down', '-v', '-t', '1']), 'docker-compose down -v');
    assert.equal(projectContainers(project).size, 0);
    assert.doesNotMatch(d.berthOk(['network', 'ls', '--format', '{{.Name}}']), new RegExp(`^${project}_default$`, 'm'));
    assert.doesNotMatch(d.berthOk(['volume', 'ls', '-q']), new RegExp(`^${project}_data$`, 'm'));
  });

  it('docker-compose up → berth compose ps, ls, up (recreated under v2 names, the volume kept) and down -v', () => {
    const dir = projectDir({ 'docker-compose.yml': file });
    const project = dir.split('/').pop()!.toLowerCase();
    ok(v1(dir, ['up', '-d']), 'docker-compose up -d');
    const v1Labels = projectContainers(project);
    assert.deepEqual([...v1Labels.keys()].sort(), [`${project}_db_1`, `${project}_web_1`]);
    assert.equal(v1Labels.get(`${project}_db_1`)!['com.docker.compose.version'], '1.29.2');
    d.berthOk(['exec', `${project}_db_1`, 'sh', '-c', 'echo from-v1 > /data/f']);
    const ps = ok(v2(dir, ['ps']), 'berth compose ps').stdout;
    assert.match(ps, new RegExp(`^${project}_db_1 +busybox +"sleep 600" +db +`, 'm'));
    assert.match(ps, new RegExp(`^${project}_web_1 +busybox +"sleep 600" +web +`, 'm'));
    assert.match(ok(v2(dir, ['ls']), 'berth compose ls').stdout, new RegExp(`^${project} +running\\(2\\) +`, 'm'));
    const up = ok(v2(dir, ['up', '-d', '-t', '1']), 'berth compose up -d');
    assert.match(up.stderr, new RegExp(` Container ${project}_db_1  Recreated\n`));
    assert.deepEqual([...projectContainers(project).keys()].sort(), [`${project}-db-1`, `${project}-web-1`]);
    assert.equal(d.berthOk(['exec', `${project}-db-1`, 'cat', '/data/f']), 'from-v1\n');
    ok(v2(dir, ['down', '-v', '-t', '1']), 'berth compose down -v');
    assert.equal(projectContainers(project).size, 0);
    assert.doesNotMatch(d.berthOk(['volume', 'ls', '-q']), new RegExp(`^${project}_data$`, 'm'));
    assert.doesNotMatch(d.berthOk(['network', 'ls', '--format', '{{.Name}}']), new RegExp(`^${project}_default$`, 'm'));
  });
});
