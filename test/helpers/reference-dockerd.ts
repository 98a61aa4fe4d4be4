// A reference dockerd 20.10 (Debian's docker.io) for comparisons: its own data root, exec root,
// socket, pid file and cgroup parent, no bridge and no iptables rules (it must not touch the
// host's networking) and its own containerd namespaces, busybox loaded into it from a berthd's `save`, and stopped by its PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dockerBin } from './docker-cli.ts';

export interface ReferenceDockerd {
  base: string;
  host: string;
  env: NodeJS.ProcessEnv;
  docker(args: string[], options?: { input?: string | Buffer; cwd?: string; env?: Record<string, string> }): { code: number; stdout: string; stderr: string };
  stop(): Promise<void>;
}

export const dockerdAvailable = spawnSync('dockerd', ['--version']).status === 0;

export async function startReferenceDockerd(options: { busyboxTar?: string } = {}): Promise<ReferenceDockerd> {
  const base = mkdtempSync('/tmp/berth-refd-');
  const socket = join(base, 'docker.sock');
  const cgroupParent = `/berth-refd-${process.pid}`;
  const logFd = openSync(join(base, 'dockerd.log'), 'a');
  const child: ChildProcess = spawn(
    'dockerd',
    [
      '--data-root', join(base, 'data'),
      '--exec-root', join(base, 'exec'),
      '-H', `unix://${socket}`,
      '--pidfile', join(base, 'docker.pid'),
      '--bridge=none',
      '--iptables=false',
      '--ip-masq=false',
      '--storage-driver=overlay2',
      `--cgroup-parent=${cgroupParent}`,
      // a containerd namespace of its own: dockerds beside one another must not share "moby"
      '--containerd-namespace', `berthref${process.pid}`,
      '--containerd-plugins-namespace', `berthrefp${process.pid}`,
    ],
    // Its log goes to a file: a pipe nobody drains while a test waits in spawnSync would fill
    // up and block dockerd in the middle of a build.
    { stdio: ['ignore', 'ignore', logFd] },
  );
  closeSync(logFd);
  const log = () => (existsSync(join(base, 'dockerd.log')) ? readFileSync(join(base, 'dockerd.log'), 'utf8').slice(-4000) : '');
  const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(base, 'docker-config'), DOCKER_CLI_HINTS: 'false' };
  const docker: ReferenceDockerd['docker'] = (args, o = {}) => {
    const r = spawnSync(dockerBin, args, { env: { ...env, ...(o.env ?? {}) }, input: o.input ?? '', cwd: o.cwd, encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 28 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    // its containerd and shims, by the pids they recorded under its exec root
    const pids: number[] = [];
    const walk = (dir: string) => {
      if (!existsSync(dir)) return;
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.pid$|^init\.pid$/.test(e.name)) pids.push(Number(readFileSync(p, 'utf8').trim()));
      }
    };
    walk(join(base, 'exec'));
    for (const pid of pids) if (pid > 1) spawnSync('kill', ['-9', String(pid)]);
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter((m) => m && m.startsWith(base))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    for (const c of ['', ...readdirSync('/sys/fs/cgroup')]) {
      const dir = join('/sys/fs/cgroup', c, cgroupParent);
      if (existsSync(dir)) spawnSync('sh', ['-c', `find '${dir}' -depth -type d -exec rmdir {} + 2>/dev/null`]);
    }
    rmSync(base, { recursive: true, force: true });
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    if (docker(['version', '--format', '{{.Server.Version}}']).code === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (docker(['version']).code !== 0) {
    await stop();
    throw new Error(`reference dockerd did not start:\n${log()}`);
  }
  if (options.busyboxTar) {
    const r = docker(['load', '-i', options.busyboxTar]);
    if (r.code !== 0) {
      await stop();
      throw new Error(`docker load into the reference dockerd failed: ${r.stderr}`);
    }
  }
  return { base, host: `unix://${socket}`, env, docker, stop };
}
