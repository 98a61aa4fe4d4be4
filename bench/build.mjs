// Image builds, berthd against a reference dockerd 20.10 in one run, both driven by the same
// docker CLI (classic builder, DOCKER_BUILDKIT=0, --network=none on both: the reference runs
// without a bridge). The context: a Dockerfile of 17 steps over a 2,000-file source tree, two
// independent stages (dependencies, application) and a final stage copying from both.
// Reported: a no-cache build, a fully cached rebuild, a rebuild after editing one source file
// (median of RUNS each), and berthd's peak RSS while it receives a 100 MB and a 1 GB context
// (sampled every 20 ms from /proc) — flat memory means the context is streamed.
// Usage: bench/build [RUNS]
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, rssKiB, startBerthd, startReferenceDockerd } from './lib.mjs';

const runs = Number(process.argv[2] ?? 3);
const work = mkdtempSync('/tmp/berth-bench-build-');

const dockerfile = `FROM busybox AS deps
WORKDIR /deps
COPY deps/ ./
RUN find . -type f | sort > /deps.manifest
RUN md5sum $(find . -type f | sort) > /deps.sums
RUN tar -cf /deps.tar .

FROM busybox AS app
WORKDIR /app
COPY src/ ./src/
RUN find src -type f | wc -l > /app.count
RUN md5sum $(find src -type f | sort) > /app.sums
RUN tar -cf /app.tar src

FROM busybox
ENV APP_HOME=/opt/app
LABEL bench=build
COPY --from=deps /deps.tar /deps.sums $APP_HOME/
COPY --from=app /app.tar /app.sums /app.count $APP_HOME/
CMD ["sh"]
`;

function makeContext(dir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  // 2,000 files: 200 dependencies, 1,800 application sources in 60 directories
  for (let i = 0; i < 200; i++) {
    const d = join(dir, 'deps', `lib${i % 10}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `dep${i}.js`), `// dependency ${i}\n${'export const x = 1;\n'.repeat(20 + (i % 50))}`);
  }
  for (let i = 0; i < 1800; i++) {
    const d = join(dir, 'src', `module${i % 60}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `file${i}.ts`), `// source ${i}\n${'export function f() { return 42; }\n'.repeat(10 + (i % 40))}`);
  }
}

function timed(docker, args, cwd) {
  const t0 = process.hrtime.bigint();
  const r = docker(args, { cwd });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, out: r.stdout };
}

/** Runs the docker CLI asynchronously while sampling `pid`'s RSS; returns ms and peak KiB. */
function sampled(env, args, cwd, pid) {
  return new Promise((resolve, reject) => {
    let peak = rssKiB(pid);
    const timer = setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 20);
    const t0 = process.hrtime.bigint();
    const child = spawn('docker', args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      clearInterval(timer);
      if (code !== 0) reject(new Error(`docker ${args.join(' ')}: ${err}`));
      else resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, peak });
    });
  });
}

