// berthd's CPU while 20 containers run a healthcheck every second: utime+stime of the berthd
// process (from /proc/<pid>/stat) over a measuring window, once the probes are in their steady
// state, as a percentage of one core. The same 20 containers without a healthcheck give the
// baseline. Run as `bench/health-cpu [containers] [seconds]` (as root). Target: < 5 % of a core.
import { readFileSync } from 'node:fs';
import { startBerthd } from './lib.mjs';

const count = Number(process.argv[2] ?? 20);
const seconds = Number(process.argv[3] ?? 30);
const ticks = 100; // USER_HZ

function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime
}

async function measure(berthd, label, health) {
  const ids = [];
  for (let i = 0; i < count; i++) {
    const args = ['run', '-d', '--network', 'none', ...(health ? ['--health-cmd', 'true', '--health-interval', '1s'] : []), 'busybox', 'sleep', '100000'];
    const r = berthd.berth(args);
    if (r.status !== 0) throw new Error(r.stderr);
    ids.push(r.stdout.trim());
  }
  if (health) {
    for (let t = 0; t < 300; t++) {
      const healthy = berthd.berth(['ps', '-q', '--filter', 'health=healthy']).stdout.trim().split('\n').filter(Boolean).length;
      if (healthy === count) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await new Promise((r) => setTimeout(r, 3000)); // settle
  const t0 = process.hrtime.bigint();
  const c0 = cpuTicks(berthd.pid);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const c1 = cpuTicks(berthd.pid);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const pct = ((c1 - c0) / ticks / wall) * 100;
  let probes = '';
  if (health) {
    const logs = ids.map((id) => JSON.parse(berthd.berth(['inspect', '-f', '{{json .State.Health}}', id]).stdout));
    const bad = logs.filter((h) => h.Status !== 'healthy').length;
    probes = `, ${bad} not healthy at the end`;
  }
  console.log(`  ${label.padEnd(34)} berthd CPU ${pct.toFixed(2).padStart(6)} % of one core over ${wall.toFixed(1)} s${probes}`);
  berthd.berth(['rm', '-f', ...ids]);
}

const third = 100 + Math.floor(Math.random() * 100);
const berthd = await startBerthd({ bridge: { name: `bb-hc${process.pid % 10000}`, bip: `10.215.${third}.1/24` } });
try {
  const pulled = berthd.berth(['pull', 'busybox']);
  if (pulled.status !== 0) throw new Error(pulled.stderr);
  console.log(`berthd CPU with ${count} running containers, ${seconds} s windows (load average: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
  await measure(berthd, `${count} containers, no healthcheck`, false);
  await measure(berthd, `${count} containers, probe every 1 s`, true);
} finally {
  await berthd.stop();
}
