// Shared pieces of the benchmarks: a private berthd, timing, statistics, memory readings.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repo = resolve(import.meta.dirname, '..');

// `bench/x | head -1` closes our stdout early: keep running to the end, where the private
// daemons, bridges and iptables chains are torn down, instead of dying on EPIPE.
process.stdout.on('error', () => {});

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Wall time of one command in ms; throws when it fails. */
export function timeRun(cmd, args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

export function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/**
 * Starts a private berthd (own data root, exec root, socket, cgroup parent) with its own bridge,
 * subnet and iptables chains, removed again by stop(). With `bridge`, its
 * default bridge is a private one (name and /24 given) without iptables rules, removed at stop.
 */
export async function startBerthd(options = {}) {
  const base = mkdtempSync('/tmp/berth-bench-');
  const socket = join(base, 'berth.sock');
  writeFileSync(join(base, 'daemon.json'), '{}');
  const tag = String(process.pid % 100000);
  // Never the default bridge and chains (berth0, BERTH…): those belong to a berthd of the machine.
  const isolated = options.isolatedNetwork ?? !options.bridge;
  const net = isolated ? { bridge: `bb-${tag}`, chain: `BB${tag}`, bip: `10.213.${freeOctet()}.1/24` } : undefined;
  const netArgs = net ? ['--bridge', net.bridge, '--bip', net.bip] : options.bridge ? ['--bridge', options.bridge.name, '--bip', options.bridge.bip, '--iptables=false'] : [];
  const child = spawn(
    process.execPath,
    [join(repo, 'dist/berthd.mjs'), '--data-root', join(base, 'data'), '--exec-root', join(base, 'exec'), '-H', `unix://${socket}`, '--config-file', join(base, 'daemon.json'), '--cgroup-parent', `berth-bench-${process.pid}`, ...netArgs],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...(net ? { BERTH_IPTABLES_CHAIN: net.chain } : {}) } },
  );
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  for (let i = 0; i < 200; i++) {
    if (existsSync(socket) && spawnSync('curl', ['-sf', '--unix-socket', socket, 'http://x/_ping']).status === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!existsSync(socket)) throw new Error(`berthd did not start:\n${log}`);
  const host = `unix://${socket}`;
  return {
    base,
    host,
    pid: child.pid,
    berth: (args) => spawnSync(process.execPath, [join(repo, 'dist/berth.mjs'), ...args], { env: { ...process.env, BERTH_HOST: host }, encoding: 'utf8' }),
    async stop() {
      spawnSync(process.execPath, [join(repo, 'dist/berth.mjs'), 'rm', '-f', ...(spawnSync(process.execPath, [join(repo, 'dist/berth.mjs'), 'ps', '-aq'], { env: { ...process.env, BERTH_HOST: host }, encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean))], { env: { ...process.env, BERTH_HOST: host } });
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
      for (const c of ['', 'cpu/', 'cpuacct/', 'memory/', 'pids/', 'devices/', 'freezer/', 'blkio/', 'cpuset/', 'systemd/', 'unified/']) {
        spawnSync('rmdir', [`/sys/fs/cgroup/${c}berth-bench-${process.pid}`]);
      }
      if (net) removeNetworking(net);
      if (options.bridge) spawnSync('ip', ['link', 'del', options.bridge.name], { stdio: 'ignore' });
      rmSync(base, { recursive: true, force: true });
    },
  };
}

function freeOctet() {
  const routes = spawnSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }).stdout ?? '';
  for (let i = 0; i < 50; i++) {
    const x = 1 + Math.floor(Math.random() * 250);
    if (!routes.includes(`10.213.${x}.`)) return x;
  }
  throw new Error('no free 10.213.x.0/24 subnet');
}

/** The bridge and the iptables chains (and jumps to them) of an isolated berthd. */
function removeNetworking({ bridge, chain }) {
  spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  const jumps = [
    ['nat', 'PREROUTING', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', chain]],
    ['nat', 'OUTPUT', ['!', '-d', '127.0.0.0/8', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', chain]],
    ['nat', 'OUTPUT', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', chain]],
    ['nat', 'POSTROUTING', ['-j', `${chain}-POSTROUTING`]],
    ['filter', 'FORWARD', ['-j', `${chain}-FORWARD`]],
  ];
  for (const [table, c, args] of jumps) while (spawnSync('iptables', ['-w', '-t', table, '-D', c, ...args], { stdio: 'ignore' }).status === 0);
  const chains = [['filter', `${chain}-FORWARD`], ['filter', `${chain}-ISOLATION-STAGE-1`], ['filter', `${chain}-ISOLATION-STAGE-2`], ['filter', chain], ['nat', chain], ['nat', `${chain}-POSTROUTING`]];
  for (const [table, c] of chains) spawnSync('iptables', ['-w', '-t', table, '-F', c], { stdio: 'ignore' });
  for (const [table, c] of chains) spawnSync('iptables', ['-w', '-t', table, '-X', c], { stdio: 'ignore' });
}

/**
 * A reference dockerd 20.10 of the bench's own: its roots, socket, pid file, cgroup parent and
 * containerd namespace, no bridge and no iptables rules; stopped (with its containerd) by PID.
 * Its log goes to a file (a pipe nobody drains would block it).
 */
export async function startReferenceDockerd() {
  if (spawnSync('dockerd', ['--version']).status !== 0) return undefined;
  const base = mkdtempSync('/tmp/berth-bench-refd-');
  const socket = join(base, 'docker.sock');
  const logFd = openSync(join(base, 'dockerd.log'), 'a');
  const child = spawn(
    'dockerd',
    ['--data-root', join(base, 'data'), '--exec-root', join(base, 'exec'), '-H', `unix://${socket}`, '--pidfile', join(base, 'docker.pid'), '--bridge=none', '--iptables=false', '--ip-masq=false', '--storage-driver=overlay2', `--cgroup-parent=/berth-bench-refd-${process.pid}`, '--containerd-namespace', `berthbench${process.pid}`, '--containerd-plugins-namespace', `berthbenchp${process.pid}`],
    { stdio: ['ignore', 'ignore', logFd] },
  );
  closeSync(logFd);
  const host = `unix://${socket}`;
  const docker = (args, o = {}) => spawnSync('docker', args, { env: { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: join(base, 'docker-config'), ...(o.env ?? {}) }, encoding: 'utf8', input: o.input, cwd: o.cwd, maxBuffer: 1 << 26 });
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    if (docker(['version', '--format', '{{.Server.Version}}']).status === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const version = docker(['version', '--format', '{{.Server.Version}}']).stdout.trim();
  return {
    host,
    pid: child.pid,
    version,
    docker,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 15000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m && m.startsWith(base)).sort((a, b) => b.length - a.length);
      for (const m of mounts) spawnSync('umount', ['-l', m]);
      spawnSync('sh', ['-c', `for c in /sys/fs/cgroup/*/berth-bench-refd-${process.pid} /sys/fs/cgroup/berth-bench-refd-${process.pid}; do [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} + 2>/dev/null; done; true`]);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** A reference dockerd's socket if one answers: $REF_DOCKER_HOST, or docker's default. */
export function referenceDocker() {
  const candidates = [process.env.REF_DOCKER_HOST, 'unix:///var/run/docker.sock'].filter(Boolean);
  for (const host of candidates) {
    const r = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { env: { ...process.env, DOCKER_HOST: host }, encoding: 'utf8', timeout: 5000 });
    if (r.status === 0) return { host, version: r.stdout.trim() };
  }
  return undefined;
}

export function fmt(ms) {
  return `${ms.toFixed(1)} ms`;
}
