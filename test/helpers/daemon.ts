// A real berthd for one test suite: its own data root, exec root, socket and cgroup parent, and
// a teardown that removes everything it made — containers, conmon processes (by pid), mounts,
// cgroups and directories — even when the suite failed.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inNetns } from './netns.ts';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const berthBin = join(repoRoot, 'bin', 'berth');
export const berthdBin = join(repoRoot, 'bin', 'berthd');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestDaemon {
  base: string;
  dataRoot: string;
  execRoot: string;
  socket: string;
  host: string;
  cgroupParent: string;
  /** This daemon's default bridge, its subnet (10.213.x.0/24) and its iptables chain prefix. */
  bridge: string;
  subnet: string;
  chain: string;
  process: ChildProcess;
  logs(): string;
  /** Runs the berth CLI against this daemon. */
  berth(args: string[], options?: { input?: string | Buffer; env?: Record<string, string>; timeout?: number }): RunResult;
  /** Runs the berth CLI, asserts that it succeeded, and returns its stdout. */
  berthOk(args: string[], input?: string | Buffer): string;
  /** Runs the berth CLI asynchronously (for commands that block, like logs -f). */
  berthAsync(args: string[], options?: { input?: string | Buffer; env?: Record<string, string> }): Promise<RunResult>;
  /** Runs an HTTP request against the API; returns status, headers and body text. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  start(): Promise<void>;
  /** Starts berthd again with extra environment (e.g. BERTH_FAULT). */
  startWithEnv(env: Record<string, string>): Promise<void>;
  cleanup(): Promise<void>;
}

