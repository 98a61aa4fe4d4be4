// Pull and push of a 5-layer image (~200 MB of tar, gzip-compressed in the registry) over
// loopback: berthd (its CLI) and, when REF_DOCKER_HOST (or /var/run/docker.sock) answers, dockerd
// through the docker CLI, in one run. Reports wall time and berthd's peak RSS while each runs
// (sampled every 20 ms from /proc) — flat memory means layers are streamed, never buffered.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { referenceDocker, repo, rssKiB, startBerthd } from './lib.mjs';

const mbPerLayer = Number(process.argv[2] ?? 40);
const layers = 5;
const work = mkdtempSync('/tmp/berth-bench-pp-');
const registries = [];

function sh(cmd) {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 26 });
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

async function startRegistry(name) {
  const port = await freePort();
  const dir = join(work, name);
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  registries.push(child);
  for (let i = 0; i < 200; i++) {
    if (spawnSync('curl', ['-sf', `http://127.0.0.1:${port}/v2/`]).status === 0) return `127.0.0.1:${port}`;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('docker-registry did not start');
}

function upload(host, repoName, file, digest) {
  const loc = sh(`curl -sf -D - -o /dev/null -X POST http://${host}/v2/${repoName}/blobs/uploads/ | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p'`).trim();
  const url = new URL(loc, `http://${host}`);
  url.searchParams.set('digest', digest);
  sh(`curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary @${file} '${url.href}'`);
}

/** Runs a command asynchronously, sampling `pid`'s RSS meanwhile; returns wall ms and peak KiB. */
function measured(cmd, args, env, pid) {
  return new Promise((resolve, reject) => {
    let peak = pid ? rssKiB(pid) : 0;
    const t0 = process.hrtime.bigint();
    const timer = pid ? setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 20) : undefined;
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      clearInterval(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')}: ${err}`));
      else resolve({ ms, peak });
    });
  });
}

let berthd;
try {
  // 1. five layers: half random (incompressible), half text (compressible)
  console.log(`building ${layers} layers of ${mbPerLayer} MB…`);
  const built = [];
  for (let i = 0; i < layers; i++) {
    const dir = join(work, `layer${i}`, `data${i}`);
    mkdirSync(dir, { recursive: true });
    sh(`head -c ${(mbPerLayer / 2) * 1048576} /dev/urandom > ${dir}/random.bin`);
    sh(`yes "layer ${i} of the pull-push benchmark, compressible text" | head -c ${(mbPerLayer / 2) * 1048576} > ${dir}/text.txt`);
    const tar = join(work, `layer${i}.tar`);
    sh(`tar -C ${join(work, `layer${i}`)} --owner=0 --group=0 --mtime=@0 -cf ${tar} data${i} && gzip -6 -c ${tar} > ${tar}.gz`);
    built.push({ diffId: await sha256File(tar), digest: await sha256File(`${tar}.gz`), size: statSync(`${tar}.gz`).size, gz: `${tar}.gz`, tarSize: statSync(tar).size });
    rmSync(join(work, `layer${i}`), { recursive: true, force: true });
    rmSync(tar);
  }
  const source = await startRegistry('source');
  const target = await startRegistry('target');
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: built.map((b) => b.diffId) }, history: built.map(() => ({ created_by: 'bench' })) }));
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  writeFileSync(join(work, 'config.json'), config);
  for (const b of built) upload(source, 'bench/big', b.gz, b.digest);
  upload(source, 'bench/big', join(work, 'config.json'), configDigest);
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest }, layers: built.map((b) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: b.size, digest: b.digest })) });
  writeFileSync(join(work, 'manifest.json'), manifest);
  sh(`curl -sf -X PUT -H 'Content-Type: application/vnd.docker.distribution.manifest.v2+json' --data-binary @${join(work, 'manifest.json')} http://${source}/v2/bench/big/manifests/latest`);
  const tarMB = built.reduce((n, b) => n + b.tarSize, 0) / 1e6;
  const gzMB = built.reduce((n, b) => n + b.size, 0) / 1e6;
  console.log(`image: ${layers} layers, ${tarMB.toFixed(0)} MB of tar, ${gzMB.toFixed(0)} MB gzipped in the registry`);

  // 2. berth
  berthd = await startBerthd();
  const berth = [process.execPath, join(repo, 'dist/berth.mjs')];
  const env = { BERTH_HOST: berthd.host };
  const idle = rssKiB(berthd.pid);
  const rows = [];
  const pull = await measured(berth[0], [berth[1], 'pull', `${source}/bench/big`], env, berthd.pid);
  rows.push(['berth pull', pull]);
  spawnSync(berth[0], [berth[1], 'tag', `${source}/bench/big`, `${target}/bench/berth:latest`], { env: { ...process.env, ...env } });
  const push = await measured(berth[0], [berth[1], 'push', `${target}/bench/berth:latest`], env, berthd.pid);
  rows.push(['berth push', push]);
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${berthd.pid}/status`, 'utf8'))[1]);

  // 3. dockerd, when one answers
  const ref = referenceDocker();
  if (ref) {
    const denv = { DOCKER_HOST: ref.host };
    // REF_DOCKERD_PID: sample the reference daemon's RSS too (dockerd alone, not containerd)
    const dpid = Number(process.env.REF_DOCKERD_PID) || undefined;
    spawnSync('docker', ['rmi', '-f', `${source}/bench/big`, `${target}/bench/docker:latest`], { env: { ...process.env, ...denv } });
    rows.push([`docker pull (dockerd ${ref.version})`, await measured('docker', ['pull', `${source}/bench/big`], denv, dpid)]);
    spawnSync('docker', ['tag', `${source}/bench/big`, `${target}/bench/docker:latest`], { env: { ...process.env, ...denv } });
    rows.push([`docker push (dockerd ${ref.version})`, await measured('docker', ['push', `${target}/bench/docker:latest`], denv, dpid)]);
    spawnSync('docker', ['rmi', '-f', `${source}/bench/big`, `${target}/bench/docker:latest`], { env: { ...process.env, ...denv } });
  } else {
    console.log('no reference dockerd (set REF_DOCKER_HOST): berth only');
  }
  for (const [label, r] of rows) {
    console.log(`  ${label.padEnd(34)} ${(r.ms / 1000).toFixed(2).padStart(7)} s   ${((tarMB / r.ms) * 1000).toFixed(0).padStart(4)} MB/s${r.peak ? `   ${label.startsWith('berth') ? 'berthd' : 'dockerd'} peak RSS ${(r.peak / 1024).toFixed(1)} MiB` : ''}`);
  }
  console.log(`berthd RSS idle before: ${(idle / 1024).toFixed(1)} MiB; high-water mark (VmHWM) after both: ${(hwm / 1024).toFixed(1)} MiB`);
} finally {
  await berthd?.stop();
  for (const r of registries) r.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
