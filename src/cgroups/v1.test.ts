// The cgroup v1 driver against a fake hybrid tree like this project's VM.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { FakeCgroupFs } from './fake.ts';
import { openCgroups } from './open.ts';
import type { Cgroups } from './types.ts';

const path = '/berth/0123abcd';
const d = (h: string) => `/sys/fs/cgroup/${h}${path}`;

describe('cgroup v1 driver', () => {
  let fs: FakeCgroupFs;
  let cg: Cgroups;
  beforeEach(async () => {
    fs = new FakeCgroupFs({ mode: 'v1', cpus: '0-1' });
    cg = await openCgroups(fs);
    await cg.create(path);
  });

  it('puts the cgroup in every hierarchy and in the unified mount, as runc does on a hybrid host', async () => {
    assert.equal(cg.mode, 'v1');
    const dirs = cg.directories(path);
    for (const h of ['cpu', 'cpuacct', 'cpuset', 'memory', 'blkio', 'pids', 'devices', 'freezer', 'systemd', 'unified']) assert.ok(dirs.includes(d(h)), h);
    // cpuset levels inherit their parent's CPUs and nodes, or no process could join.
    assert.equal((await fs.read(`/sys/fs/cgroup/cpuset/berth/cpuset.cpus`)).trim(), '0-1');
    assert.equal((await fs.read(`${d('cpuset')}/cpuset.mems`)).trim(), '0');
  });

  it('reads cpuacct, cpu.stat, memory, pids and the blkio throttle files', async () => {
    fs.kernelWrite(`${d('cpuacct')}/cpuacct.usage`, '3000000000\n');
    fs.kernelWrite(`${d('cpuacct')}/cpuacct.usage_percpu`, '1000000000 2000000000 \n');
    fs.kernelWrite(`${d('cpuacct')}/cpuacct.stat`, 'user 250\nsystem 30\n');
    fs.kernelWrite(`${d('cpu')}/cpu.stat`, 'nr_periods 12\nnr_throttled 4\nthrottled_time 5000000\n');
    fs.kernelWrite(`${d('memory')}/memory.usage_in_bytes`, '10485760\n');
    fs.kernelWrite(`${d('memory')}/memory.max_usage_in_bytes`, '20971520\n');
    fs.kernelWrite(`${d('memory')}/memory.failcnt`, '3\n');
    fs.kernelWrite(`${d('memory')}/memory.oom_control`, 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
    fs.kernelWrite(`${d('memory')}/memory.stat`, 'cache 4096\nrss 8192\ntotal_inactive_file 1024\nshmem 0\n');
    fs.kernelWrite(`${d('blkio')}/blkio.throttle.io_service_bytes`, '254:0 Read 4096\n254:0 Write 8192\n254:0 Sync 0\n254:0 Async 12288\n254:0 Discard 0\n254:0 Total 12288\nTotal 12288\n');
    fs.kernelWrite(`${d('blkio')}/blkio.throttle.io_serviced`, '254:0 Read 1\n254:0 Write 2\nTotal 3\n');
    await cg.update(path, { memory: { limit: 100 * 1024 * 1024 } });
    const s = await cg.stats(path);
    assert.deepEqual(s.cpu, {
      usage: 3000000000,
      percpu: [1000000000, 2000000000],
      user: 2500000000,
      system: 300000000,
      throttling: { periods: 12, throttledPeriods: 4, throttledTime: 5000000 },
    });
    assert.equal(s.memory.usage, 10485760);
    assert.equal(s.memory.maxUsage, 20971520);
    assert.equal(s.memory.limit, 104857600);
    assert.equal(s.memory.failcnt, 3);
    assert.equal(s.memory.oomKills, 2);
    assert.deepEqual(s.memory.stat, { cache: 4096, rss: 8192, total_inactive_file: 1024, shmem: 0 });
    assert.equal(s.blkio!.ioServiceBytes.length, 6, 'per-device Total lines are kept, the last Total is not');
    assert.deepEqual(s.blkio!.ioServiceBytes[1], { major: 254, minor: 0, op: 'Write', value: 8192 });
    assert.deepEqual(s.blkio!.ioServiced, [
      { major: 254, minor: 0, op: 'Read', value: 1 },
      { major: 254, minor: 0, op: 'Write', value: 2 },
    ]);
    assert.equal(s.blkio!.recursive, undefined);
  });

  it("prefers CFQ's recursive statistics when the kernel keeps them (containerd's rule)", async () => {
    fs.kernelWrite(`${d('blkio')}/blkio.io_serviced_recursive`, '8:0 Read 5\nTotal 5\n');
    fs.kernelWrite(`${d('blkio')}/blkio.io_service_bytes_recursive`, '8:0 Read 20480\nTotal 20480\n');
    fs.kernelWrite(`${d('blkio')}/blkio.time_recursive`, '8:0 77\n');
    const s = await cg.stats(path);
    assert.deepEqual(s.blkio!.ioServiceBytes, [{ major: 8, minor: 0, op: 'Read', value: 20480 }]);
    assert.deepEqual(s.blkio!.recursive!.io_time_recursive, [{ major: 8, minor: 0, op: '', value: 77 }]);
    assert.deepEqual(s.blkio!.recursive!.io_queue_recursive, []);
  });

  it("explains a memory limit below usage with runc's message", async () => {
    fs.kernelWrite(`${d('memory')}/memory.usage_in_bytes`, '52428800\n');
    fs.kernelWrite(`${d('memory')}/memory.max_usage_in_bytes`, '62914560\n');
    await assert.rejects(cg.update(path, { memory: { limit: 16 * 1024 * 1024 } }), {
      name: 'InvalidArgument',
      message: 'unable to set memory limit to 16777216 (current usage: 52428800, peak usage: 62914560)',
    });
  });

  it("reports clamped shares with runc's message", async () => {
    await assert.rejects(cg.update(path, { cpu: { shares: 1 } }), /the minimum allowed cpu-shares is 2/);
    await assert.rejects(cg.update(path, { cpu: { shares: 300000 } }), /the maximum allowed cpu-shares is 262144/);
  });

  it('writes throttles as "major:minor rate" and a weight only where blkio.weight exists', async () => {
    await cg.update(path, { blockIO: { throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 2048 }] } });
    assert.equal(await fs.read(`${d('blkio')}/blkio.throttle.write_bps_device`), '8:0 2048\n');
    await assert.rejects(cg.update(path, { blockIO: { weight: 500 } }), /Block I\/O weight/);
    const cfq = new FakeCgroupFs({ mode: 'v1', blkioWeight: true });
    const cg2 = await openCgroups(cfq);
    await cg2.create(path);
    await cg2.update(path, { blockIO: { weight: 500, weightDevice: [{ major: 8, minor: 0, weight: 300 }] } });
    assert.equal((await cfq.read(`${d('blkio')}/blkio.weight`)).trim(), '500');
    assert.equal((await cfq.read(`${d('blkio')}/blkio.weight_device`)).trim(), '8:0 300');
  });

  it('refuses swap where the kernel does not account it', async () => {
    const noSwap = new FakeCgroupFs({ mode: 'v1', swapAccounting: false });
    const c = await openCgroups(noSwap);
    await c.create(path);
    await assert.rejects(c.update(path, { memory: { limit: 64 << 20, swap: 128 << 20 } }), /does not account swap/);
    await c.update(path, { memory: { limit: -1 } });
    assert.equal((await c.limits(path)).memorySwap, -1);
    assert.equal((await c.features()).swapLimit, false);
  });

  it("reports the host's features as dockerd's sysinfo does on v1", async () => {
    const f = await cg.features();
    assert.deepEqual(
      { cpus: f.cpus, mems: f.mems, swappiness: f.memorySwappiness, oom: f.oomKillDisable, swap: f.swapLimit, weight: f.blkioWeight, rbps: f.blkioReadBpsDevice },
      { cpus: '0-1', mems: '0', swappiness: true, oom: true, swap: true, weight: false, rbps: true },
    );
  });
});