function waitForSocket(socket: string, child: ChildProcess, logs: () => string, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolvePromise, reject) => {
    const tick = () => {
      if (child.exitCode !== null) return reject(new Error(`berthd exited (${child.exitCode}):\n${logs()}`));
      const r = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--unix-socket', socket, 'http://x/_ping'], { encoding: 'utf8' });
      if (r.stdout === '200') return resolvePromise();
      if (Date.now() > deadline) return reject(new Error(`berthd did not answer on ${socket}:\n${logs()}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

export async function startDaemon(options: { extraArgs?: string[]; config?: Record<string, unknown>; /** run berthd in this network namespace (see netns.ts) */ netns?: string } = {}): Promise<TestDaemon> {
  const base = mkdtempSync('/tmp/berth-it-');
  const tag = randomBytes(4).toString('hex');
  const dataRoot = join(base, 'data');
  const execRoot = join(base, 'exec');
  const socket = join(base, 'berth.sock');
  const configFile = join(base, 'daemon.json');
  writeFileSync(configFile, JSON.stringify(options.config ?? {}));
  const cgroupParent = `berth-it-${tag}`;
  // Networking of its own: a bridge, a /24 no route on the host covers, and iptables chains.
  const bridge = `bt-${tag}`;
  const chain = `BT${tag.slice(0, 6).toUpperCase()}`;
  const subnetThird = freeThirdOctet('10.213');
  const subnet = `10.213.${subnetThird}.0/24`;
  const extra = options.extraArgs ?? [];
  const netArgs = [...(extra.includes('--bridge') ? [] : ['--bridge', bridge]), ...(extra.includes('--bip') ? [] : ['--bip', `10.213.${subnetThird}.1/24`])];
  let out = '';
  let child!: ChildProcess;
  const spawnDaemon = async (extraEnv: Record<string, string> = {}) => {
    const argv = [join(repoRoot, 'dist', 'berthd.mjs'), '--data-root', dataRoot, '--exec-root', execRoot, '-H', `unix://${socket}`, '--config-file', configFile, '--cgroup-parent', cgroupParent, ...netArgs, ...(options.extraArgs ?? [])];
    const [cmd, args] = options.netns ? inNetns(options.netns, process.execPath, argv) : [process.execPath, argv];
    child = spawn(
      cmd,
      args,
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BERTH_IPTABLES_CHAIN: chain, ...extraEnv } },
    );
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await waitForSocket(socket, child, () => out);
  };
  await spawnDaemon();
  const env = { ...process.env, BERTH_HOST: `unix://${socket}` } as Record<string, string>;
  const d: TestDaemon = {
    base,
    dataRoot,
    execRoot,
    socket,
    host: `unix://${socket}`,
    cgroupParent,
    bridge,
    subnet,
    chain,
    get process() {
      return child;
    },
    logs: () => out,
    berth(args, o = {}) {
      const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'berth.mjs'), ...args], {
        env: { ...env, ...(o.env ?? {}) },
        input: o.input ?? '',
        encoding: 'utf8',
        timeout: o.timeout ?? 60_000,
      });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    berthOk(args, input) {
      const r = this.berth(args, input === undefined ? {} : { input });
      assert.equal(r.code, 0, `berth ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return r.stdout;
    },
    berthAsync(args, o = {}) {
      return new Promise((resolvePromise) => {
        const p = spawn(process.execPath, [join(repoRoot, 'dist', 'berth.mjs'), ...args], { env: { ...env, ...(o.env ?? {}) } });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (x: Buffer) => (stdout += x.toString()));
        p.stderr.on('data', (x: Buffer) => (stderr += x.toString()));
        p.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
        p.stdin.end(o.input ?? '');
      });
    },
    async api(method, path, body, headers = {}) {
      const http = await import('node:http');
      return new Promise((resolvePromise, reject) => {
        const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
        const req = http.request(
          { socketPath: socket, method, path, headers: { ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}), ...headers } },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill(signal);
      return exited;
    },
    async start() {
      await spawnDaemon();
    },
    async startWithEnv(env) {
      await spawnDaemon(env);
    },
    async cleanup() {
      await cleanupDaemon(d);
    },
  };
  return d;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes everything a test daemon made. Safe to call more than once. */
export async function cleanupDaemon(d: TestDaemon): Promise<void> {
  if (d.process.exitCode === null && d.process.signalCode === null) {
    try {
      const list = await d.api('GET', '/containers/json?all=1');
      for (const c of JSON.parse(list.body) as Array<{ Id: string }>) await d.api('DELETE', `/containers/${c.Id}?force=1`);
    } catch {
      // best effort: the kill below covers the rest
    }
    const exited = new Promise<void>((r) => d.process.once('exit', () => r()));
    d.process.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (d.process.exitCode === null && d.process.signalCode === null) d.process.kill('SIGKILL');
  }
  // the process a stopped berthd leaves holding the containers' output pipes, by the pid it recorded
  try {
    const holder = JSON.parse(readFileSync(join(d.execRoot, 'output-holder.json'), 'utf8')) as { pid?: number };
    if (holder.pid && holder.pid > 1 && pidAlive(holder.pid) && readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8').startsWith('sleep\0')) process.kill(holder.pid, 'SIGKILL');
  } catch {
    // none
  }
  // conmon processes of containers still running, by the pid each recorded
  const bundles = join(d.execRoot, 'containers');
  if (existsSync(bundles)) {
    for (const id of readdirSync(bundles)) {
      for (const file of ['pidfile', 'conmon.pid']) {
        try {
          const pid = Number(readFileSync(join(bundles, id, file), 'utf8').trim());
          if (pid > 1 && pidAlive(pid)) process.kill(pid, 'SIGKILL');
        } catch {
          // not there
        }
      }
      spawnSync('runc', ['--root', join(d.execRoot, 'runc'), 'delete', '--force', id]);
    }
  }
  removeNetworking(d);
  // mounts under the test's base directory, deepest first
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m) => m && m.startsWith(d.base))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', ['-l', m]);
  // cgroups under the suite's own parent
  for (const root of ['/sys/fs/cgroup', ...readdirSync('/sys/fs/cgroup').map((c) => join('/sys/fs/cgroup', c))]) {
    const dir = join(root, d.cgroupParent);
    if (existsSync(dir)) removeCgroup(dir);
  }
  rmSync(d.base, { recursive: true, force: true });
}

function removeCgroup(dir: string): void {
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroup(join(dir, e.name));
    spawnSync('rmdir', [dir]);
  } catch {
    // gone already
  }
}

/**
 * A root file system tarball with busybox, for import tests. `allApplets` links every applet the
 * host's busybox has; `files` adds executables (e.g. a /bin/bash that runs /bin/sh).
 */
export function busyboxRootfsTar(dir: string, o: { allApplets?: boolean; files?: Record<string, string> } = {}): string {
  const root = join(dir, 'rootfs');
  spawnSync('mkdir', ['-p', join(root, 'bin'), join(root, 'etc'), join(root, 'tmp'), ...(o.allApplets ? [join(root, 'root')] : [])]);
  spawnSync('cp', ['/bin/busybox', join(root, 'bin', 'busybox')]);
  const applets = o.allApplets
    ? spawnSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter((a) => /^[\w.-]+$/.test(a) && a !== 'busybox')
    : ['sh', 'echo', 'cat', 'ls', 'sleep', 'true', 'false', 'id', 'env', 'pwd', 'hostname'];
  for (const a of applets) spawnSync('ln', ['-sf', 'busybox', join(root, 'bin', a)]);
  for (const [path, content] of Object.entries(o.files ?? {})) writeFileSync(join(root, path), content, { mode: 0o755 });
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnobody:x:65534:\n');
  const tar = join(dir, 'rootfs.tar');
  spawnSync('tar', ['-C', root, '-cf', tar, '.']);
  return tar;
}

/** A third octet for `<prefix>.x.0/24` that no host route or address covers yet. */
export function freeThirdOctet(prefix: string): number {
  const routes = spawnSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }).stdout ?? '';
  for (let i = 0; i < 50; i++) {
    const x = 1 + Math.floor(Math.random() * 250);
    if (!routes.includes(`${prefix}.${x}.`)) return x;
  }
  throw new Error(`no free ${prefix}.x.0/24 subnet`);
}

/**
 * The daemon's bridges (the default one and those of its networks), the veths on them, and its
 * iptables chains with the jumps to them. Safe to call more than once.
 */
export function removeNetworking(d: TestDaemon): void {
  const bridges = new Set([d.bridge]);
  const netDir = join(d.dataRoot, 'network');
  if (existsSync(netDir)) {
    for (const f of readdirSync(netDir)) {
      if (!f.endsWith('.json')) continue;
      try {
        const n = JSON.parse(readFileSync(join(netDir, f), 'utf8')) as { Id: string; Driver: string; Name: string; Options?: Record<string, string> };
        if (n.Driver !== 'bridge') continue;
        bridges.add(n.Options?.['com.docker.network.bridge.name'] ?? `br-${n.Id.slice(0, 12)}`);
      } catch {
        // a torn file: nothing to learn from it
      }
    }
  }
  for (const br of bridges) {
    // never a bridge the test did not make: only this daemon's names
    if (br === 'docker0' || br === 'berth0') continue;
    const ports = spawnSync('ip', ['-j', 'link', 'show', 'master', br], { encoding: 'utf8' });
    if (ports.status === 0) for (const l of JSON.parse(ports.stdout || '[]') as Array<{ ifname: string }>) spawnSync('ip', ['link', 'del', l.ifname]);
    spawnSync('ip', ['link', 'del', br], { stdio: 'ignore' });
  }
  const c = d.chain;
  const jumps: Array<[string, string, string[]]> = [
    ['nat', 'PREROUTING', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c]],
    ['nat', 'OUTPUT', ['!', '-d', '127.0.0.0/8', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c]],
    ['nat', 'OUTPUT', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c]],
    ['nat', 'POSTROUTING', ['-j', `${c}-POSTROUTING`]],
    ['filter', 'FORWARD', ['-j', `${c}-FORWARD`]],
  ];
  for (const [table, chain, args] of jumps) {
    for (let i = 0; i < 5 && spawnSync('iptables', ['-w', '-t', table, '-D', chain, ...args], { stdio: 'ignore' }).status === 0; i++) {
      // removed one copy
    }
  }
  const chains: Array<[string, string]> = [
    ['filter', `${c}-FORWARD`],
    ['filter', `${c}-ISOLATION-STAGE-1`],
    ['filter', `${c}-ISOLATION-STAGE-2`],
    ['filter', c],
    ['nat', c],
    ['nat', `${c}-POSTROUTING`],
  ];
  for (const [table, chain] of chains) spawnSync('iptables', ['-w', '-t', table, '-F', chain], { stdio: 'ignore' });
  for (const [table, chain] of chains) spawnSync('iptables', ['-w', '-t', table, '-X', chain], { stdio: 'ignore' });
}
