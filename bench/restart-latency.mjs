// Time from a crash to the first restart under --restart always: the container exits 1 on its
// first run and sleeps on the second; the latency is the second run's State.StartedAt minus the
// first run's State.FinishedAt (conmon's exit time). It includes the policy's 100 ms backoff.
// Run as `bench/restart-latency [runs]` (as root). Target: ≤ 150 ms.
import { fmt, median, percentile, startBerthd } from './lib.mjs';

const n = Number(process.argv[2] ?? 20);
const third = 100 + Math.floor(Math.random() * 100);
const berthd = await startBerthd({ bridge: { name: `bb-rl${process.pid % 10000}`, bip: `10.214.${third}.1/24` } });
const script = 'if [ -f /crashed ]; then exec sleep 1000; fi; touch /crashed; exit 1';
try {
  const pulled = berthd.berth(['pull', 'busybox']);
  if (pulled.status !== 0) throw new Error(pulled.stderr);
  console.log(`crash → first restart under --restart always, ${n} containers per network mode (includes the 100 ms backoff)`);
  for (const network of ['bridge', 'none']) {
    const xs = [];
    for (let i = 0; i < n; i++) {
      const run = berthd.berth(['run', '-d', '--restart', 'always', '--network', network, 'busybox', 'sh', '-c', script]);
      if (run.status !== 0) throw new Error(run.stderr);
      const id = run.stdout.trim();
      let state;
      for (let t = 0; t < 200; t++) {
        const r = berthd.berth(['inspect', '-f', '{{json .State}} {{.RestartCount}}', id]);
        const [json, count] = r.stdout.trim().split(' ');
        state = { ...JSON.parse(json), count: Number(count) };
        if (state.count >= 1 && state.Status === 'running') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      if (state.count < 1) throw new Error(`no restart: ${JSON.stringify(state)}`);
      xs.push(Date.parse(state.StartedAt) - Date.parse(state.FinishedAt));
      berthd.berth(['rm', '-f', id]);
    }
    console.log(`  --network ${network.padEnd(6)} median ${fmt(median(xs)).padStart(9)}   p90 ${fmt(percentile(xs, 90)).padStart(9)}   min ${fmt(Math.min(...xs)).padStart(9)}   max ${fmt(Math.max(...xs)).padStart(9)}`);
  }
} finally {
  await berthd.stop();
}
