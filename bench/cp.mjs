// `cp` throughput: a tree of mixed file sizes (default 1 GiB: a few large files, many medium and
// small ones) copied into a running container and back out, through the berth CLI and the docker
// CLI against berthd, and the docker CLI against a reference dockerd when REF_DOCKER_HOST (or the
// default docker socket) answers. Reports wall time, throughput and berthd's RSS before and at its
// peak during each copy (streams end to end: it must stay flat whatever the tree's size).
import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, referenceDocker, repo, rssKiB, startBerthd } from './lib.mjs';

const totalMiB = Number(process.argv[2] ?? 1024);
const scale = totalMiB / 1024;

/** 62.5% in 4 large files, 25% in 64 medium ones, 6.25% in 1024 files of 64 KiB, 6.25% in 4 KiB files. */
function makeTree(dir) {
  const chunk = randomFillSync(Buffer.alloc(1 << 20));
  const write = (path, bytes) => {
    const parts = [];
    for (let left = bytes; left > 0; left -= chunk.length) parts.push(left >= chunk.length ? chunk : chunk.subarray(0, left));
    writeFileSync(path, Buffer.concat(parts));
  };
  let files = 0;
  mkdirSync(join(dir, 'large'), { recursive: true });
  for (let i = 0; i < 4; i++, files++) write(join(dir, 'large', `l${i}.bin`), Math.round(160 * scale) << 20);
  mkdirSync(join(dir, 'medium'));
  for (let i = 0; i < 64; i++, files++) write(join(dir, 'medium', `m${i}.bin`), Math.round(4 * scale * (1 << 20)));
  for (let i = 0; i < Math.round(1024 * scale); i++, files++) {
    const d = join(dir, 'small', `d${i % 32}`);
    mkdirSync(d, { recursive: true });
    write(join(d, `s${i}.bin`), 64 << 10);
  }
  for (let i = 0; i < Math.round(16384 * scale); i++, files++) {
    const d = join(dir, 'tiny', `d${i % 256}`);
    mkdirSync(d, { recursive: true });
    write(join(d, `t${i}.txt`), 4 << 10);
  }
  return files;
}

/** Runs a command, sampling `pid`'s RSS every 20 ms; wall time and peak RSS. */
function timed(cmd, args, env, pid) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let peak = pid ? rssKiB(pid) : 0;
    const timer = pid ? setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 20) : undefined;
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      clearInterval(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err}`));
      else resolve({ ms, peak });
    });
  });
}

const base = mkdtempSync('/tmp/berth-bench-cp-');
const berthd = await startBerthd();
try {
  console.log(`generating a ${totalMiB} MiB tree…`);
  const files = makeTree(join(base, 'tree'));
  const pulled = berthd.berth(['pull', 'busybox']);
  if (pulled.status !== 0) throw new Error(pulled.stderr);
  const berthCli = [process.execPath, join(repo, 'dist/berth.mjs')];
  const targets = [
    { label: 'berth CLI  → berthd', cli: berthCli, env: { BERTH_HOST: berthd.host }, pid: berthd.pid, run: (args) => berthd.berth(args) },
    { label: 'docker CLI → berthd', cli: ['docker'], env: { DOCKER_HOST: berthd.host }, pid: berthd.pid, run: (args) => berthd.berth(args) },
  ];
  const ref = referenceDocker();
  if (ref) {
    targets.push({
      label: `docker CLI → dockerd ${ref.version}`,
      cli: ['docker'],
      env: { DOCKER_HOST: ref.host },
      pid: undefined,
      run: (args) => spawnSync('docker', args, { env: { ...process.env, DOCKER_HOST: ref.host }, encoding: 'utf8' }),
    });
  }
  console.log(`cp of ${totalMiB} MiB in ${files} files, into a running container's /tmp and back out`);
  // what the disk allows: the same tree through tar | tar on the host
  mkdirSync(join(base, 'tar-copy'));
  const tarTime = await timed('sh', ['-c', `tar -C ${base} -cf - tree | tar -C ${join(base, 'tar-copy')} -xf -`], {}, undefined);
  rmSync(join(base, 'tar-copy'), { recursive: true, force: true });
  console.log(`  ${'host tar | tar (baseline)'.padEnd(30)}      ${fmt(tarTime.ms).padStart(11)} (${((totalMiB / tarTime.ms) * 1000).toFixed(0).padStart(4)} MiB/s)`);
  for (const t of targets) {
    const name = `bench-cp-${process.pid}`;
    const started = t.run(['run', '-d', '--name', name, 'busybox', 'sleep', '3600']);
    if (started.status !== 0) {
      console.log(`  ${t.label}: cannot start a busybox container (${started.stderr.trim()}); skipped`);
      continue;
    }
    try {
      const idle = t.pid ? rssKiB(t.pid) : NaN;
      const [cmd, ...pre] = t.cli;
      // each copy starts with no dirty pages of the one before (its writeback would slow this one)
      spawnSync('sync');
      const into = await timed(cmd, [...pre, 'cp', join(base, 'tree'), `${name}:/tmp/`], t.env, t.pid);
      const out = join(base, `out-${targets.indexOf(t)}`);
      spawnSync('sync');
      const back = await timed(cmd, [...pre, 'cp', `${name}:/tmp/tree`, out], t.env, t.pid);
      rmSync(out, { recursive: true, force: true });
      spawnSync('sync');
      const rate = (ms) => `${((totalMiB / ms) * 1000).toFixed(0).padStart(4)} MiB/s`;
      const mem = (peak) => (t.pid ? `   berthd RSS ${(idle / 1024).toFixed(0)} → peak ${(peak / 1024).toFixed(0)} MiB` : '');
      console.log(`  ${t.label.padEnd(30)} into ${fmt(into.ms).padStart(11)} (${rate(into.ms)})${mem(into.peak)}`);
      console.log(`  ${''.padEnd(30)} out  ${fmt(back.ms).padStart(11)} (${rate(back.ms)})${mem(back.peak)}`);
    } finally {
      t.run(['rm', '-f', name]);
    }
  }
  if (!ref) console.log('  (no reference dockerd answered: set REF_DOCKER_HOST to compare)');
} finally {
  await berthd.stop();
  rmSync(base, { recursive: true, force: true });
}
