// The behaviour every Cgroups implementation owes its callers, run against the fake cgroupfs (v1
// and v2 layouts, unit tier) and against this machine's real cgroups (integration tier, root).
// Assertions are written once; where v1 and v2 differ by design (cpu.shares vs cpu.weight,
// swappiness) the expectation is derived from the mode and the conversion rules.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NotFound } from '../errors/index.ts';
import { cpuSharesToWeight, blkioWeightToIoWeight } from './convert.ts';
import type { Cgroups } from './types.ts';

export interface ContractProcess {
  pid: number;
  /** Ends the process and waits until it has left its cgroups. */
  stop(): Promise<void>;
}

export interface ContractHarness {
  cgroups: Cgroups;
  /** A cgroupsPath of this run's own, under which the suite makes its cgroups. */
  base: string;
  /** The machine's CPUs as the root cpuset names them ("0-1"). */
  cpus: string;
  /** A block device to throttle (major:minor). */
  blockDevice: { major: number; minor: number };
  /** Starts an idle process outside any test cgroup. */
  spawn(): Promise<ContractProcess>;
  /** Removes whatever the suite left behind (processes, cgroups), even after a failure. */
  cleanup(): Promise<void>;
}

const MiB = 1024 * 1024;

export function cgroupsContract(name: string, makeHarness: () => Promise<ContractHarness>): void {
  describe(`Cgroups contract: ${name}`, () => {
    let h: ContractHarness;
    let cg: Cgroups;
    let n = 0;
    /** A fresh cgroup for one test. */
    const fresh = async (): Promise<string> => {
      const path = `${h.base}/t${++n}`;
      await cg.create(path);
      return path;
    };

    before(async () => {
      h = await makeHarness();
      cg = h.cgroups;
    });
    after(async () => {
      await h?.cleanup();
    });

    it('creates, finds and removes a cgroup; removing a missing one is not an error', async () => {
      const path = `${h.base}/lifecycle`;
      assert.equal(await cg.exists(path), false);
      await cg.create(path);
      assert.equal(await cg.exists(path), true);
      assert.ok(cg.directories(path).every((d) => d.endsWith(path)), 'each directory ends with the cgroupsPath');
      await cg.create(path); // again: nothing to do
      await cg.remove(path);
      assert.equal(await cg.exists(path), false);
      await cg.remove(path);
    });

    it('counts the processes moved into it, and forgets them when they exit', async () => {
      const path = await fresh();
      const p = await h.spawn();
      try {
        await cg.addProcess(path, p.pid);
        assert.deepEqual(await cg.processes(path), [p.pid]);
        assert.equal((await cg.stats(path)).pids.current, 1);
        await assert.rejects(cg.remove(path), 'a cgroup with a process in it cannot be removed');
      } finally {
        await p.stop();
      }
      assert.deepEqual(await cg.processes(path), []);
      assert.equal((await cg.stats(path)).pids.current, 0);
      await cg.remove(path);
      assert.equal(await cg.exists(path), false);
    });

    it('reads the statistics of a fresh cgroup: no limits, counters at rest', async () => {
      const path = await fresh();
      const s = await cg.stats(path);
      assert.equal(s.mode, cg.mode);
      for (const v of [s.cpu.usage, s.cpu.system, s.cpu.user, s.cpu.throttling.periods, s.memory.usage]) assert.ok(Number.isFinite(v) && v >= 0);
      assert.equal(s.memory.limit, undefined, 'unlimited memory has no limit');
      assert.equal(s.pids.limit, 0, 'unlimited pids read as 0, as dockerd reports them');
      assert.equal(s.memory.oomKills, 0);
      if (cg.mode === 'v1') {
        assert.ok(s.cpu.percpu!.length >= 1);
        assert.ok('cache' in s.memory.stat && 'total_inactive_file' in s.memory.stat);
        assert.equal(s.memory.failcnt, 0);
        assert.ok(s.blkio);
      } else {
        assert.ok('anon' in s.memory.stat && 'inactive_file' in s.memory.stat);
        assert.deepEqual(s.io, []);
      }
      assert.equal(await cg.oomKills(path), 0);
    });

    it('sets memory, memory+swap and the reservation, growing and shrinking in either order', async () => {
      const path = await fresh();
      await cg.update(path, { memory: { limit: 64 * MiB, swap: 128 * MiB, reservation: 32 * MiB } });
      let l = await cg.limits(path);
      assert.deepEqual([l.memory, l.memorySwap, l.memoryReservation], [64 * MiB, 128 * MiB, 32 * MiB]);
      assert.equal((await cg.stats(path)).memory.limit, 64 * MiB);
      // Both above the current memory+swap: swap must go first.
      await cg.update(path, { memory: { limit: 256 * MiB, swap: 512 * MiB } });
      l = await cg.limits(path);
      assert.deepEqual([l.memory, l.memorySwap], [256 * MiB, 512 * MiB]);
      // Both below the current memory: memory must go first.
      await cg.update(path, { memory: { limit: 32 * MiB, swap: 32 * MiB } });
      l = await cg.limits(path);
      assert.deepEqual([l.memory, l.memorySwap], [32 * MiB, 32 * MiB], 'the same value for both: no swap');
      // Memory alone, within memory+swap.
      await cg.update(path, { memory: { limit: 16 * MiB } });
      assert.equal((await cg.limits(path)).memory, 16 * MiB);
      // -1 lifts the limit, and swap with it.
      await cg.update(path, { memory: { limit: -1 } });
      l = await cg.limits(path);
      assert.deepEqual([l.memory, l.memorySwap], [-1, -1]);
      assert.equal((await cg.stats(path)).memory.limit, undefined);
    });

    it('refuses memory+swap below memory', async () => {
      const path = await fresh();
      await assert.rejects(cg.update(path, { memory: { limit: 64 * MiB, swap: 32 * MiB } }));
    });

    it('sets CPU shares (cpu.weight on v2), quota and period; a period alone keeps the quota', async () => {
      const path = await fresh();
      await cg.update(path, { cpu: { shares: 512, quota: 50000, period: 100000 } });
      let l = await cg.limits(path);
      if (cg.mode === 'v1') assert.equal(l.cpuShares, 512);
      else assert.equal(l.cpuWeight, cpuSharesToWeight(512));
      assert.deepEqual([l.cpuQuota, l.cpuPeriod], [50000, 100000]);
      await cg.update(path, { cpu: { period: 200000 } });
      l = await cg.limits(path);
      assert.deepEqual([l.cpuQuota, l.cpuPeriod], [50000, 200000]);
      await cg.update(path, { cpu: { quota: -1 } });
      l = await cg.limits(path);
      assert.deepEqual([l.cpuQuota, l.cpuPeriod], [-1, 200000]);
    });

    it('pins to CPUs and memory nodes the machine has, and refuses others', async () => {
      const path = await fresh();
      await cg.update(path, { cpu: { cpus: '0', mems: '0' } });
      const l = await cg.limits(path);
      assert.deepEqual([l.cpusetCpus, l.cpusetMems], ['0', '0']);
      await assert.rejects(cg.update(path, { cpu: { cpus: '999' } }));
    });

    it('limits pids; -1 lifts the limit', async () => {
      const path = await fresh();
      await cg.update(path, { pids: { limit: 50 } });
      assert.equal((await cg.limits(path)).pids, 50);
      assert.equal((await cg.stats(path)).pids.limit, 50);
      await cg.update(path, { pids: { limit: -1 } });
      assert.equal((await cg.limits(path)).pids, -1);
      assert.equal((await cg.stats(path)).pids.limit, 0);
    });

    it('throttles a block device and lifts the throttle with a rate of 0', async () => {
      const path = await fresh();
      const { major, minor } = h.blockDevice;
      await cg.update(path, { blockIO: { throttleReadBpsDevice: [{ major, minor, rate: MiB }], throttleWriteIOPSDevice: [{ major, minor, rate: 100 }] } });
      let l = await cg.limits(path);
      assert.deepEqual(l.throttleReadBps, [{ major, minor, rate: MiB }]);
      assert.deepEqual(l.throttleWriteIops, [{ major, minor, rate: 100 }]);
      await cg.update(path, { blockIO: { throttleReadBpsDevice: [{ major, minor, rate: 0 }] } });
      l = await cg.limits(path);
      assert.deepEqual(l.throttleReadBps, []);
      assert.deepEqual(l.throttleWriteIops, [{ major, minor, rate: 100 }]);
    });

    it('sets a Block I/O weight where the kernel has one, and refuses it where it has none', async () => {
      const path = await fresh();
      const f = await cg.features();
      if (!f.blkioWeight) {
        await assert.rejects(cg.update(path, { blockIO: { weight: 300 } }));
        return;
      }
      await cg.update(path, { blockIO: { weight: 300 } });
      const l = await cg.limits(path);
      if (cg.mode === 'v1') assert.equal(l.blkioWeight, 300);
      else assert.equal(l.ioWeight, blkioWeightToIoWeight(300));
    });

    it('swappiness and disabling the OOM killer exist on v1 only', async () => {
      const path = await fresh();
      const update = cg.update(path, { memory: { limit: 64 * MiB, swappiness: 10, disableOOMKiller: true } });
      if (cg.mode === 'v2') return assert.rejects(update);
      await update;
      const l = await cg.limits(path);
      assert.deepEqual([l.swappiness, l.oomKillDisable], [10, true]);
    });

    it('refuses to change device rules live', async () => {
      const path = await fresh();
      await assert.rejects(cg.update(path, { devices: [{ allow: true, access: 'rwm' }] }), /device rules/);
    });

    it('reports a missing cgroup as not found, and no OOM kills for it', async () => {
      const path = `${h.base}/missing`;
      await assert.rejects(cg.stats(path), NotFound);
      await assert.rejects(cg.limits(path), NotFound);
      await assert.rejects(cg.update(path, { pids: { limit: 5 } }), NotFound);
      assert.equal(await cg.oomKills(path), 0);
    });

    it("describes the host's features", async () => {
      const f = await cg.features();
      assert.equal(f.mode, cg.mode);
      assert.equal(f.memoryLimit, true);
      assert.equal(f.cpuShares && f.cpuCfs && f.cpuset && f.pidsLimit, true);
      assert.equal(f.cpus, h.cpus);
      assert.equal(f.memorySwappiness, cg.mode === 'v1');
      assert.equal(f.oomKillDisable, cg.mode === 'v1');
    });
  });
}
