// bench/compose: the same 10-service project brought up (`up -d`) and torn down (`down -v`) by
// berth compose against a private berthd and by docker-compose 1.29 against a private dockerd
// 20.10 (Debian's docker.io), ROUNDS times, alternating which goes first; medians and the ratio.
// The daemons are the tests' own (test/helpers/daemon.ts, test/integration/transfer/
// ref-dockerd.ts): private roots, sockets, bridges, subnets and iptables chains, stopped by pid
// and cleaned up at the end, whatever happens.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startDaemon, type TestDaemon } from '../test/helpers/daemon.ts';
import { startRefDockerd, type RefDockerd } from '../test/integration/transfer/ref-dockerd.ts';

const rounds = Number(process.env.ROUNDS ?? 5);

/** Ten services on a user network, three named volumes, two healthchecks, a dependency chain. */
function projectFile(): string {
  const service = (name: string, extra: string) => `  ${name}:\n    image: busybox\n    init: true\n    networks: [backend]\n${extra}`;
  const services = [
    service('db', '    command: sleep 3600\n    volumes: [db-data:/data]\n    healthcheck:\n      test: [CMD, "true"]\n      interval: 5s\n'),
    service('cache', '    command: sleep 3600\n    healthcheck:\n      test: [CMD-SHELL, "test -d /tmp"]\n      interval: 5s\n'),
    service('queue', '    command: sleep 3600\n    volumes: [queue-data:/data]\n'),
    service('api', '    command: httpd -f -p 8080\n    depends_on: [db, cache, queue]\n    environment:\n      DB_HOST: db\n      CACHE_HOST: cache\n'),
    service('worker', '    command: sleep 3600\n    depends_on: [queue, db]\n    volumes: [uploads:/uploads]\n'),
    service('scheduler', '    command: sleep 3600\n    depends_on: [queue]\n'),
    service('web', '    command: httpd -f -p 80\n    depends_on: [api]\n    volumes: [uploads:/srv/uploads:ro]\n'),
    service('admin', '    command: httpd -f -p 81\n    depends_on: [api]\n'),
    service('metrics', '    command: sleep 3600\n'),
    service('logs', '    command: sleep 3600\n    labels:\n      role: logging\n'),
  ];
  return `services:\n${services.join('')}networks:\n  backend:\n    driver: bridge\nvolumes:\n  db-data: {}\n  queue-data: {}\n  uploads: {}\n`;
}

function timed(cmd: string, args: string[], env: Record<string, string>, cwd: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 300_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

let berthd: TestDaemon | undefined;
let dockerd: RefDockerd | undefined;
const work = mkdtempSync('/tmp/berth-bench-compose-');
try {
  writeFileSync(join(work, 'compose.yaml'), projectFile());
  berthd = await startDaemon();
  berthd.berthOk(['pull', 'busybox']);
  dockerd = await startRefDockerd({ extraArgs: ['--default-address-pool', 'base=10.214.0.0/16,size=24'] });
  const saved = spawnSync(process.execPath, [join(repoRoot, 'dist', 'berth.mjs'), 'save', 'busybox'], { env: { ...process.env, BERTH_HOST: berthd.host }, maxBuffer: 64 << 20 });
  if (dockerd.docker(['load'], { input: saved.stdout }).code !== 0) throw new Error('docker load of busybox failed');
  const version = dockerd.docker(['version', '--format', '{{.Server.Version}}']).stdout.trim();
  const v1Version = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' }).stdout.trim();

  const tools = {
    berth: {
      up: () => timed(process.execPath, [join(repoRoot, 'dist', 'berth.mjs'), 'compose', '-p', 'bench', 'up', '-d'], { BERTH_HOST: berthd!.host }, work),
      down: () => timed(process.execPath, [join(repoRoot, 'dist', 'berth.mjs'), 'compose', '-p', 'bench', 'down', '-v'], { BERTH_HOST: berthd!.host }, work),
    },
    reference: {
      up: () => timed('docker-compose', ['-p', 'bench', 'up', '-d'], { DOCKER_HOST: dockerd!.host }, work),
      down: () => timed('docker-compose', ['-p', 'bench', 'down', '-v'], { DOCKER_HOST: dockerd!.host }, work),
    },
  };
  const times = { berth: { up: [] as number[], down: [] as number[] }, reference: { up: [] as number[], down: [] as number[] } };
  // One unmeasured round each: first use of the image, the CLI's caches.
  for (const t of Object.values(tools)) {
    t.up();
    t.down();
  }
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? (['berth', 'reference'] as const) : (['reference', 'berth'] as const);
    for (const name of order) {
      times[name].up.push(tools[name].up());
      times[name].down.push(tools[name].down());
    }
    process.stderr.write(`round ${i + 1}/${rounds}: berth up ${times.berth.up[i].toFixed(0)} ms down ${times.berth.down[i].toFixed(0)} ms; docker-compose up ${times.reference.up[i].toFixed(0)} ms down ${times.reference.down[i].toFixed(0)} ms\n`);
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const row = (what: 'up' | 'down', label: string) => {
    const b = median(times.berth[what]);
    const r = median(times.reference[what]);
    const bMin = Math.min(...times.berth[what]);
    const rMin = Math.min(...times.reference[what]);
    return `| ${label} | ${s(b)} (best ${s(bMin)}) | ${s(r)} (best ${s(rMin)}) | ${(b / r).toFixed(2)}× (best ${(bMin / rMin).toFixed(2)}×) |`;
  };
  console.log(`10 services, a user network, 3 named volumes, 2 healthchecks; median (and best) of ${rounds} rounds`);
  console.log(`| | berth compose → berthd | docker-compose ${v1Version} → dockerd ${version} | berth / reference |`);
  console.log('|---|---|---|---|');
  console.log(row('up', '`up -d`'));
  console.log(row('down', '`down -v`'));
} finally {
  await berthd?.cleanup();
  await dockerd?.stop();
  rmSync(work, { recursive: true, force: true });
}
