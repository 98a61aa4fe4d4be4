// Networking benchmarks: (1) what bridge networking adds to `run --rm busybox true` (bridge, and a
// user-defined network where the embedded DNS rules are set up too, vs --network none, medians);
// (2) throughput of 1 GiB from the host to a container through a published port on 127.0.0.1,
// with the userland proxy and with route_localnet + hairpin NAT, and through a reference dockerd
// when REF_DOCKER_HOST names one, the setups taking turns R times. Usage: bench/network [N] [R]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { median, repo, timeRun } from './lib.mjs';

const n = Number(process.argv[2] ?? 15);
const rounds = Number(process.argv[3] ?? 3);
const GiB = 1024 ** 3;

async function daemon(config) {
  const base = mkdtempSync('/tmp/berth-bench-net-');
  const tag = Math.random().toString(16).slice(2, 8);
  const socket = join(base, 'berth.sock');
  writeFileSync(join(base, 'daemon.json'), JSON.stringify(config));
  const routes = spawnSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }).stdout;
  const third = [...Array(100).keys()].map((i) => 100 + ((i + Math.floor(Math.random() * 100)) % 100)).find((x) => !routes.includes(`10.217.${x}.`));
  const bridge = `bb-${tag}`;
  const chain = `BB${tag.toUpperCase()}`;
  const child = spawn(process.execPath, [join(repo, 'dist/berthd.mjs'), '--data-root', join(base, 'data'), '--exec-root', join(base, 'exec'), '-H', `unix://${socket}`, '--config-file', join(base, 'daemon.json'), '--cgroup-parent', `berth-bench-${tag}`, '--bridge', bridge, '--bip', `10.217.${third}.1/24`], { stdio: 'ignore', env: { ...process.env, BERTH_IPTABLES_CHAIN: chain } });
  const env = { BERTH_HOST: `unix://${socket}` };
  for (let i = 0; i < 100; i++) {
    if (spawnSync(process.execPath, [join(repo, 'dist/berth.mjs'), 'version'], { env: { ...process.env, ...env } }).status === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const berth = (args) => spawnSync(process.execPath, [join(repo, 'dist/berth.mjs'), ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  berth(['pull', 'busybox']);
  return {
    pid: child.pid,
    env,
    berth,
    async close() {
      for (const id of berth(['ps', '-aq']).stdout.split('\n').filter(Boolean)) berth(['rm', '-f', id]);
      for (const name of berth(['network', 'ls', '--format', '{{.Name}}']).stdout.split('\n').filter(Boolean)) if (!['bridge', 'host', 'none'].includes(name)) berth(['network', 'rm', name]);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      for (const l of JSON.parse(spawnSync('ip', ['-j', 'link', 'show', 'master', bridge], { encoding: 'utf8' }).stdout || '[]')) spawnSync('ip', ['link', 'del', l.ifname]);
      spawnSync('ip', ['link', 'del', bridge]);
      for (const [t, c, a] of [['nat', 'PREROUTING', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', chain]], ['nat', 'OUTPUT', ['!', '-d', '127.0.0.0/8', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', chain]], ['nat', 'OUTPUT', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', chain]], ['nat', 'POSTROUTING', ['-j', `${chain}-POSTROUTING`]], ['filter', 'FORWARD', ['-j', `${chain}-FORWARD`]]]) spawnSync('iptables', ['-w', '-t', t, '-D', c, ...a]);
      for (const [t, c] of [['filter', `${chain}-FORWARD`], ['filter', `${chain}-ISOLATION-STAGE-1`], ['filter', `${chain}-ISOLATION-STAGE-2`], ['filter', chain], ['nat', chain], ['nat', `${chain}-POSTROUTING`]]) {
        spawnSync('iptables', ['-w', '-t', t, '-F', c]);
        spawnSync('iptables', ['-w', '-t', t, '-X', c]);
      }
      const mounts = spawnSync('sh', ['-c', `grep ' ${base}' /proc/self/mountinfo | cut -d' ' -f5`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort((a, b) => b.length - a.length);
      for (const m of mounts) spawnSync('umount', ['-l', m]);
      // The cgroup parent exists in every hierarchy (v1 controllers and the v2 mount).
      for (const c of readdirSync('/sys/fs/cgroup')) spawnSync('rmdir', [`/sys/fs/cgroup/${c}/berth-bench-${tag}`]);
      spawnSync('rmdir', [`/sys/fs/cgroup/berth-bench-${tag}`]);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Sends 1 GiB to 127.0.0.1:port and waits for the receiver to close; MB/s. */
function send(port) {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(1024 * 1024);
    let sent = 0;
    const t0 = process.hrtime.bigint();
    const sock = net.connect({ host: '127.0.0.1', port }, () => {
      const pump = () => {
        while (sent < GiB) {
          sent += chunk.length;
          if (!sock.write(chunk)) return sock.once('drain', pump);
        }
        sock.end();
      };
      pump();
    });
    sock.on('error', reject);
    sock.resume();
    sock.on('close', () => resolve(GiB / 1e6 / (Number(process.hrtime.bigint() - t0) / 1e9)));
  });
}

/** CPU time (user + system) of a process so far, in ms. */
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * (1000 / 100);
}

/** The docker-proxy relaying host port `port` (dockerd starts one per published port). */
function dockerProxyPid(port) {
  for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmd[0].endsWith('docker-proxy') && cmd.includes(String(port)) && cmd.includes('tcp')) return Number(pid);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** MB/s of 1 GiB into a container's published port, and the CPU ms the relaying process spent. */
async function throughput(run, port, relayPid) {
  run(['run', '-d', '--name', 'sink', '-p', `${port}:5000`, 'busybox', 'sh', '-c', 'sleep 1000 | nc -l -p 5000 | wc -c']);
  await new Promise((r) => setTimeout(r, 1000));
  const pid = relayPid();
  const cpu0 = pid ? cpuMs(pid) : 0;
  const mbps = await send(port);
  const cpu = pid ? cpuMs(pid) - cpu0 : NaN;
  for (let i = 0; i < 50 && !run(['logs', 'sink']).stdout.trim(); i++) await new Promise((r) => setTimeout(r, 100));
  const received = Number(run(['logs', 'sink']).stdout.trim());
  run(['rm', '-f', 'sink']);
  if (received !== GiB) throw new Error(`the container received ${received} bytes, not ${GiB}`);
  return { mbps, cpu };
}

const d = await daemon({});
const h = await daemon({ 'userland-proxy': false });
try {
  const berthEnv = d.env;
  const bin = [join(repo, 'dist/berth.mjs')];
  for (let i = 0; i < 3; i++) timeRun(process.execPath, [...bin, 'run', '--rm', 'busybox', 'true'], berthEnv);
  const routes = spawnSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }).stdout;
  const third = [...Array(200).keys()].map((i) => 20 + i).find((x) => !routes.includes(`10.219.${x}.`));
  d.berth(['network', 'create', '--subnet', `10.219.${third}.0/24`, 'benchnet']);
  const none = [];
  const bridge = [];
  const user = [];
  for (let i = 0; i < n; i++) {
    none.push(timeRun(process.execPath, [...bin, 'run', '--rm', '--network', 'none', 'busybox', 'true'], berthEnv));
    bridge.push(timeRun(process.execPath, [...bin, 'run', '--rm', 'busybox', 'true'], berthEnv));
    user.push(timeRun(process.execPath, [...bin, 'run', '--rm', '--network', 'benchnet', 'busybox', 'true'], berthEnv));
  }
  console.log(`run --rm busybox true (n=${n}): --network none median ${median(none).toFixed(1)} ms, bridge median ${median(bridge).toFixed(1)} ms, bridge adds ${(median(bridge) - median(none)).toFixed(1)} ms`);
  console.log(`run --rm --network <user network> busybox true (n=${n}): median ${median(user).toFixed(1)} ms, adds ${(median(user) - median(none)).toFixed(1)} ms to --network none`);

  // One transfer swings by a third on a shared machine: the setups take turns, `rounds` times,
  // and the medians are compared (with the relaying process's CPU per GiB, which swings less).
  const ref = process.env.REF_DOCKER_HOST;
  const docker = (args) => spawnSync('docker', args, { env: { ...process.env, DOCKER_HOST: ref }, encoding: 'utf8' });
  const setups = [
    { label: 'berth (userland proxy)', run: d.berth, port: 23081, relay: () => d.pid },
    { label: 'berth (route_localnet + hairpin NAT)', run: h.berth, port: 23082, relay: () => undefined },
    ...(ref ? [{ label: 'dockerd (docker-proxy)', run: docker, port: 23083, relay: () => dockerProxyPid(23083) }] : []),
  ];
  const results = new Map(setups.map((x) => [x.label, []]));
  for (let i = 0; i < rounds; i++) for (const x of setups) results.get(x.label).push(await throughput(x.run, x.port, x.relay));
  for (const x of setups) {
    const rs = results.get(x.label);
    const cpu = rs.every((r) => !Number.isNaN(r.cpu)) ? `, relay CPU median ${median(rs.map((r) => r.cpu)).toFixed(0)} ms/GiB` : '';
    console.log(`1 GiB host -> 127.0.0.1:published port -> container, ${x.label}: median ${median(rs.map((r) => r.mbps)).toFixed(0)} MB/s (${rs.map((r) => r.mbps.toFixed(0)).join(', ')})${cpu}`);
  }
  if (!ref) console.log('dockerd: not measured (set REF_DOCKER_HOST to a reference dockerd with a busybox image)');
} finally {
  await d.close();
  await h.close();
}
