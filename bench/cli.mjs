// The berth CLI against the docker CLI, both talking to the same private berthd: start-up
// (`version`), a container run end to end (`run --rm busybox true`), `ps -a`, and `--help` with
// no daemon; wall time (median and p90 of N runs, the commands taking turns so the machine's
// drift hits all of them alike), CPU time and peak RSS (from /usr/bin/time, 10 ms steps for CPU:
// its mean is shown). bin/berth is run as users run it, with this machine's NODE_EXTRA_CA_CERTS.
// Below the table, Node's own floor: `node -e 0`, and bench/cli-floor.cjs, the least a Node.js
// program can do for `run --rm` (the same requests as raw HTTP over node:net), against docker.
//
// Usage: bench/cli [N]                      N runs of each command (default 20)
//        BASELINE=/other/checkout bench/cli  also that checkout's bin/berth, in the same turns
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startDaemon } from '../test/helpers/daemon.ts';
import { median, percentile, repo } from './lib.mjs';

const n = Number(process.argv[2] ?? 20);
const docker = ['/usr/local/bin/docker', '/usr/bin/docker'].find((p) => spawnSync(p, ['--version']).status === 0);
if (!docker) throw new Error('no docker CLI on this machine');
const clis = [
  { name: 'berth', bin: join(repo, 'bin', 'berth') },
  ...(process.env.BASELINE ? [{ name: 'baseline', bin: join(process.env.BASELINE, 'bin', 'berth') }] : []),
  { name: 'docker', bin: docker },
];

function once(cmd, args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

/** CPU ms (user + system) and peak RSS (MiB) of one run, as /usr/bin/time reports them. */
function resources(cmd, args, env) {
  const r = spawnSync('/usr/bin/time', ['-f', '@@ %U %S %M', cmd, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const m = /@@ (\S+) (\S+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { cpu: (Number(m[1]) + Number(m[2])) * 1000, rss: Number(m[3]) / 1024 };
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The commands in turn, `n` runs each after warm-up runs. */
function measure(commands) {
  for (let i = 0; i < 3; i++) for (const c of commands) once(c.cmd, c.args, c.env);
  const wall = commands.map(() => []);
  const cpu = commands.map(() => []);
  const rss = commands.map(() => []);
  for (let i = 0; i < n; i++) commands.forEach((c, k) => wall[k].push(once(c.cmd, c.args, c.env)));
  for (let i = 0; i < Math.max(10, Math.ceil(n / 2)); i++) {
    commands.forEach((c, k) => {
      const r = resources(c.cmd, c.args, c.env);
      cpu[k].push(r.cpu);
      rss[k].push(r.rss);
    });
  }
  return commands.map((_, k) => ({ median: median(wall[k]), p90: percentile(wall[k], 90), cpu: mean(cpu[k]), rss: Math.max(...rss[k]) }));
}

const d = await startDaemon();
try {
  const pulled = d.berth(['pull', 'busybox']);
  if (pulled.code !== 0) throw new Error(pulled.stderr);
  const env = { ...process.env, BERTH_HOST: d.host, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.base, 'docker-config'), DOCKER_CLI_HINTS: 'false', BERTH_CONFIG: join(d.base, 'berth-config') };
  const nowhere = { ...env, BERTH_HOST: `unix://${join(d.base, 'none.sock')}`, DOCKER_HOST: `unix://${join(d.base, 'none.sock')}` };
  const withoutCa = { ...env };
  delete withoutCa.NODE_EXTRA_CA_CERTS;
  const cases = [
    { label: 'version', args: ['version'], env },
    { label: 'run --rm busybox true', args: ['run', '--rm', 'busybox', 'true'], env },
    { label: 'ps -a', args: ['ps', '-a'], env },
    { label: '--help, no daemon', args: ['--help'], env: nowhere },
  ];
  const results = cases.map((c) => ({ label: c.label, r: measure(clis.map((cli) => ({ cmd: cli.bin, args: c.args, env: c.env }))) }));
  const [nodeCa, nodeBare] = measure([
    { cmd: process.execPath, args: ['-e', '0'], env },
    { cmd: process.execPath, args: ['-e', '0'], env: withoutCa },
  ]);
  const [floorRun, dockerRun] = measure([
    { cmd: process.execPath, args: [join(repo, 'bench', 'cli-floor.cjs')], env: withoutCa },
    { cmd: docker, args: ['run', '--rm', 'busybox', 'true'], env },
  ]);

  const f = (ms) => `${ms.toFixed(1)} ms`;
  const mib = (x) => `${x.toFixed(1)} MiB`;
  console.log(`${n} runs of each, the CLIs taking turns against one private berthd; ${spawnSync(docker, ['--version'], { encoding: 'utf8' }).stdout.trim()}`);
  console.log(`NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS ?? '(unset)'}${process.env.BASELINE ? `; baseline: ${process.env.BASELINE}` : ''}`);
  console.log('');
  const head = ['command', ...clis.flatMap((c) => [`${c.name} median`, 'p90']), 'berth - docker', ...clis.map((c) => `${c.name} CPU`), ...clis.map((c) => `${c.name} peak RSS`)];
  const rows = results.map(({ label, r }) => [label, ...r.flatMap((x) => [f(x.median), f(x.p90)]), f(r[0].median - r[r.length - 1].median), ...r.map((x) => f(x.cpu)), ...r.map((x) => mib(x.rss))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  for (const row of rows) console.log(line(row));
  console.log('');
  console.log(`node -e 0: ${f(nodeCa.median)} with NODE_EXTRA_CA_CERTS, ${f(nodeBare.median)} without; peak RSS ${mib(nodeCa.rss)} / ${mib(nodeBare.rss)} (Node's own floor)`);
  console.log(`least Node client, run --rm busybox true (bench/cli-floor.cjs): ${f(floorRun.median)}, ${f(floorRun.median - dockerRun.median)} behind docker (${f(dockerRun.median)} in the same turns); peak RSS ${mib(floorRun.rss)}`);
  const version = results[0].r[0];
  const run = results[1].r;
  const peak = Math.max(...results.map((x) => x.r[0].rss));
  console.log(`targets: berth version ≤ 40 ms: ${f(version.median)}; berth run within 15 ms of docker: ${f(run[0].median - run[run.length - 1].median)}; berth peak RSS ≤ 35 MB: ${mib(peak)} = ${(peak * 1.048576).toFixed(1)} MB`);
} finally {
  await d.cleanup();
}
