// The berth CLI against the docker CLI, both talking to the same private berthd: start-up
// (`version`), a container run end to end (`run --rm busybox true`), `ps`, and `--help` with no
// daemon; wall time (median and p90 of N runs, the two commands taking turns so the machine's
// drift hits both), CPU time and peak RSS (from /usr/bin/time). bin/berth is run as users run it,
// with this machine's NODE_EXTRA_CA_CERTS in the environment.
// Usage: bench/cli [N]   (N runs of each command, default 20)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startDaemon } from '../test/helpers/daemon.ts';
import { median, percentile, repo } from './lib.mjs';

const n = Number(process.argv[2] ?? 20);
const berth = join(repo, 'bin', 'berth');
const docker = ['/usr/local/bin/docker', '/usr/bin/docker'].find((p) => spawnSync(p, ['--version']).status === 0);
if (!docker) throw new Error('no docker CLI on this machine');

function once(cmd, args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

/** CPU seconds (user + system) and peak RSS (MiB) of one run, as /usr/bin/time reports them. */
function resources(cmd, args, env) {
  const r = spawnSync('/usr/bin/time', ['-f', '@@ %U %S %M', cmd, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const m = /@@ (\S+) (\S+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { cpu: (Number(m[1]) + Number(m[2])) * 1000, rss: Number(m[3]) / 1024 };
}

/** A and B in turn, `n` runs each after warm-up runs: wall medians, p90, CPU and peak RSS medians. */
function compare(a, b) {
  for (let i = 0; i < 3; i++) for (const x of [a, b]) once(x.cmd, x.args, x.env);
  const wall = [[], []];
  const cpu = [[], []];
  const rss = [[], []];
  for (let i = 0; i < n; i++) {
    [a, b].forEach((x, k) => wall[k].push(once(x.cmd, x.args, x.env)));
  }
  for (let i = 0; i < Math.min(n, 10); i++) {
    [a, b].forEach((x, k) => {
      const r = resources(x.cmd, x.args, x.env);
      cpu[k].push(r.cpu);
      rss[k].push(r.rss);
    });
  }
  return [0, 1].map((k) => ({ median: median(wall[k]), p90: percentile(wall[k], 90), cpu: median(cpu[k]), rss: Math.max(...rss[k]) }));
}

const d = await startDaemon();
try {
  const pulled = d.berth(['pull', 'busybox']);
  if (pulled.code !== 0) throw new Error(pulled.stderr);
  const env = { ...process.env, BERTH_HOST: d.host, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.base, 'docker-config'), DOCKER_CLI_HINTS: 'false', BERTH_CONFIG: join(d.base, 'berth-config') };
  const nowhere = { ...env, BERTH_HOST: `unix://${join(d.base, 'none.sock')}`, DOCKER_HOST: `unix://${join(d.base, 'none.sock')}` };
  const withoutCa = { ...env };
  delete withoutCa.NODE_EXTRA_CA_CERTS;
  const rows = [];
  const row = (label, berthArgs, dockerArgs, e = env) => {
    const [x, y] = compare({ cmd: berth, args: berthArgs, env: e }, { cmd: docker, args: dockerArgs, env: e });
    rows.push({ label, x, y });
  };
  row('version', ['version'], ['version']);
  row('run --rm busybox true', ['run', '--rm', 'busybox', 'true'], ['run', '--rm', 'busybox', 'true']);
  row('ps -a', ['ps', '-a'], ['ps', '-a']);
  row('--help, no daemon', ['--help'], ['--help'], nowhere);
  const [nodeCa, nodeBare] = compare({ cmd: process.execPath, args: ['-e', '0'], env }, { cmd: process.execPath, args: ['-e', '0'], env: withoutCa });
  const [direct] = compare({ cmd: process.execPath, args: [join(repo, 'dist', 'berth.mjs'), 'version'], env }, { cmd: docker, args: ['version'], env });

  const f = (ms) => `${ms.toFixed(1)} ms`.padStart(9);
  const mib = (x) => `${x.toFixed(1)} MiB`.padStart(9);
  console.log(`berth CLI vs docker CLI (${spawnSync(docker, ['--version'], { encoding: 'utf8' }).stdout.trim()}), same berthd, ${n} runs each, taking turns`);
  console.log(`NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS ?? '(unset)'}`);
  console.log('');
  console.log(`${'command'.padEnd(24)} ${'berth median'.padStart(12)} ${'p90'.padStart(9)} ${'docker median'.padStart(13)} ${'p90'.padStart(9)} ${'berth-docker'.padStart(12)} ${'berth CPU'.padStart(9)} ${'docker CPU'.padStart(10)} ${'berth RSS'.padStart(9)} ${'docker RSS'.padStart(10)}`);
  for (const { label, x, y } of rows) {
    console.log(`${label.padEnd(24)} ${f(x.median).padStart(12)} ${f(x.p90)} ${f(y.median).padStart(13)} ${f(y.p90)} ${f(x.median - y.median).padStart(12)} ${f(x.cpu)} ${f(y.cpu).padStart(10)} ${mib(x.rss)} ${mib(y.rss).padStart(10)}`);
  }
  console.log('');
  console.log(`node -e 0: ${f(nodeCa.median)} with NODE_EXTRA_CA_CERTS, ${f(nodeBare.median)} without (peak RSS ${mib(nodeCa.rss)} / ${mib(nodeBare.rss)}): Node's own floor`);
  console.log(`node dist/berth.mjs version (no bin/berth, so NODE_EXTRA_CA_CERTS is loaded): ${f(direct.median)}`);
  const v = rows[0].x;
  const r = rows[1];
  const peak = Math.max(...rows.map((x) => x.x.rss));
  console.log('');
  console.log(`targets: berth version ≤ 40 ms: ${f(v.median)}; run within 15 ms of docker: ${f(r.x.median - r.y.median)}; CLI peak RSS ≤ 35 MB: ${mib(peak)} (${(peak * 1.048576).toFixed(1)} MB)`);
} finally {
  await d.cleanup();
}
