// dockerd 20.10's answers on this machine (2 CPUs, cgroup v1, swap accounted, no blkio.weight)
// to the same requests, POST /v1.41/containers/create and docker update.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CgroupFeatures } from '../cgroups/index.ts';
import { defaultHostConfig, type HostConfig } from '../types/index.ts';
import { adaptHostConfig, mergeResourceUpdate, verifyHostConfig, type HostConfigRequest, type HostValidationContext } from './host-config-validate.ts';

const v1: CgroupFeatures = {
  mode: 'v1', memoryLimit: true, swapLimit: true, memoryReservation: true, oomKillDisable: true, memorySwappiness: true, kernelMemory: true,
  cpuShares: true, cpuCfs: true, cpuRealtime: true, cpuset: true, cpus: '0-1', mems: '0', pidsLimit: true, blkioWeight: false,
  blkioWeightDevice: false, blkioReadBpsDevice: true, blkioWriteBpsDevice: true, blkioReadIOpsDevice: true, blkioWriteIOpsDevice: true,
};
const v2: CgroupFeatures = { ...v1, mode: 'v2', oomKillDisable: false, memorySwappiness: false, kernelMemory: false, cpuRealtime: false, blkioWeight: true, blkioWeightDevice: true };
const ctx: HostValidationContext = { features: v1, numCpus: 2, cgroupNamespaces: true };
const MiB = 1024 * 1024;

const refused = (h: HostConfigRequest, message: string, c: HostValidationContext = ctx) =>
  assert.throws(() => verifyHostConfig(h, c), (err: Error) => err.name === 'InvalidArgument' && err.message === message, message);

