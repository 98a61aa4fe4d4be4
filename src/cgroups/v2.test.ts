// The cgroup v2 driver against a fake tree laid out as a real cgroup2 mount.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { FakeCgroupFs } from './fake.ts';
import { openCgroups } from './open.ts';
import type { Cgroups } from './types.ts';

const path = '/berth/0123abcd';
const dir = `/sys/fs/cgroup${path}`;

describe('cgroup v2 driver', () => {
  let fs: FakeCgroupFs;
  let cg: Cgroups;
  beforeEach(async () => {
    fs = new FakeCgroupFs({ mode: 'v2', cpus: '0-7', mems: '0-1' });
    cg = await openCgroups(fs);
    await cg.create(path);
  });

  it('is chosen for cgroup2 on /sys/fs/cgroup and lays a container out as runc does', async () => {
    assert.equal(cg.mode, 'v2');
    assert.deepEqual(cg.directories(path), [dir]);
    // Every level above the container hands all controllers down.
    assert.equal((await fs.read('/sys/fs/cgroup/cgroup.subtree_control')).trim(), 'cpuset cpu io memory hugetlb pids rdma misc');
    assert.equal((await fs.read('/sys/fs/cgroup/berth/cgroup.subtree_control')).trim(), 'cpuset cpu io memory hugetlb pids rdma misc');
    assert.equal((await fs.read(`${dir}/cgroup.controllers`)).trim(), 'cpuset cpu io memory hugetlb pids rdma misc');
    for (const f of ['memory.max', 'memory.swap.max', 'cpu.max', 'cpu.weight', 'cpuset.cpus', 'pids.max', 'io.max', 'io.weight', 'memory.events']) {
      assert.ok(await fs.exists(`${dir}/${f}`), f);
    }
  });

  it('reads cpu.stat, memory.*, pids.* and io.stat into the reading, microseconds as nanoseconds', async () => {
    fs.kernelWrite(`${dir}/cpu.stat`, 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_periods 40\nnr_throttled 3\nthrottled_usec 120000\n');
    fs.kernelWrite(`${dir}/memory.current`, '104857600\n');
    fs.kernelWrite(`${dir}/memory.stat`, 'anon 73400320\nfile 20971520\ninactive_file 8388608\nactive_file 12582912\npgfault 1234\n');
    fs.kernelWrite(`${dir}/memory.events`, 'low 0\nhigh 0\nmax 7\noom 2\noom_kill 1\noom_group_kill 0\n');
    fs.kernelWrite(`${dir}/io.stat`, '254:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n8:16 rbytes=1 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n');
    await cg.update(path, { memory: { limit: 512 * 1024 * 1024 }, pids: { limit: 100 } });
    const pid = fs.spawn();
    await cg.addProcess(path, pid);
    const s = await cg.stats(path);
    assert.deepEqual(s.cpu, { usage: 2500000000, system: 500000000, user: 2000000000, throttling: { periods: 40, throttledPeriods: 3, throttledTime: 120000000 } });
    assert.equal(s.memory.usage, 104857600);
    assert.equal(s.memory.limit, 536870912);
    assert.equal(s.memory.maxUsage, undefined, 'v2 keeps no peak in the files dockerd reads');
    assert.equal(s.memory.stat.inactive_file, 8388608);
    assert.deepEqual(s.memory.events, { low: 0, high: 0, max: 7, oom: 2, oom_kill: 1, oom_group_kill: 0 });
    assert.equal(s.memory.oomKills, 1);
    assert.deepEqual(s.pids, { current: 1, limit: 100 });
    assert.deepEqual(s.io, [
      { major: 254, minor: 0, rbytes: 4096, wbytes: 8192, rios: 1, wios: 2, dbytes: 0, dios: 0 },
      { major: 8, minor: 16, rbytes: 1, wbytes: 0, rios: 1, wios: 0, dbytes: 0, dios: 0 },
    ]);
    assert.equal(await cg.oomKills(path), 1);
  });

  it('writes the files runc writes: swap alone, weight from shares, cpu.max, io.max, io.weight', async () => {
    const raw = async (f: string) => (await fs.read(`${dir}/${f}`)).trim();
    await cg.update(path, {
      memory: { limit: 200 * 1024 * 1024, swap: 300 * 1024 * 1024, reservation: 100 * 1024 * 1024 },
      cpu: { shares: 512, quota: 150000, period: 100000, cpus: '0-2,5', mems: '1' },
      pids: { limit: 50 },
      blockIO: { weight: 300, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }], throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 100 }] },
    });
    assert.equal(await raw('memory.max'), '209715200');
    assert.equal(await raw('memory.swap.max'), '104857600', 'memory.swap.max holds swap alone: 300M - 200M');
    assert.equal(await raw('memory.low'), '104857600');
    assert.equal(await raw('cpu.weight'), '20', "runc 1.1: 1 + (512 - 2) * 9999 / 262142");
    assert.equal(await raw('cpu.max'), '150000 100000');
    assert.equal(await raw('cpuset.cpus'), '0-2,5');
    assert.equal(await raw('cpuset.mems'), '1');
    assert.equal(await raw('pids.max'), '50');
    assert.equal(await raw('io.weight'), 'default 2930', 'runc 1.1: 1 + (300 - 10) * 9999 / 990');
    assert.equal(await raw('io.max'), '8:0 rbps=1048576 wbps=max riops=max wiops=100');
    // memory == memory+swap: no swap at all
    await cg.update(path, { memory: { limit: 64 * 1024 * 1024, swap: 64 * 1024 * 1024 } });
    assert.equal(await raw('memory.swap.max'), '0');
    // -1 everywhere: "max"
    await cg.update(path, { memory: { limit: -1, swap: -1 }, cpu: { quota: -1 }, pids: { limit: -1 } });
    assert.deepEqual([await raw('memory.max'), await raw('memory.swap.max'), await raw('cpu.max'), await raw('pids.max')], ['max', 'max', 'max 100000', 'max']);
  });

  it('uses io.bfq.weight where BFQ provides it', async () => {
    fs.kernelWrite(`${dir}/io.bfq.weight`, 'default 100\n');
    await cg.update(path, { blockIO: { weight: 300, weightDevice: [{ major: 8, minor: 0, weight: 200 }] } });
    assert.equal((await fs.read(`${dir}/io.bfq.weight`)).trim(), '8:0 200', 'the per-device weight was the last write');
    assert.equal((await fs.read(`${dir}/io.weight`)).trim(), 'default 100', 'io.weight untouched');
  });

  it("refuses v1-only settings and runc's impossible swap values", async () => {
    await assert.rejects(cg.update(path, { memory: { swappiness: 10 } }), /swappiness is not supported on cgroup v2/);
    await assert.rejects(cg.update(path, { memory: { disableOOMKiller: true } }), /OOM killer/);
    await assert.rejects(cg.update(path, { memory: { swap: 100 } }), /unable to set swap limit without memory limit/);
    await assert.rejects(cg.update(path, { memory: { limit: 200, swap: 100 } }), /memory\+swap limit should be >= memory limit/);
    await assert.rejects(cg.update(path, { blockIO: { weightDevice: [{ major: 8, minor: 0, weight: 200 }] } }), /BFQ/);
  });

  it("reports the host's features as dockerd's sysinfo does on v2", async () => {
    const f = await cg.features();
    assert.deepEqual(
      { cpus: f.cpus, mems: f.mems, swappiness: f.memorySwappiness, oom: f.oomKillDisable, kmem: f.kernelMemory, swap: f.swapLimit, weight: f.blkioWeight },
      { cpus: '0-7', mems: '0-1', swappiness: false, oom: false, kmem: false, swap: true, weight: true },
    );
  });

  it('keeps processes out of a cgroup that hands controllers down (no internal processes)', async () => {
    const pid = fs.spawn();
    await assert.rejects(cg.addProcess('/berth', pid), /EBUSY/);
  });
});
