// `stats --no-stream` with 1 and with 50 running containers, against berthd and a private
// reference dockerd started for the run (when `dockerd` is installed), and the daemons' CPU use
// while one stats stream per container runs for 30 s (`docker stats`, which opens one stream per
// container). Containers run `sleep` with --network none on both daemons.
// Usage: bench/stats [containers=50] [stream-seconds=30] [rounds=5]
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { median, repo, startBerthd } from './lib.mjs';

const many = Number(process.argv[2] ?? 50);
const streamSeconds = Number(process.argv[3] ?? 30);
const rounds = Number(process.argv[4] ?? 5);
const work = mkdtempSync('/tmp/berth-bench-stats-');
const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

function must(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / ticks;
  } catch {
    return 0;
  }
}

/** Processes whose command line contains `needle` (containerd and its shims of the private dockerd). */
function pidsWith(needle) {
  const out = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(needle)) out.push(Number(p));
    } catch {
      // gone
    }
  }
  return out;
}

function busyboxTar() {
  const root = join(work, 'rootfs');
  mkdirSync(join(root, 'bin'), { recursive: true });
  cpSync('/bin/busybox', join(root, 'bin', 'busybox'));
  for (const a of ['sh', 'sleep', 'true']) symlinkSync('busybox', join(root, 'bin', a));
  const tar = join(work, 'rootfs.tar');
  must('tar', ['-C', root, '-cf', tar, '.']);
  return tar;
}

async function startDockerd() {
  if (spawnSync('sh', ['-c', 'command -v dockerd']).status !== 0) return undefined;
  const dir = join(work, 'dockerd');
  mkdirSync(dir);
  const socket = join(dir, 'docker.sock');
  const child = spawn('dockerd', ['--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '-H', `unix://${socket}`, '--pidfile', join(dir, 'docker.pid'), '--bridge=none', '--iptables=false', '--ip-masq=false', '--cgroup-parent', `berth-bench-dockerd-${process.pid}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  const host = `unix://${socket}`;
  for (let i = 0; i < 400 && spawnSync('docker', ['version'], { env: { ...process.env, DOCKER_HOST: host } }).status !== 0; i++) await new Promise((r) => setTimeout(r, 50));
  if (spawnSync('docker', ['version'], { env: { ...process.env, DOCKER_HOST: host } }).status !== 0) throw new Error(`dockerd did not start: ${log.slice(-800)}`);
  must('docker', ['import', busyboxTar(), 'busybox:latest'], { DOCKER_HOST: host });
  return {
    name: `dockerd ${must('docker', ['version', '--format', '{{.Server.Version}}'], { DOCKER_HOST: host }).trim()}`,
    host,
    /** dockerd, its containerd and the shims: all of them serve a stats request. */
    pids: () => [child.pid, ...pidsWith(join(dir, 'exec'))],
    async stop() {
      const ids = must('docker', ['ps', '-aq'], { DOCKER_HOST: host }).trim().split('\n').filter(Boolean);
      // dockerd 20.10 can leave removals "in progress" for good under load: give up after a minute
      // and stop it anyway (its containers' processes are gone by then; mounts and cgroups follow)
      if (ids.length) {
        const rm = spawnSync('docker', ['rm', '-f', ...ids], { env: { ...process.env, DOCKER_HOST: host }, timeout: 60_000 });
        if (rm.error) console.error(`reference dockerd: docker rm -f did not finish (${rm.error.message}); stopping it anyway`);
      }
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 20000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      // its containerd stops after it: wait, so that its state can be removed
      for (let i = 0; i < 100 && pidsWith(join(dir, 'exec')).length; i++) await new Promise((r) => setTimeout(r, 100));
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m && m.startsWith(dir)).sort((a, b) => b.length - a.length);
      for (const m of mounts) spawnSync('umount', ['-l', m]);
      for (const c of ['cpu', 'cpuacct', 'memory', 'pids', 'devices', 'freezer', 'blkio', 'cpuset', 'systemd', 'unified']) spawnSync('rmdir', [`/sys/fs/cgroup/${c}/berth-bench-dockerd-${process.pid}`]);
    },
  };
}

/** Wall time of one `stats --no-stream` in ms. */
function timed(cmd, args, env) {
  const t0 = process.hrtime.bigint();
  const out = must(cmd, args, env);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, rows: out.trim().split('\n').length - 1 };
}

