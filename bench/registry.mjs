// Berth's registry (`berth registry serve`) against Debian's docker-registry (distribution 2.8),
// in one run, on loopback:
//   push    `docker push` of a 5-layer image (~200 MB of tar) through a private daemon
//   pull    `docker pull` of it into an empty daemon
//   pullsN  N clients pulling the image at once straight from the registry (manifest, config and
//           every layer, each with its own curl), the registry's side of a fleet pulling a tag
//   RSS     the registry process's resident memory: idle, and its peak in each phase (sampled
//           every 20 ms from /proc) — flat in the image size means blobs are streamed
// The daemon is a private dockerd 20.10 on its own roots (data root, exec root, socket, no bridge
// or iptables) when `dockerd` exists, else a private berthd. Everything it starts it stops by pid.
// Env: ROUNDS (default 2, alternating which registry goes first), PULLS (default 20).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repo, rssKiB, startBerthd } from './lib.mjs';

const mbPerLayer = Number(process.argv[2] ?? 40);
const layers = 5;
const rounds = Number(process.env.ROUNDS ?? 2);
const pulls = Number(process.env.PULLS ?? 20);
const work = mkdtempSync('/tmp/berth-bench-registry-');
const started = [];

function sh(cmd, env) {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout;
}

async function sha256File(path) {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c);
  return `sha256:${h.digest('hex')}`;
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function waitFor(check, what) {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not start`);
}

/** A private dockerd 20.10 on its own roots, or berthd when dockerd is not installed. */
async function startDaemon() {
  if (spawnSync('sh', ['-c', 'command -v dockerd']).status === 0 && process.env.BENCH_DAEMON !== 'berthd') {
    const dir = join(work, 'dockerd');
    mkdirSync(dir, { recursive: true });
    const socket = join(dir, 'docker.sock');
    const child = spawn('dockerd', ['--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '-H', `unix://${socket}`, '--pidfile', join(dir, 'docker.pid'), '--bridge=none', '--iptables=false', '--ip-masq=false'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.on('data', (d) => (log += d));
    const host = `unix://${socket}`;
    await waitFor(() => spawnSync('docker', ['version'], { env: { ...process.env, DOCKER_HOST: host } }).status === 0, `dockerd (${log.slice(-500)})`);
    const version = sh('docker version --format {{.Server.Version}}', { DOCKER_HOST: host }).trim();
    return {
      name: `dockerd ${version}`,
      host,
      async stop() {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 20000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
        for (const m of readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m && m.startsWith(dir)).sort((a, b) => b.length - a.length)) spawnSync('umount', ['-l', m]);
      },
    };
  }
  const b = await startBerthd();
  return { name: 'berthd', host: b.host, stop: () => b.stop() };
}

