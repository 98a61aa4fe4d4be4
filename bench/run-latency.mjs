// `run --rm busybox true`, end to end: berth's CLI and daemon, the docker CLI against berthd,
// and the docker CLI against a reference dockerd when one answers. Also idle berthd RSS and one
// container's conmon RSS. Run with `make bench` or `bench/run-latency [iterations]`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, median, percentile, referenceDocker, repo, rssKiB, startBerthd, timeRun } from './lib.mjs';

const n = Number(process.argv[2] ?? 30);
const berthd = await startBerthd();
try {
  const pulled = berthd.berth(['pull', 'busybox']);
  if (pulled.status !== 0) throw new Error(pulled.stderr);
  const ref = referenceDocker();
  if (ref) {
    // the reference daemon needs the same image: the built-in busybox, exported by berth
    const has = timeRunOk('docker', ['image', 'inspect', 'busybox'], { DOCKER_HOST: ref.host });
    if (!has) console.log('note: the reference dockerd has no busybox image; import one to compare');
  }
  const warm = 3;
  const rows = [];
  const measure = (label, cmd, args, env) => {
    for (let i = 0; i < warm; i++) timeRun(cmd, args, env);
    const xs = [];
    for (let i = 0; i < n; i++) xs.push(timeRun(cmd, args, env));
    rows.push({ label, median: median(xs), p90: percentile(xs, 90) });
  };
  measure('berth CLI   → berthd', process.execPath, [join(repo, 'dist/berth.mjs'), 'run', '--rm', 'busybox', 'true'], { BERTH_HOST: berthd.host });
  measure('docker CLI  → berthd', 'docker', ['run', '--rm', 'busybox', 'true'], { DOCKER_HOST: berthd.host });
  if (ref && timeRunOk('docker', ['image', 'inspect', 'busybox'], { DOCKER_HOST: ref.host })) {
    measure(`docker CLI  → dockerd ${ref.version}`, 'docker', ['run', '--rm', 'busybox', 'true'], { DOCKER_HOST: ref.host });
  }
  measure('node startup alone', process.execPath, ['-e', '0'], {});
  measure('runc run alone (reference)', '/bin/true', [], {});
  rows.pop(); // (runc alone needs a bundle; see the note below)

  const refRow = rows.find((r) => r.label.includes('dockerd'));
  console.log(`run --rm busybox true, ${n} runs each (after ${warm} warm-up runs)`);
  for (const r of rows) {
    const ratio = refRow && r !== refRow ? `  ${(refRow.median / r.median).toFixed(2)}x faster than dockerd` : '';
    console.log(`  ${r.label.padEnd(34)} median ${fmt(r.median).padStart(9)}   p90 ${fmt(r.p90).padStart(9)}${ratio}`);
  }
  const idle = rssKiB(berthd.pid);
  const id = berthd.berth(['run', '-d', 'busybox', 'sleep', '60']).stdout.trim();
  const conmonPid = Number(readFileSync(join(berthd.base, 'exec/containers', id, 'conmon.pid'), 'utf8'));
  console.log(`berthd idle RSS: ${(idle / 1024).toFixed(1)} MiB   conmon RSS for one container: ${(rssKiB(conmonPid) / 1024).toFixed(1)} MiB`);
} finally {
  await berthd.stop();
}

function timeRunOk(cmd, args, env) {
  try {
    timeRun(cmd, args, env);
    return true;
  } catch {
    return false;
  }
}