function noStream(label, cmd, args, env, want) {
  timed(cmd, args, env); // warm
  const xs = [];
  for (let i = 0; i < rounds; i++) {
    const r = timed(cmd, args, env);
    if (r.rows !== want) throw new Error(`${label}: ${r.rows} rows, expected ${want}`);
    xs.push(r.ms);
  }
  return median(xs);
}

/**
 * CPU the daemon's processes use while `docker stats <every container>` streams them for
 * `seconds` (named: without names the CLI also follows /events).
 */
async function streamCpu(host, pids, seconds) {
  const ids = must('docker', ['ps', '-q'], { DOCKER_HOST: host }).trim().split('\n').filter(Boolean);
  let out = '';
  const client = spawn('docker', ['stats', ...ids], { env: { ...process.env, DOCKER_HOST: host }, stdio: ['ignore', 'pipe', 'pipe'] });
  client.stdout.on('data', (d) => (out = (out + d).slice(-20000)));
  client.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => client.once('exit', r));
  await new Promise((r) => setTimeout(r, 3000)); // every stream open
  const list = pids();
  const c0 = list.reduce((s, p) => s + cpuSeconds(p), 0);
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const c1 = list.reduce((s, p) => s + cpuSeconds(p), 0);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (client.exitCode !== null) throw new Error(`docker stats ended early: ${out.slice(-500)}`);
  // the last table drawn: one row per container, with figures
  const rows = out.split('\x1b[H').at(-2)?.split('\n').filter((l) => /^[0-9a-f]{12} /.test(l)) ?? [];
  if (rows.length !== ids.length) throw new Error(`docker stats showed ${rows.length} of ${ids.length} containers`);
  client.kill('SIGKILL');
  await exited;
  return { percentOfCore: ((c1 - c0) / wall) * 100 };
}

const berthd = await startBerthd();
const dockerd = await startDockerd().catch((err) => {
  console.log(`reference dockerd not measured: ${err.message}`);
  return undefined;
});
const berthBin = [join(repo, 'dist/berth.mjs')];
try {
  if (berthd.berth(['pull', 'busybox']).status !== 0) throw new Error('berth pull busybox failed');
  const targets = [{ name: 'berthd', host: berthd.host, pids: () => [berthd.pid] }, ...(dockerd ? [dockerd] : [])];
  const results = { 1: {}, [many]: {} };
  let running = 0;
  for (const n of [1, many]) {
    for (const t of targets) {
      for (let i = running; i < n; i++) must('docker', ['run', '-d', '--network', 'none', 'busybox', 'sleep', '1000000'], { DOCKER_HOST: t.host });
    }
    running = n;
    const env = (t) => ({ DOCKER_HOST: t.host });
    results[n]['docker CLI → berthd'] = noStream('docker→berthd', 'docker', ['stats', '--no-stream'], env(targets[0]), n);
    results[n]['berth CLI → berthd'] = noStream('berth→berthd', process.execPath, [...berthBin, 'stats', '--no-stream'], { BERTH_HOST: berthd.host }, n);
    if (dockerd) results[n][`docker CLI → ${dockerd.name}`] = noStream('docker→dockerd', 'docker', ['stats', '--no-stream'], env(dockerd), n);
  }
  const cpu = {};
  cpu.berthd = await streamCpu(berthd.host, () => [berthd.pid], streamSeconds);
  if (dockerd) {
    cpu[dockerd.name] = await streamCpu(dockerd.host, dockerd.pids, streamSeconds);
    cpu[`${dockerd.name} (dockerd alone)`] = await streamCpu(dockerd.host, () => [dockerd.pids()[0]], streamSeconds);
  }

  const ref = dockerd ? `docker CLI → ${dockerd.name}` : undefined;
  console.log(`stats --no-stream, median of ${rounds} (this machine: ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
  console.log(`| | 1 container | ${many} containers |`);
  console.log('|---|---|---|');
  for (const label of Object.keys(results[1])) {
    const cell = (n) => {
      const ms = results[n][label];
      const ratio = ref && label !== ref ? ` (${(ms / results[n][ref]).toFixed(2)}×)` : '';
      return `${(ms / 1000).toFixed(2)} s${ratio}`;
    };
    console.log(`| ${label} | ${cell(1)} | ${cell(many)} |`);
  }
  console.log(`\nCPU while one stats stream per container (${many}) runs for ${streamSeconds} s, % of one core:`);
  for (const [name, r] of Object.entries(cpu)) console.log(`  ${name.padEnd(40)} ${r.percentOfCore.toFixed(2)} %`);
} finally {
  await berthd.stop();
  await dockerd?.stop();
  rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