describe('HostConfig checks at create', () => {
  it("refuses what dockerd refuses, with dockerd's words", () => {
    refused({ Memory: 4194304 }, 'Minimum memory limit allowed is 6MB');
    refused({ Memory: 100 * MiB, MemorySwap: 50 * MiB }, 'Minimum memoryswap limit should be larger than memory limit, see usage');
    refused({ MemorySwap: 100 * MiB }, 'You should always set the Memory limit when using Memoryswap limit, see usage');
    refused({ MemorySwappiness: 101 }, 'Invalid value: 101, valid memory swappiness range is 0-100');
    refused({ MemoryReservation: MiB }, 'Minimum memory reservation allowed is 6MB');
    refused({ Memory: 10 * MiB, MemoryReservation: 20 * MiB }, 'Minimum memory limit can not be less than memory reservation limit, see usage');
    refused({ NanoCpus: 1e9, CpuPeriod: 100000 }, 'Conflicting options: Nano CPUs and CPU Period cannot both be set');
    refused({ NanoCpus: 1e9, CpuQuota: 100000 }, 'Conflicting options: Nano CPUs and CPU Quota cannot both be set');
    refused({ NanoCpus: 3e9 }, 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available');
    refused({ NanoCpus: -1 }, 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available');
    refused({ CpuPeriod: 100 }, 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
    refused({ CpuQuota: 100 }, 'CPU cfs quota can not be less than 1ms (i.e. 1000)');
    refused({ CpusetCpus: '5' }, 'Requested CPUs are not available - requested 5, available: 0-1');
    refused({ CpusetCpus: 'abc' }, 'Invalid value abc for cpuset cpus: invalid format: abc');
    refused({ CpusetMems: '3' }, 'Requested memory nodes are not available - requested 3, available: 0');
    refused({ CpuRealtimePeriod: 1000, CpuRealtimeRuntime: 2000 }, 'cpu real-time runtime cannot be higher than cpu real-time period');
    refused({ IOMaximumBandwidth: 100 }, 'Invalid QoS settings: linux does not support configuration of maximum bandwidth');
    refused({ IOMaximumIOps: 100 }, 'Invalid QoS settings: linux does not support configuration of maximum IOPs');
    refused({ OomScoreAdj: 2000 }, 'Invalid value 2000, range for oom score adj is [-1000, 1000]');
    refused({ ShmSize: -1 }, 'SHM size can not be less than 0');
    refused({ CgroupnsMode: 'foo' }, 'invalid cgroup namespace mode: foo');
    refused({ IpcMode: 'foo' }, 'invalid IPC mode: foo');
    refused({ PidMode: 'foo' }, 'invalid PID mode: foo');
    refused({ UTSMode: 'foo' }, 'invalid UTS mode: foo');
    refused({ CapAdd: ['FOO'] }, 'invalid CapAdd: unknown capability: "CAP_FOO"');
    refused({ CapDrop: ['cap_bar'] }, 'invalid CapDrop: unknown capability: "CAP_BAR"');
    refused({ SecurityOpt: ['foo'] }, 'invalid --security-opt 1: "foo"');
    refused({ SecurityOpt: ['foo=bar'] }, 'invalid --security-opt 2: "foo=bar"');
  });

  it('accepts the values dockerd accepts', () => {
    for (const h of [
      { Memory: 100 * MiB, MemorySwap: -1 },
      { MemorySwappiness: -1 },
      { CpuQuota: -1 },
      { PidsLimit: -5 },
      { NanoCpus: 2e9, CpusetCpus: '0-1', CpusetMems: '0' },
      { IpcMode: 'shareable' },
      { IpcMode: 'container:db', PidMode: 'container:db' },
      { CapAdd: ['net_admin', 'cap_sys_time', 'ALL'], CapDrop: ['all'] },
      { SecurityOpt: ['label:disable', 'apparmor=foo', 'seccomp=unconfined', 'no-new-privileges=true'] },
    ] as HostConfigRequest[]) {
      assert.doesNotThrow(() => verifyHostConfig(h, ctx), JSON.stringify(h));
    }
  });

  it("discards what the host cannot do, with dockerd's warnings", () => {
    let v = verifyHostConfig({ BlkioWeight: 5, CpuPercent: 50, KernelMemory: 10 * MiB }, ctx);
    assert.deepEqual(v.warnings, [
      'Specifying a kernel memory limit is deprecated and will be removed in a future release.',
      'linux does not support CPU percent. Percent discarded.',
      'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.',
    ]);
    assert.deepEqual([v.hostConfig.BlkioWeight, v.hostConfig.CpuPercent, v.hostConfig.KernelMemory], [0, 0, 0]);
    // v2 has io.weight: the weight is kept, and its range checked.
    refused({ BlkioWeight: 5 }, 'Range of blkio weight is from 10 to 1000', { ...ctx, features: v2 });
    assert.deepEqual(verifyHostConfig({ BlkioWeight: 300 }, { ...ctx, features: v2 }), { hostConfig: { BlkioWeight: 300 }, warnings: [] });
    v = verifyHostConfig({ Memory: 64 * MiB, MemorySwappiness: 10, OomKillDisable: true }, { ...ctx, features: v2 });
    assert.deepEqual(v.warnings, [
      'Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.',
      'Your kernel does not support OomKillDisable. OomKillDisable discarded.',
    ]);
    assert.deepEqual([v.hostConfig.MemorySwappiness, v.hostConfig.OomKillDisable], [null, null]);
    v = verifyHostConfig({ Memory: 64 * MiB, MemorySwap: 128 * MiB }, { ...ctx, features: { ...v1, swapLimit: false } });
    assert.deepEqual(v.warnings, ['Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.']);
    assert.equal(v.hostConfig.MemorySwap, -1);
    assert.deepEqual(verifyHostConfig({ OomKillDisable: true }, ctx).warnings, [
      'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
    ]);
    v = verifyHostConfig({ BlkioWeightDevice: [{ Path: '/dev/vda', Weight: 300 }] }, ctx);
    assert.deepEqual(v.hostConfig.BlkioWeightDevice, []);
    assert.match(v.warnings[0], /Weight-device discarded/);
  });

  it('refuses what user namespaces cannot share when the daemon remaps users', () => {
    const remap = { ...ctx, usernsRemap: true };
    refused({ Privileged: true }, 'privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode', remap);
    refused({ NetworkMode: 'host' }, "cannot share the host's network namespace when user namespaces are enabled", remap);
    refused({ PidMode: 'host' }, 'cannot share the host PID namespace when user namespaces are enabled', remap);
    assert.doesNotThrow(() => verifyHostConfig({ Privileged: true, UsernsMode: 'host' }, remap));
    refused({ UsernsMode: 'foo' }, 'invalid USER mode: foo');
  });

  it('checks only resources on update, and lets memory+swap come alone', () => {
    assert.doesNotThrow(() => verifyHostConfig({ MemorySwap: 500 * MiB, IpcMode: 'ignored' }, ctx, { update: true }));
    assert.throws(() => verifyHostConfig({ Memory: MiB }, ctx, { update: true }), /Minimum memory limit allowed is 6MB/);
    assert.throws(() => verifyHostConfig({ CpusetCpus: '7' }, ctx, { update: true }), /Requested CPUs are not available - requested 7, available: 0-1/);
  });
});

describe("dockerd's defaults on create", () => {
  it('fills in memory+swap, shm, IPC and cgroup namespace modes, labels, OomKillDisable, pids and masked paths', () => {
    const a = adaptHostConfig({ Memory: 100 * MiB, PidsLimit: 0, MemorySwappiness: -1 }, { cgroupMode: 'v1' });
    assert.equal(a.MemorySwap, 200 * MiB);
    assert.equal(a.ShmSize, 64 * MiB);
    assert.equal(a.IpcMode, 'private');
    assert.equal(a.CgroupnsMode, 'host', 'v1 default');
    assert.equal(a.OomKillDisable, false);
    assert.equal(a.PidsLimit, null);
    assert.equal(a.MemorySwappiness, null);
    assert.ok(a.MaskedPaths!.includes('/proc/kcore') && a.ReadonlyPaths!.includes('/proc/sys'));
    assert.equal(a.SecurityOpt, undefined);
    assert.equal(adaptHostConfig({}, { cgroupMode: 'v2' }).CgroupnsMode, 'private', 'v2 default');
    assert.equal(adaptHostConfig({}, { cgroupMode: 'v1', cgroupnsMode: 'private' }).CgroupnsMode, 'private', 'daemon default-cgroupns-mode');
    assert.equal(adaptHostConfig({ Privileged: true }, { cgroupMode: 'v1', cgroupnsMode: 'private' }).CgroupnsMode, 'host');
    const p = adaptHostConfig({ Privileged: true }, { cgroupMode: 'v1', shmSize: 128 * MiB });
    assert.deepEqual(p.SecurityOpt, ['label=disable']);
    assert.equal(p.MaskedPaths, undefined);
    assert.equal(p.ShmSize, 128 * MiB);
    assert.deepEqual(adaptHostConfig({ IpcMode: 'host', SecurityOpt: ['no-new-privileges'] }, { cgroupMode: 'v1' }).SecurityOpt, ['no-new-privileges', 'label=disable']);
    assert.equal(adaptHostConfig({ Memory: 100 * MiB, MemorySwap: -1 }, { cgroupMode: 'v1' }).MemorySwap, -1);
  });
});

describe('docker update merged into a container', () => {
  const id = '717d5d0ec625';
  const c = (over: Partial<HostConfig>): HostConfig => ({ ...defaultHostConfig(), ...over });
  const conflict = (current: Partial<HostConfig>, req: HostConfigRequest, message: string) =>
    assert.throws(() => mergeResourceUpdate(id, c(current), req), (err: Error) => err.name === 'Conflict' && err.message === `Cannot update container ${id}: ${message}`, message);

  it("refuses dockerd's conflicts", () => {
    conflict({ Memory: 100 * MiB, MemorySwap: 200 * MiB }, { Memory: 300 * MiB }, 'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    conflict({}, { Memory: 300 * MiB }, 'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    conflict({ Memory: 100 * MiB, MemorySwap: -1 }, { Memory: 200 * MiB }, 'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    conflict({ CpuPeriod: 50000 }, { NanoCpus: 1e9 }, 'Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
    conflict({ CpuQuota: 50000 }, { NanoCpus: 1e9 }, 'Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
    conflict({ NanoCpus: 1e9 }, { CpuPeriod: 50000 }, 'Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
    conflict({ NanoCpus: 1e9 }, { CpuQuota: 50000 }, 'Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
  });

  it('takes the non-zero values of the request and keeps the rest', () => {
    const m = mergeResourceUpdate(id, c({ Memory: 100 * MiB, MemorySwap: 200 * MiB, CpuShares: 512, PidsLimit: 50 }), {
      Memory: 300 * MiB,
      MemorySwap: 400 * MiB,
      CpusetCpus: '1',
      PidsLimit: -1,
    });
    assert.deepEqual(
      [m.Memory, m.MemorySwap, m.CpuShares, m.CpusetCpus, m.PidsLimit],
      [300 * MiB, 400 * MiB, 512, '1', 0],
    );
    assert.equal(mergeResourceUpdate(id, c({ Memory: 100 * MiB, MemorySwap: 400 * MiB }), { Memory: 8 * MiB }).Memory, 8 * MiB);
  });
});
