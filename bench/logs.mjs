// Container logs: `logs --tail 100` (and --since, --until near the ends) on a container with a
// 1 GiB json-file log, through the docker CLI against berthd and against a reference dockerd in
// the same run, and through the berth CLI. Writing that log is measured too: wall time, and the
// CPU the daemon and the container's monitor (conmon / containerd-shim) spent.
// The reference is REF_DOCKER_HOST when set, else a private dockerd started for the run.
// Usage: bench/logs [size-MiB] [runs]
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, median, percentile, repo, rssKiB, startBerthd } from './lib.mjs';
import { startRefDockerd } from '../test/integration/transfer/ref-dockerd.ts';

const sizeMiB = Number(process.argv[2] ?? 1024);
const runs = Number(process.argv[3] ?? 20);
const line = 'the quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstuvwxyz';

function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** The pid of the process whose command line holds `needle` and starts with `prefix`. */
function findProcess(prefix, needle) {
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes(prefix) && cmd.includes(needle)) return Number(p);
    } catch {
      // gone
    }
  }
  return undefined;
}

function sh(cmd, env) {
  const r = spawnSync('sh', ['-c', cmd], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

function timed(cmd, env) {
  const t0 = process.hrtime.bigint();
  const out = sh(cmd, env);
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, out };
}

const berthd = await startBerthd();
let ref;
let refStop = async () => {};
try {
  const pulled = berthd.berth(['pull', 'busybox']);
  if (pulled.status !== 0) throw new Error(pulled.stderr);
  if (process.env.REF_DOCKER_HOST) ref = { host: process.env.REF_DOCKER_HOST };
  else {
    const d = await startRefDockerd();
    ref = { host: d.host, pid: Number(readFileSync(join(d.base, 'dockerd.pid'), 'utf8')) };
    refStop = d.stop;
  }
  sh(`${process.execPath} ${join(repo, 'dist/berth.mjs')} save busybox | docker load`, { BERTH_HOST: berthd.host, DOCKER_HOST: ref.host });
  const refVersion = sh('docker version --format "{{.Server.Version}}"', { DOCKER_HOST: ref.host });

  // Lines of ~82 bytes are ~150 bytes of JSON: enough of them for the size asked.
  const lines = Math.round((sizeMiB * 1024 * 1024) / (line.length + 68));
  const targets = [
    { name: 'berthd', env: { DOCKER_HOST: berthd.host }, daemonPid: berthd.pid, monitor: (id) => findProcess('conmon', id) },
    { name: `dockerd ${refVersion}`, env: { DOCKER_HOST: ref.host }, daemonPid: ref.pid, monitor: (id) => findProcess('containerd-shim', id) },
  ];
  console.log(`writing ${lines} lines (${sizeMiB} MiB of json-file log) in each daemon…`);
  for (const t of targets) {
    t.id = sh(`docker create --name biglog busybox sh -c 'sleep 0.5; yes "${line}" | head -n ${lines}'`, t.env);
    const d0 = cpuMs(t.daemonPid);
    const t0 = process.hrtime.bigint();
    sh('docker start biglog', t.env);
    let monitorPid;
    for (let i = 0; i < 50 && !monitorPid; i++) {
      monitorPid = t.monitor(t.id);
      if (!monitorPid) await new Promise((r) => setTimeout(r, 10));
    }
    const m0 = cpuMs(monitorPid);
    let peakRss = t.name === 'berthd' ? rssKiB(berthd.pid) : NaN;
    let monitorRss = NaN;
    let mLast = m0;
    const timer = setInterval(() => {
      if (t.name === 'berthd') peakRss = Math.max(peakRss, rssKiB(berthd.pid));
      const m = cpuMs(monitorPid);
      if (!Number.isNaN(m)) mLast = m;
      const r = rssKiB(monitorPid);
      if (!Number.isNaN(r)) monitorRss = Number.isNaN(monitorRss) ? r : Math.max(monitorRss, r);
    }, 50);
    // `docker wait` in a child, so that the sampling timer runs meanwhile
    await new Promise((resolve, reject) => {
      const w = spawn('docker', ['wait', 'biglog'], { env: { ...process.env, ...t.env }, stdio: 'ignore' });
      w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker wait: ${code}`))));
    });
    clearInterval(timer);
    t.writeMs = Number(process.hrtime.bigint() - t0) / 1e6;
    t.daemonCpu = cpuMs(t.daemonPid) - d0;
    t.monitorCpu = mLast - m0;
    t.monitorRss = monitorRss;
    t.peakRss = peakRss;
    const logPath = sh('docker inspect -f "{{.LogPath}}" biglog', t.env);
    // a second after the exit and a second before the start: nothing is that recent or that old
    const [started, finished] = sh('docker inspect -f "{{.State.StartedAt}} {{.State.FinishedAt}}" biglog', t.env).split(' ');
    t.startedAt = new Date(Date.parse(started) - 1000).toISOString();
    t.finishedAt = new Date(Date.parse(finished) + 1000).toISOString();
    t.logBytes = statSync(logPath).size;
  }

  console.log('');
  console.log(`writing the log (${lines} lines)`);
  for (const t of targets) {
    const mbps = t.logBytes / 1e6 / (t.writeMs / 1000);
    console.log(
      `  ${t.name.padEnd(22)} ${fmt(t.writeMs).padStart(11)}  ${(t.logBytes / 2 ** 20).toFixed(0)} MiB json (${mbps.toFixed(0)} MB/s)  daemon CPU ${fmt(t.daemonCpu)}  monitor CPU ${fmt(t.monitorCpu)}, RSS ${(t.monitorRss / 1024).toFixed(1)} MiB` +
        (Number.isNaN(t.peakRss) ? '' : `  berthd peak RSS ${(t.peakRss / 1024).toFixed(0)} MiB`),
    );
  }

  // [title, command, expected output, runs]: dockerd reads the whole file for --since, so that
  // case runs fewer times
  const cases = [
    ['logs --tail 100', (t) => `docker logs --tail 100 ${t.id} | wc -l`, '100', runs],
    // what is measured is finding the place: no entry is printed
    ['logs --since <a second after the exit>', (t) => `docker logs --since ${t.finishedAt} ${t.id} | wc -l`, '0', Math.min(runs, 5)],
    ['logs --until <a second before the start>', (t) => `docker logs --until ${t.startedAt} ${t.id} | wc -l`, '0', runs],
  ];
  const clis = [
    ...targets.map((t) => ({ label: `docker CLI → ${t.name}`, t, cmd: (c) => c })),
    { label: 'berth CLI  → berthd', t: targets[0], cmd: (c) => c.replaceAll('docker ', `${process.execPath} ${join(repo, 'dist/berth.mjs')} `), env: { BERTH_HOST: berthd.host } },
  ];
  for (const [title, make, expect, n] of cases) {
    console.log('');
    console.log(`${title}, ${n} runs each, taking turns (after 3 warm-up runs)`);
    // the clients take turns, run by run, so that the machine's load falls on all of them alike
    const jobs = clis.map((c) => ({ c, cmd: c.cmd(make(c.t)), env: { ...c.t.env, ...(c.env ?? {}) }, xs: [] }));
    for (const j of jobs) for (let i = 0; i < Math.min(3, n); i++) timed(j.cmd, j.env);
    for (let i = 0; i < n; i++) {
      for (const j of jobs) {
        const r = timed(j.cmd, j.env);
        if (expect !== undefined && r.out !== expect) throw new Error(`${j.c.label}: ${j.cmd} gave ${r.out}`);
        j.xs.push(r.ms);
      }
    }
    const rows = jobs.map((j) => ({ label: j.c.label, median: median(j.xs), p90: percentile(j.xs, 90) }));
    const refRow = rows[1];
    for (const r of rows) {
      const ratio = r !== refRow ? `  ${(r.median / refRow.median).toFixed(2)}× dockerd's` : '';
      console.log(`  ${r.label.padEnd(30)} median ${fmt(r.median).padStart(10)}   p90 ${fmt(r.p90).padStart(10)}${ratio}`);
    }
  }
  for (const t of targets) sh('docker rm -f biglog', t.env);
} finally {
  await berthd.stop();
  await refStop();
}
