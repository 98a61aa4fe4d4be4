// The spec a HostConfig produces, run by the real runc on this machine (no berthd, no conmon):
// runc accepts it, the limits land in the container's cgroups where the Cgroups port reads and
// changes them, and the security settings are felt inside — the default seccomp profile blocks
// unshare, unconfined allows it, a dropped capability is missing, no-new-privileges is set, a
// device is readable but not writable. Everything lives under a temp dir and a cgroup parent of
// its own; containers are deleted by id and the cgroups removed when the suite ends.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NodeCgroupFs, containerCgroupsPath, openCgroups, type Cgroups } from '../../../src/cgroups/index.ts';
import { buildSpec, goArch, parseKernelVersion, resolveDevices, serializeSpec, specFromHostConfig, updateResources } from '../../../src/runtime/index.ts';
import { defaultHostConfig, type HostConfig } from '../../../src/types/index.ts';

const MiB = 1024 * 1024;
const tmp = mkdtempSync('/tmp/berth-it-spec-');
const runcRoot = join(tmp, 'runc');
const parent = `berth-it-spec-${randomBytes(4).toString('hex')}`;
const rootfs = join(tmp, 'rootfs');
const ids: string[] = [];
let cg: Cgroups;

function makeRootfs(): void {
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
  for (const a of ['sh', 'cat', 'grep', 'head', 'chown', 'unshare', 'sleep', 'touch', 'echo', 'true', 'test']) symlinkSync('busybox', join(rootfs, 'bin', a));
  writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(rootfs, 'etc', 'group'), 'root:x:0:\n');
}

/** Writes a bundle for `script` under `host` and returns its id and the bundle directory. */
async function bundle(host: Partial<HostConfig>, script: string): Promise<{ id: string; dir: string; cgroupsPath: string }> {
  const id = `spec-${randomBytes(6).toString('hex')}`;
  ids.push(id);
  const h = { ...defaultHostConfig(), CgroupnsMode: 'host', ...host } as HostConfig;
  const cgroupsPath = containerCgroupsPath(parent, id);
  const spec = buildSpec({
    id,
    rootfs,
    hostname: id,
    args: ['sh', '-c', script],
    env: ['PATH=/bin'],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] },
    terminal: false,
    mounts: [],
    network: { mode: 'private' },
    cgroupsPath,
    ...specFromHostConfig(h, {
      arch: goArch(),
      kernel: parseKernelVersion(release()),
      seccompAvailable: true,
      devices: await resolveDevices(h),
    }),
  });
  const dir = join(tmp, id);
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), serializeSpec(spec));
  return { id, dir, cgroupsPath };
}

