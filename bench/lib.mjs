// Shared pieces of the benchmarks: a private berthd, timing, statistics, memory readings.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
 * Starts a private berthd (own data root, exec root, socket, cgroup parent). With `bridge`, its
 * default bridge is a private one (name and /24 given) without iptables rules, removed at stop.
 */
export async function startBerthd(options = {}) {
  const base = mkdtempSync('/tmp/berth-bench-');
  const socket = join(base, 'berth.sock');
  writeFileSync(join(base, 'daemon.json'), '{}');
  const net = options.bridge ? ['--bridge', options.bridge.name, '--bip', options.bridge.bip, '--iptables=false'] : [];
  const child = spawn(process.execPath, [join(repo, 'dist/berthd.mjs'), '--data-root', join(base, 'data'), '--exec-root', join(base, 'exec'), '-H', `unix://${socket}`, '--config-file', join(base, 'daemon.json'), '--cgroup-parent', `berth-bench-${process.pid}`, ...net], { stdio: ['ignore', 'ignore', 'pipe'] });
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
      if (options.bridge) spawnSync('ip', ['link', 'del', options.bridge.name], { stdio: 'ignore' });
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