async function startRegistry(kind) {
  const port = await freePort();
  const dir = join(work, `${kind}-${port}`);
  mkdirSync(join(dir, 'data'), { recursive: true });
  let child;
  if (kind === 'berth') {
    writeFileSync(join(dir, 'config.yml'), `log:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`);
    child = spawn(process.execPath, [join(repo, 'dist/berth.mjs'), 'registry', 'serve', '--config', join(dir, 'config.yml')], { stdio: 'ignore' });
  } else {
    writeFileSync(join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`);
    child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  }
  started.push(child);
  await waitFor(() => spawnSync('curl', ['-sf', `http://127.0.0.1:${port}/v2/`]).status === 0, kind);
  return {
    kind,
    host: `127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn`, sampling `pid`'s RSS every 20 ms; returns wall ms and the peak in KiB. */
async function measured(pid, fn) {
  let peak = rssKiB(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 20);
  const t0 = process.hrtime.bigint();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, peak: Math.max(peak, rssKiB(pid)) };
}

function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: ${err}`))));
  });
}

/** One client pulling the whole image from the registry: manifest, then every blob, in order. */
function pullScript(host, name, tag) {
  const url = `http://${host}/v2/${name}`;
  return `set -e
m=$(curl -sf -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' ${url}/manifests/${tag})
for d in $(printf '%s' "$m" | grep -o 'sha256:[0-9a-f]\\{64\\}'); do curl -sf -o /dev/null ${url}/blobs/$d; done`;
}

let daemon;
try {
  // 1. a docker-archive with five layers: half random (incompressible), half text
  console.log(`building ${layers} layers of ${mbPerLayer} MB…`);
  const archive = join(work, 'archive');
  mkdirSync(archive, { recursive: true });
  const diffIds = [];
  for (let i = 0; i < layers; i++) {
    const dir = join(work, `layer${i}`, `data${i}`);
    mkdirSync(dir, { recursive: true });
    sh(`head -c ${(mbPerLayer / 2) * 1048576} /dev/urandom > ${dir}/random.bin`);
    sh(`yes "layer ${i} of the registry benchmark, compressible text" | head -c ${(mbPerLayer / 2) * 1048576} > ${dir}/text.txt`);
    mkdirSync(join(archive, `l${i}`));
    sh(`tar -C ${join(work, `layer${i}`)} --owner=0 --group=0 --mtime=@0 -cf ${join(archive, `l${i}`, 'layer.tar')} data${i}`);
    diffIds.push(await sha256File(join(archive, `l${i}`, 'layer.tar')));
    rmSync(join(work, `layer${i}`), { recursive: true, force: true });
  }
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: diffIds }, history: diffIds.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'bench' })) });
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  writeFileSync(join(archive, configName), config);
  writeFileSync(join(archive, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: ['bench/big:latest'], Layers: diffIds.map((_, i) => `l${i}/layer.tar`) }]));
  sh(`tar -C ${archive} -cf ${join(work, 'image.tar')} .`);
  rmSync(archive, { recursive: true, force: true });
  const tarMB = statSync(join(work, 'image.tar')).size / 1e6;

  daemon = await startDaemon();
  const env = { DOCKER_HOST: daemon.host };
  const docker = (args) => run('docker', args, env);
  const clean = () => {
    const ids = sh('docker images -q', env).trim().split('\n').filter(Boolean);
    if (ids.length) sh(`docker rmi -f ${[...new Set(ids)].join(' ')}`, env);
  };
  await docker(['load', '-i', join(work, 'image.tar')]);
  console.log(`image: ${layers} layers, ${tarMB.toFixed(0)} MB of tar; daemon: ${daemon.name}; ${pulls} concurrent pulls; ${rounds} round(s)`);

  const results = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['berth', 'distribution'] : ['distribution', 'berth'];
    for (const kind of order) {
      const reg = await startRegistry(kind);
      const ref = `${reg.host}/bench/big:1`;
      await new Promise((r) => setTimeout(r, 300));
      const idle = rssKiB(reg.pid);
      await docker(['tag', 'bench/big:latest', ref]);
      const push = await measured(reg.pid, () => docker(['push', ref]));
      clean();
      const pull = await measured(reg.pid, () => docker(['pull', ref]));
      await docker(['tag', ref, 'bench/big:latest']);
      const fleet = await measured(reg.pid, () => Promise.all(Array.from({ length: pulls }, () => run('sh', ['-c', pullScript(reg.host, 'bench/big', '1')]))));
      const sizeMB = Number(sh(`du -sm ${join(work, `${kind}-${reg.host.split(':')[1]}`, 'data')}`).split('\t')[0]);
      results.push({ kind, round, idle, push, pull, fleet, sizeMB });
      console.log(`  round ${round + 1} ${kind.padEnd(12)} push ${(push.ms / 1000).toFixed(2)} s  pull ${(pull.ms / 1000).toFixed(2)} s  ${pulls} pulls ${(fleet.ms / 1000).toFixed(2)} s  RSS idle ${(idle / 1024).toFixed(1)} / peak ${(Math.max(push.peak, pull.peak, fleet.peak) / 1024).toFixed(1)} MiB  (${sizeMB} MB stored)`);
      await reg.stop();
      started.splice(started.findIndex((c) => c.pid === reg.pid), 1);
    }
  }

  const mean = (kind, f) => {
    const xs = results.filter((r) => r.kind === kind).map(f);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const row = (label, f, unit, digits = 2) => {
    const b = mean('berth', f);
    const dist = mean('distribution', f);
    return `| ${label} | ${b.toFixed(digits)} ${unit} | ${dist.toFixed(digits)} ${unit} | ${(b / dist).toFixed(2)}× |`;
  };
  const fleetGB = (pulls * mean('berth', (r) => r.sizeMB)) / 1000;
  console.log('');
  console.log(`| ${layers} layers, ${tarMB.toFixed(0)} MB of tar, through ${daemon.name}; mean of ${rounds} round(s) | berth registry | docker-registry 2.8 | berth / distribution |`);
  console.log('|---|---|---|---|');
  console.log(row('docker push', (r) => r.push.ms / 1000, 's'));
  console.log(row('docker pull', (r) => r.pull.ms / 1000, 's'));
  console.log(row(`${pulls} concurrent pulls (~${fleetGB.toFixed(1)} GB served)`, (r) => r.fleet.ms / 1000, 's'));
  console.log(row('registry RSS idle', (r) => r.idle / 1024, 'MiB', 1));
  console.log(row('registry peak RSS during push', (r) => r.push.peak / 1024, 'MiB', 1));
  console.log(row('registry peak RSS during pull', (r) => r.pull.peak / 1024, 'MiB', 1));
  console.log(row(`registry peak RSS during ${pulls} pulls`, (r) => r.fleet.peak / 1024, 'MiB', 1));
} finally {
  for (const c of started) if (c.exitCode === null) c.kill('SIGTERM');
  await daemon?.stop();
  if (existsSync(work)) rmSync(work, { recursive: true, force: true });
}