/** runc run in the foreground: the script's output and exit code. */
async function run(host: Partial<HostConfig>, script: string): Promise<{ code: number; out: string }> {
  const b = await bundle(host, script);
  const r = spawnSync('runc', ['--root', runcRoot, 'run', '--bundle', b.dir, b.id], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

before(async () => {
  makeRootfs();
  cg = await openCgroups(new NodeCgroupFs());
});

after(async () => {
  for (const id of ids) spawnSync('runc', ['--root', runcRoot, 'delete', '--force', id]);
  await cg.remove(`/${parent}`);
  rmSync(tmp, { recursive: true, force: true });
  for (const dir of cg.directories(`/${parent}`)) assert.equal(await new NodeCgroupFs().exists(dir), false, `${dir} left behind`);
});

describe('a HostConfig spec under the real runc', () => {
  it('the default seccomp profile blocks unshare; seccomp=unconfined allows it', async () => {
    const blocked = await run({}, 'unshare -U true && echo allowed || echo blocked');
    assert.match(blocked.out, /Operation not permitted/);
    assert.match(blocked.out, /blocked/);
    const allowed = await run({ SecurityOpt: ['seccomp=unconfined'] }, 'unshare -U true && echo allowed || echo blocked');
    assert.equal(allowed.out.trim(), 'allowed');
    // The same filter with CAP_SYS_ADMIN in the bounding set lets it through: the conditions follow the capabilities.
    const admin = await run({ CapAdd: ['SYS_ADMIN'] }, 'unshare -U true && echo allowed || echo blocked');
    assert.equal(admin.out.trim(), 'allowed');
  });

  it('--cap-drop CHOWN makes chown fail; no-new-privileges shows in /proc', async () => {
    const r = await run({ CapDrop: ['chown'], SecurityOpt: ['no-new-privileges'] }, 'touch /tmp/f; chown 1 /tmp/f || echo chown-failed; grep NoNewPrivs /proc/self/status');
    assert.match(r.out, /chown-failed/);
    assert.match(r.out, /NoNewPrivs:\s+1/);
    const plain = await run({}, 'touch /tmp/f; chown 1 /tmp/f && echo chown-ok; grep NoNewPrivs /proc/self/status');
    assert.match(plain.out, /chown-ok/);
    assert.match(plain.out, /NoNewPrivs:\s+0/);
  });

  it('--ulimit nofile and --device permissions are felt inside', async () => {
    // /dev/cpu_dma_latency (10:259) is not among the devices every container may use, so the
    // permissions given with --device alone decide.
    const script = 'ulimit -n; ulimit -Hn; head -c 4 /dev/lat >/dev/null && echo read-ok; echo 10 > /dev/lat && echo write-ok || echo write-denied';
    const device = (CgroupPermissions: string) => [{ PathOnHost: '/dev/cpu_dma_latency', PathInContainer: '/dev/lat', CgroupPermissions }];
    const r = await run({ Ulimits: [{ Name: 'nofile', Soft: 512, Hard: 1024 }], Devices: device('r') }, script);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^512\n1024\nread-ok\n/);
    assert.match(r.out, /write-denied/);
    const rw = await run({ Devices: device('rw') }, script);
    assert.match(rw.out, /read-ok\nwrite-ok/);
    const none = await run({}, 'test -e /dev/lat && echo present || echo absent');
    assert.equal(none.out.trim(), 'absent');
  });

  it('limits land in the cgroup runc makes; the Cgroups port reads them, reads usage and changes them live', async () => {
    const h: Partial<HostConfig> = { Memory: 64 * MiB, MemorySwap: 128 * MiB, MemoryReservation: 32 * MiB, NanoCpus: 5e8, CpuShares: 512, CpusetCpus: '0', PidsLimit: 50, OomKillDisable: false };
    const b = await bundle(h, 'sleep 600');
    const r = spawnSync('runc', ['--root', runcRoot, 'run', '--detach', '--bundle', b.dir, b.id], { stdio: 'ignore', timeout: 60_000 });
    assert.equal(r.status, 0);
    let l = await cg.limits(b.cgroupsPath);
    assert.deepEqual(
      { memory: l.memory, swap: l.memorySwap, reservation: l.memoryReservation, shares: l.cpuShares, quota: l.cpuQuota, period: l.cpuPeriod, cpus: l.cpusetCpus, pids: l.pids },
      { memory: 64 * MiB, swap: 128 * MiB, reservation: 32 * MiB, shares: 512, quota: 50000, period: 100000, cpus: '0', pids: 50 },
    );
    const s = await cg.stats(b.cgroupsPath);
    const state = JSON.parse(spawnSync('runc', ['--root', runcRoot, 'state', b.id], { encoding: 'utf8' }).stdout) as { pid: number };
    assert.deepEqual(await cg.processes(b.cgroupsPath), [state.pid]);
    assert.ok(s.pids.current >= 1, 'pids.current counts tasks (runc init may still have threads)');
    assert.equal(s.pids.limit, 50);
    assert.equal(s.memory.limit, 64 * MiB);
    assert.ok(s.cpu.usage > 0);
    // docker update -m 96m --memory-swap 192m --cpus 1 --pids-limit 20
    await cg.update(b.cgroupsPath, updateResources({ Memory: 96 * MiB, MemorySwap: 192 * MiB, NanoCpus: 1e9, PidsLimit: 20 }));
    l = await cg.limits(b.cgroupsPath);
    assert.deepEqual([l.memory, l.memorySwap, l.cpuQuota, l.pids, l.cpuShares], [96 * MiB, 192 * MiB, 100000, 20, 512]);
    spawnSync('runc', ['--root', runcRoot, 'kill', b.id, 'KILL']);
  });
});
