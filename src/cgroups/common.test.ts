import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerCgroupsPath } from './common.ts';
import { cpuSharesToWeight, blkioWeightToIoWeight, memorySwapToV2 } from './convert.ts';
import { oomKilled } from './oom.ts';
import { formatCpuList, parseCpuList } from './parse.ts';

describe('cgroup paths', () => {
  it("are absolute under the parent, as Berth hands them to runc's cgroupfs driver", () => {
    assert.equal(containerCgroupsPath('berth', 'abc'), '/berth/abc');
    assert.equal(containerCgroupsPath('/a/b/', 'abc'), '/a/b/abc');
    assert.equal(containerCgroupsPath('', 'abc'), '/abc');
    assert.throws(() => containerCgroupsPath('../escape', 'abc'), /invalid cgroup parent/);
  });
});

describe('conversions to cgroup v2 (runc 1.1)', () => {
  it('cpu.shares to cpu.weight, blkio weight to io.weight: the ends and the defaults', () => {
    assert.deepEqual([cpuSharesToWeight(2), cpuSharesToWeight(1024), cpuSharesToWeight(262144), cpuSharesToWeight(0)], [1, 39, 10000, 0]);
    assert.deepEqual([blkioWeightToIoWeight(10), blkioWeightToIoWeight(500), blkioWeightToIoWeight(1000), blkioWeightToIoWeight(0)], [1, 4950, 10000, 0]);
  });

  it('memory+swap becomes swap alone; -1 and 0 pass through', () => {
    assert.equal(memorySwapToV2(300, 200), 100);
    assert.equal(memorySwapToV2(200, 200), 0);
    assert.equal(memorySwapToV2(-1, 200), -1);
    assert.equal(memorySwapToV2(0, 200), 0);
    assert.equal(memorySwapToV2(0, -1), -1, 'unlimited memory, swap unset: unlimited swap');
  });
});

describe('cpusets', () => {
  it('parse and print as the kernel does', () => {
    assert.deepEqual(parseCpuList('0-2,5,7-8'), [0, 1, 2, 5, 7, 8]);
    assert.deepEqual(parseCpuList(''), []);
    assert.equal(parseCpuList('a'), undefined);
    assert.equal(parseCpuList('3-1'), undefined);
    assert.equal(formatCpuList([0, 1, 2, 5, 7, 8]), '0-2,5,7-8');
  });
});

describe('OOM-killed', () => {
  it('conmon or the OOM-kill counter says so; old kernels fall back to failcnt and exit 137', () => {
    assert.equal(oomKilled({ exitCode: 137, conmonOom: true }), true);
    assert.equal(oomKilled({ exitCode: 0, oomKills: 1 }), true, 'a process of the container was killed');
    assert.equal(oomKilled({ exitCode: 137, oomKills: 0, hasOomKillCounter: true, failcnt: 5 }), false, 'killed, but not by the OOM killer');
    assert.equal(oomKilled({ exitCode: 137, hasOomKillCounter: false, failcnt: 5 }), true);
    assert.equal(oomKilled({ exitCode: 1, hasOomKillCounter: false, failcnt: 5 }), false);
  });
});
