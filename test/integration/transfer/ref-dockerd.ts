// A reference dockerd (Debian's docker.io, 20.10) for interoperability tests, started by the test
// on its own socket, data root, exec root, pid file and cgroup parent, with no bridge, iptables or
// masquerading, so it never touches the host's networking. Its teardown stops dockerd and the
// containerd it manages by pid, unmounts what they left and removes every directory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../../helpers/daemon.ts';

export const dockerdPath = '/usr/sbin/dockerd';
/** The docker.io client matching the daemon (20.10); the newer CLI works too. */
export const refDockerCli = ['/usr/bin/docker', '/usr/local/bin/docker'].find((p) => existsSync(p)) ?? 'docker';

export interface RefDockerd {
  base: string;
  host: string;
  docker(args: string[], options?: { input?: string | Buffer; timeout?: number }): RunResult;
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

export async function startRefDockerd(options: { /** more dockerd flags (e.g. --default-address-pool for user networks) */ extraArgs?: string[] } = {}): Promise<RefDockerd> {
  const base = mkdtempSync('/tmp/berth-ref-');
  const tag = randomBytes(4).toString('hex');
  const socket = join(base, 'docker.sock');
  const pidfile = join(base, 'dockerd.pid');
  const execRoot = join(base, 'exec');
  const cgroupParent = `berth-ref-${tag}`;
  const configFile = join(base, 'daemon.json');
  writeFileSync(configFile, '{}');
  let out = '';
  const child: ChildProcess = spawn(
    dockerdPath,
    [
      '--data-root', join(base, 'data'),
      '--exec-root', execRoot,
      '--pidfile', pidfile,
      '--config-file', configFile,
      '-H', `unix://${socket}`,
      '--bridge=none',
      '--iptables=false',
      '--ip-masq=false',
      '--ip6tables=false',
      '--cgroup-parent', `/${cgroupParent}`,
      '--log-level', 'warn',
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const host = `unix://${socket}`;
  const docker: RefDockerd['docker'] = (args, o = {}) => {
    const r = spawnSync(refDockerCli, args, {
      env: { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: join(base, 'cli-config') },
      input: o.input ?? '',
      encoding: 'utf8',
      timeout: o.timeout ?? 120_000,
      maxBuffer: 64 << 20,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };

  const stop = async () => {
    // containerd's pid before dockerd goes: if dockerd has to be killed, containerd is ours to end
    let containerdPid = 0;
    try {
      containerdPid = Number(readFileSync(join(execRoot, 'containerd', 'containerd.pid'), 'utf8').trim());
    } catch {
      // not started
    }
    if (child.pid && alive(child.pid)) {
      child.kill('SIGTERM');
      if (!(await waitGone(child.pid, 20_000))) child.kill('SIGKILL');
      await waitGone(child.pid, 5_000);
    }
    if (containerdPid > 1 && alive(containerdPid)) {
      process.kill(containerdPid, 'SIGTERM');
      if (!(await waitGone(containerdPid, 5_000))) process.kill(containerdPid, 'SIGKILL');
    }
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter((m) => m && m.startsWith(base))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    for (const ctl of readdirSync('/sys/fs/cgroup')) {
      for (const dir of [join('/sys/fs/cgroup', ctl, cgroupParent), join('/sys/fs/cgroup', cgroupParent)]) {
        if (existsSync(dir)) removeCgroup(dir);
      }
    }
    rmSync(base, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`reference dockerd exited (${child.exitCode}):\n${out}`);
    }
    if (existsSync(socket) && docker(['version', '--format', '{{.Server.Version}}'], { timeout: 10_000 }).code === 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`reference dockerd did not answer on ${socket}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, host, docker, stop };
}

function removeCgroup(dir: string): void {
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroup(join(dir, e.name));
    spawnSync('rmdir', [dir]);
  } catch {
    // gone already
  }
}