let berthd;
let ref;
try {
  const ctx = join(work, 'ctx');
  makeContext(ctx);
  berthd = await startBerthd({ isolatedNetwork: true });
  const benv = { DOCKER_HOST: berthd.host, DOCKER_CONFIG: join(work, 'docker-config'), DOCKER_BUILDKIT: '0' };
  const berthDocker = (args, o = {}) => spawnSync('docker', args, { env: { ...process.env, ...benv }, encoding: 'utf8', cwd: o.cwd, maxBuffer: 1 << 26 });
  if (berthd.berth(['pull', 'busybox']).status !== 0) throw new Error('berth pull busybox failed');
  ref = await startReferenceDockerd();
  if (!ref?.version) throw new Error('the reference dockerd (docker.io) did not start');
  const tar = join(work, 'busybox.tar');
  berthd.berth(['save', '-o', tar, 'busybox']);
  if (ref.docker(['load', '-i', tar]).status !== 0) throw new Error('docker load into the reference dockerd failed');
  const refDocker = (args, o = {}) => ref.docker(args, { ...o, env: { DOCKER_BUILDKIT: '0' } });
  console.log(`context: 2,000 files, Dockerfile of 17 steps (two independent stages + a final one); ${runs} runs each, median`);

  const daemons = [
    ['berthd', berthDocker, berthd],
    [`dockerd ${ref.version.split('+')[0]}`, refDocker, ref],
  ];
  const results = new Map();
  const build = (docker, extra = []) => timed(docker, ['build', '--network=none', '-t', 'bench-build', ...extra, '.'], ctx);
  for (const [name, docker] of daemons) {
    const r = { nocache: [], cached: [], edited: [] };
    build(docker); // warm: base image layers, page cache
    for (let i = 0; i < runs; i++) {
      r.nocache.push(build(docker, ['--no-cache']).ms);
      const cached = build(docker);
      if ((cached.out.match(/Using cache/g) ?? []).length < 12) throw new Error(`${name}: the rebuild was not served by the cache:\n${cached.out}`);
      r.cached.push(cached.ms);
      appendFileSync(join(ctx, 'src', 'module7', 'file7.ts'), `// edit ${name} ${i}\n`);
      r.edited.push(build(docker).ms);
    }
    results.set(name, r);
  }

  // context streaming: a Dockerfile that uses nothing of a large context
  const big = join(work, 'big');
  mkdirSync(big);
  writeFileSync(join(big, 'Dockerfile'), 'FROM busybox\nLABEL context=large\n');
  const memory = [];
  for (const mb of [100, 1000]) {
    spawnSync('sh', ['-c', `head -c ${mb * 1048576} /dev/urandom > ${join(big, 'blob.bin')}`]);
    const before = rssKiB(berthd.pid);
    const b = await sampled(benv, ['build', '--no-cache', '-q', '.'], big, berthd.pid);
    const d = await sampled({ DOCKER_HOST: ref.host, DOCKER_CONFIG: join(work, 'docker-config'), DOCKER_BUILDKIT: '0' }, ['build', '--no-cache', '-q', '.'], big, ref.pid);
    memory.push({ mb, before, berth: b, dockerd: d });
  }

  const [bn, dn] = [...results.keys()];
  const B = results.get(bn);
  const D = results.get(dn);
  const w = Math.max(10, dn.length);
  const row = (label, b, d) => `| ${label.padEnd(34)} | ${`${(b / 1000).toFixed(2)} s`.padStart(10)} | ${`${(d / 1000).toFixed(2)} s`.padStart(w)} | ${`${(b / d).toFixed(2)}×`.padStart(5)} |`;
  console.log('');
  console.log(`| ${'build'.padEnd(34)} | ${'berthd'.padStart(10)} | ${dn.padStart(w)} | ratio |`);
  console.log(`|${'-'.repeat(36)}|${'-'.repeat(12)}|${'-'.repeat(w + 2)}|-------|`);
  console.log(row('no cache (--no-cache)', median(B.nocache), median(D.nocache)));
  console.log(row('fully cached rebuild', median(B.cached), median(D.cached)));
  console.log(row('rebuild after editing one file', median(B.edited), median(D.edited)));
  console.log('');
  for (const m of memory) {
    console.log(`sending a ${m.mb} MB context: berthd RSS ${(m.before / 1024).toFixed(1)} MiB before, peak ${(m.berth.peak / 1024).toFixed(1)} MiB (${(m.berth.ms / 1000).toFixed(2)} s); dockerd peak RSS ${(m.dockerd.peak / 1024).toFixed(1)} MiB (${(m.dockerd.ms / 1000).toFixed(2)} s)`);
  }
  console.log(`targets: cached rebuild ≤ 0.5× dockerd (${(median(B.cached) / median(D.cached)).toFixed(2)}×), no-cache ≤ 0.8× (${(median(B.nocache) / median(D.nocache)).toFixed(2)}×), memory flat in the context size`);
} finally {
  await ref?.stop();
  await berthd?.stop();
  rmSync(work, { recursive: true, force: true });
}
