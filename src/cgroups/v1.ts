// The cgroup v1 driver: one directory per hierarchy (cpu, cpuacct, cpuset, memory, pids, blkio…),
// each at <mount point><cgroupsPath>, as runc's cgroupfs driver lays them out. Updates follow
// runc's fs driver: the same files, order and error messages.
import { posix } from 'node:path';
import { InvalidArgument, SystemError, isErrno } from '../errors/index.ts';
import { cgroupDir, makeChain, notFound, parsePids, readNumber, readText, removeTree } from './common.ts';
import { v1Limit, v1MemoryUnlimited } from './convert.ts';
import type { CgroupFs } from './fs.ts';
import type { CgroupLayout } from './mountinfo.ts';
import { parseBlkio, parseDeviceValues, parseFlatKeyed, parseNumberList } from './parse.ts';
import type { BlkioEntry, CgroupFeatures, CgroupLimits, CgroupStats, Cgroups, LinuxResources, LinuxThrottleDevice } from './types.ts';

/** USER_HZ: the unit of cpuacct.stat, fixed at 100 for every interface the kernel exports. */
const userHz = 100;
const nsPerTick = 1e9 / userHz;

/** CFQ's statistics files and the names dockerd gives them in its JSON. */
const cfqFiles: Array<[file: string, json: string]> = [
  ['blkio.sectors_recursive', 'sectors_recursive'],
  ['blkio.io_service_bytes_recursive', 'io_service_bytes_recursive'],
  ['blkio.io_serviced_recursive', 'io_serviced_recursive'],
  ['blkio.io_queued_recursive', 'io_queue_recursive'],
  ['blkio.io_service_time_recursive', 'io_service_time_recursive'],
  ['blkio.io_wait_time_recursive', 'io_wait_time_recursive'],
  ['blkio.io_merged_recursive', 'io_merged_recursive'],
  ['blkio.time_recursive', 'io_time_recursive'],
];

export class CgroupsV1 implements Cgroups {
  readonly mode = 'v1' as const;
  #fs: CgroupFs;
  #layout: CgroupLayout;

  constructor(fs: CgroupFs, layout: CgroupLayout) {
    this.#fs = fs;
    this.#layout = layout;
  }

  /** The directory of `path` in the hierarchy holding `controller`, if that hierarchy is mounted. */
  #dir(controller: string, path: string): string | undefined {
    const mount = this.#layout.controllers.get(controller);
    return mount === undefined ? undefined : cgroupDir(mount, path);
  }

  #file(controller: string, path: string, file: string): string | undefined {
    const dir = this.#dir(controller, path);
    return dir === undefined ? undefined : posix.join(dir, file);
  }

  /**
   * Distinct mount points: cpu and cpuacct may share one; named hierarchies (name=systemd) and
   * the hybrid unified mount are joined too, as runc does, so removal must visit them.
   */
  #mounts(): string[] {
    const m = new Set(this.#layout.controllers.values());
    for (const named of this.#layout.named?.values() ?? []) m.add(named);
    if (this.#layout.unified) m.add(this.#layout.unified);
    return [...m];
  }

  directories(path: string): string[] {
    return this.#mounts().map((m) => cgroupDir(m, path));
  }

  async #read(controller: string, path: string, file: string): Promise<string | undefined> {
    const f = this.#file(controller, path, file);
    return f === undefined ? undefined : readText(this.#fs, f);
  }

  async #num(controller: string, path: string, file: string): Promise<number> {
    const f = this.#file(controller, path, file);
    if (f === undefined) return 0;
    return (await readNumber(this.#fs, f)) ?? 0;
  }

  async #assertExists(path: string): Promise<void> {
    const dir = this.#dir('memory', path) ?? this.directories(path)[0];
    if (!(await this.#fs.exists(dir))) throw notFound(path, undefined);
  }

  async stats(path: string): Promise<CgroupStats> {
    await this.#assertExists(path);
    const [usage, percpu, cpuacctStat, cpuStat, memUsage, memMax, memLimit, failcnt, memStat, oomControl, pidsCurrent, pidsMax, blkio] = await Promise.all([
      this.#num('cpuacct', path, 'cpuacct.usage'),
      this.#read('cpuacct', path, 'cpuacct.usage_percpu'),
      this.#read('cpuacct', path, 'cpuacct.stat'),
      this.#read('cpu', path, 'cpu.stat'),
      this.#num('memory', path, 'memory.usage_in_bytes'),
      this.#num('memory', path, 'memory.max_usage_in_bytes'),
      this.#num('memory', path, 'memory.limit_in_bytes'),
      this.#num('memory', path, 'memory.failcnt'),
      this.#read('memory', path, 'memory.stat'),
      this.#read('memory', path, 'memory.oom_control'),
      this.#num('pids', path, 'pids.current'),
      this.#read('pids', path, 'pids.max'),
      this.#blkioStats(path),
    ]);
    const ticks = parseFlatKeyed(cpuacctStat ?? '');
    const throttle = parseFlatKeyed(cpuStat ?? '');
    const maxText = (pidsMax ?? 'max').trim();
    return {
      mode: 'v1',
      cpu: {
        usage,
        percpu: parseNumberList(percpu ?? ''),
        system: (ticks.system ?? 0) * nsPerTick,
        user: (ticks.user ?? 0) * nsPerTick,
        throttling: { periods: throttle.nr_periods ?? 0, throttledPeriods: throttle.nr_throttled ?? 0, throttledTime: throttle.throttled_time ?? 0 },
      },
      memory: {
        usage: memUsage,
        maxUsage: memMax,
        ...(memLimit >= v1MemoryUnlimited || memLimit === 0 ? {} : { limit: memLimit }),
        failcnt,
        stat: parseFlatKeyed(memStat ?? ''),
        oomKills: parseFlatKeyed(oomControl ?? '').oom_kill ?? 0,
      },
      pids: { current: pidsCurrent, limit: maxText === 'max' || maxText === '' ? 0 : Number(maxText) },
      blkio,
    };
  }

  /** containerd's rule: CFQ's recursive statistics when the kernel keeps any, else the throttle files. */
  async #blkioStats(path: string): Promise<NonNullable<CgroupStats['blkio']>> {
    const dir = this.#dir('blkio', path);
    if (dir === undefined) return { ioServiceBytes: [], ioServiced: [] };
    if (await this.#fs.exists(posix.join(dir, 'blkio.io_serviced_recursive'))) {
      const recursive: Record<string, BlkioEntry[]> = {};
      let entries = 0;
      for (const [file, json] of cfqFiles) {
        recursive[json] = parseBlkio((await readText(this.#fs, posix.join(dir, file))) ?? '');
        entries += recursive[json].length;
      }
      if (entries > 0) {
        return { ioServiceBytes: recursive.io_service_bytes_recursive, ioServiced: recursive.io_serviced_recursive, recursive };
      }
    }
    const [bytes, ios] = await Promise.all([
      readText(this.#fs, posix.join(dir, 'blkio.throttle.io_service_bytes')),
      readText(this.#fs, posix.join(dir, 'blkio.throttle.io_serviced')),
    ]);
    return { ioServiceBytes: parseBlkio(bytes ?? ''), ioServiced: parseBlkio(ios ?? '') };
  }

  async oomKills(path: string): Promise<number> {
    const text = await this.#read('memory', path, 'memory.oom_control');
    return parseFlatKeyed(text ?? '').oom_kill ?? 0;
  }

  async limits(path: string): Promise<CgroupLimits> {
    await this.#assertExists(path);
    const memswFile = this.#file('memory', path, 'memory.memsw.limit_in_bytes');
    const [memory, memsw, reservation, swappiness, oomControl, shares, quota, period, cpus, mems, pids, weight, rbps, wbps, riops, wiops] = await Promise.all([
      this.#num('memory', path, 'memory.limit_in_bytes'),
      memswFile === undefined ? undefined : readNumber(this.#fs, memswFile, -1),
      this.#num('memory', path, 'memory.soft_limit_in_bytes'),
      this.#num('memory', path, 'memory.swappiness'),
      this.#read('memory', path, 'memory.oom_control'),
      this.#num('cpu', path, 'cpu.shares'),
      this.#num('cpu', path, 'cpu.cfs_quota_us'),
      this.#num('cpu', path, 'cpu.cfs_period_us'),
      this.#read('cpuset', path, 'cpuset.cpus'),
      this.#read('cpuset', path, 'cpuset.mems'),
      this.#read('pids', path, 'pids.max'),
      this.#weightFile(path).then((f) => (f ? readNumber(this.#fs, f) : undefined)),
      this.#read('blkio', path, 'blkio.throttle.read_bps_device'),
      this.#read('blkio', path, 'blkio.throttle.write_bps_device'),
      this.#read('blkio', path, 'blkio.throttle.read_iops_device'),
      this.#read('blkio', path, 'blkio.throttle.write_iops_device'),
    ]);
    const pidsText = (pids ?? 'max').trim();
    return {
      memory: v1Limit(memory),
      memorySwap: memsw === undefined ? -1 : v1Limit(memsw),
      memoryReservation: v1Limit(reservation),
      swappiness,
      oomKillDisable: parseFlatKeyed(oomControl ?? '').oom_kill_disable === 1,
      cpuShares: shares,
      cpuQuota: quota,
      cpuPeriod: period,
      cpusetCpus: (cpus ?? '').trim(),
      cpusetMems: (mems ?? '').trim(),
      pids: pidsText === 'max' || pidsText === '' ? -1 : Number(pidsText),
      ...(weight === undefined ? {} : { blkioWeight: weight }),
      throttleReadBps: parseDeviceValues(rbps ?? ''),
      throttleWriteBps: parseDeviceValues(wbps ?? ''),
      throttleReadIops: parseDeviceValues(riops ?? ''),
      throttleWriteIops: parseDeviceValues(wiops ?? ''),
    };
  }

  /** blkio.weight on CFQ kernels, blkio.bfq.weight where BFQ replaced it, or nothing. */
  async #weightFile(path: string): Promise<string | undefined> {
    for (const name of ['blkio.weight', 'blkio.bfq.weight']) {
      const f = this.#file('blkio', path, name);
      if (f !== undefined && (await this.#fs.exists(f))) return f;
    }
    return undefined;
  }

  async #write(controller: string, path: string, file: string, value: string): Promise<void> {
    const f = this.#file(controller, path, file);
    if (f === undefined) throw new SystemError(`cannot set ${file}: the ${controller} cgroup controller is not mounted`);
    try {
      await this.#fs.write(f, value);
    } catch (err) {
      throw new SystemError(`failed to write ${JSON.stringify(value)} to ${f}: ${(err as Error).message}`, { cause: err });
    }
  }

  async update(path: string, r: LinuxResources): Promise<void> {
    if (r.devices?.length) throw new InvalidArgument('device rules of a running container cannot be changed');
    await this.#assertExists(path);
    // runc's order: cpuset, memory, cpu, pids, blkio.
    if (r.cpu?.cpus) await this.#write('cpuset', path, 'cpuset.cpus', r.cpu.cpus);
    if (r.cpu?.mems) await this.#write('cpuset', path, 'cpuset.mems', r.cpu.mems);
    if (r.memory) await this.#setMemory(path, r.memory);
    if (r.cpu) await this.#setCpu(path, r.cpu);
    if (r.pids && r.pids.limit !== 0) await this.#write('pids', path, 'pids.max', r.pids.limit > 0 ? String(r.pids.limit) : 'max');
    if (r.blockIO) await this.#setBlkio(path, r.blockIO);
  }

  async #setMemory(path: string, m: NonNullable<LinuxResources['memory']>): Promise<void> {
    let memory = m.limit ?? 0;
    let swap = m.swap ?? 0;
    const memswFile = this.#file('memory', path, 'memory.memsw.limit_in_bytes');
    const hasMemsw = memswFile !== undefined && (await this.#fs.exists(memswFile));
    // Unlimited memory with no swap value means unlimited swap too (when the kernel accounts swap).
    if (memory === -1 && swap === 0 && hasMemsw) swap = -1;
    if (swap !== 0 && !hasMemsw) throw new InvalidArgument('cannot limit swap: the kernel does not account swap (memory.memsw.limit_in_bytes is missing)');
    // The kernel keeps memory <= memory+swap at every step, so the order of the two writes depends
    // on whether the limits grow or shrink.
    if (memory !== 0 && swap !== 0) {
      const current = await this.#num('memory', path, 'memory.limit_in_bytes');
      if (swap === -1 || current < swap) {
        await this.#setSwap(path, swap);
        await this.#setMemoryLimit(path, memory);
        memory = 0;
        swap = 0;
      }
    }
    await this.#setMemoryLimit(path, memory);
    await this.#setSwap(path, swap);
    if (m.reservation) await this.#write('memory', path, 'memory.soft_limit_in_bytes', String(m.reservation));
    if (m.disableOOMKiller) await this.#write('memory', path, 'memory.oom_control', '1');
    if (m.swappiness !== undefined && m.swappiness !== -1) {
      if (m.swappiness < 0 || m.swappiness > 100) throw new InvalidArgument(`invalid memory swappiness value: ${m.swappiness} (valid range is 0-100)`);
      await this.#write('memory', path, 'memory.swappiness', String(m.swappiness));
    }
  }

  async #setMemoryLimit(path: string, value: number): Promise<void> {
    if (value === 0) return;
    const f = this.#file('memory', path, 'memory.limit_in_bytes');
    if (f === undefined) throw new SystemError('cannot set a memory limit: the memory cgroup controller is not mounted');
    try {
      await this.#fs.write(f, String(value));
    } catch (err) {
      if (!isErrno(err, 'EBUSY')) throw new SystemError(`failed to write ${value} to ${f}: ${(err as Error).message}`, { cause: err });
      // The kernel could not reclaim down to the new limit: say why, as runc does.
      const [usage, max] = await Promise.all([this.#num('memory', path, 'memory.usage_in_bytes'), this.#num('memory', path, 'memory.max_usage_in_bytes')]);
      throw new InvalidArgument(`unable to set memory limit to ${value} (current usage: ${usage}, peak usage: ${max})`, { cause: err });
    }
  }

  async #setSwap(path: string, value: number): Promise<void> {
    if (value === 0) return;
    await this.#write('memory', path, 'memory.memsw.limit_in_bytes', String(value));
  }

  async #setCpu(path: string, c: NonNullable<LinuxResources['cpu']>): Promise<void> {
    if (c.shares) {
      await this.#write('cpu', path, 'cpu.shares', String(c.shares));
      // The kernel clamps shares silently; read back and say so, as runc does.
      const got = await this.#num('cpu', path, 'cpu.shares');
      if (c.shares > got) throw new InvalidArgument(`the maximum allowed cpu-shares is ${got}`);
      if (c.shares < got) throw new InvalidArgument(`the minimum allowed cpu-shares is ${got}`);
    }
    let pendingPeriod: string | undefined;
    if (c.period) {
      const f = this.#file('cpu', path, 'cpu.cfs_period_us')!;
      try {
        await this.#fs.write(f, String(c.period));
      } catch (err) {
        // A shorter period can exceed the parent's bandwidth with the old quota: retry after the
        // quota is written (runc's rule).
        if (!isErrno(err, 'EINVAL') || !c.quota) throw new SystemError(`failed to write ${c.period} to ${f}: ${(err as Error).message}`, { cause: err });
        pendingPeriod = String(c.period);
      }
    }
    if (c.quota) {
      await this.#write('cpu', path, 'cpu.cfs_quota_us', String(c.quota));
      if (pendingPeriod) await this.#write('cpu', path, 'cpu.cfs_period_us', pendingPeriod);
    }
    if (c.realtimePeriod) await this.#write('cpu', path, 'cpu.rt_period_us', String(c.realtimePeriod));
    if (c.realtimeRuntime) await this.#write('cpu', path, 'cpu.rt_runtime_us', String(c.realtimeRuntime));
  }

  async #setBlkio(path: string, b: NonNullable<LinuxResources['blockIO']>): Promise<void> {
    const weightFile = await this.#weightFile(path);
    const weightName = weightFile ? posix.basename(weightFile) : 'blkio.weight';
    if (b.weight) {
      if (!weightFile) throw new InvalidArgument('the kernel does not support Block I/O weight (no blkio.weight or blkio.bfq.weight)');
      await this.#fs.write(weightFile, String(b.weight));
    }
    if (b.leafWeight) await this.#write('blkio', path, 'blkio.leaf_weight', String(b.leafWeight));
    for (const wd of b.weightDevice ?? []) {
      if (wd.weight) await this.#write('blkio', path, `${weightName}_device`, `${wd.major}:${wd.minor} ${wd.weight}`);
      if (wd.leafWeight) await this.#write('blkio', path, 'blkio.leaf_weight_device', `${wd.major}:${wd.minor} ${wd.leafWeight}`);
    }
    const throttles: Array<[LinuxThrottleDevice[] | undefined, string]> = [
      [b.throttleReadBpsDevice, 'blkio.throttle.read_bps_device'],
      [b.throttleWriteBpsDevice, 'blkio.throttle.write_bps_device'],
      [b.throttleReadIOPSDevice, 'blkio.throttle.read_iops_device'],
      [b.throttleWriteIOPSDevice, 'blkio.throttle.write_iops_device'],
    ];
    for (const [devices, file] of throttles) {
      for (const d of devices ?? []) await this.#write('blkio', path, file, `${d.major}:${d.minor} ${d.rate}`);
    }
  }

  async features(): Promise<CgroupFeatures> {
    const has = async (controller: string, file: string) => {
      const mount = this.#layout.controllers.get(controller);
      return mount !== undefined && (await this.#fs.exists(posix.join(mount, file)));
    };
    const rootText = async (controller: string, file: string) => {
      const mount = this.#layout.controllers.get(controller);
      return mount === undefined ? '' : ((await readText(this.#fs, posix.join(mount, file))) ?? '').trim();
    };
    const memory = this.#layout.controllers.has('memory');
    const [swapLimit, reservation, oom, swappiness, kmem, shares, cfs, rt, cpus, mems, weight, bfqWeight, weightDevice, rbps, wbps, riops, wiops] = await Promise.all([
      has('memory', 'memory.memsw.limit_in_bytes'),
      has('memory', 'memory.soft_limit_in_bytes'),
      has('memory', 'memory.oom_control'),
      has('memory', 'memory.swappiness'),
      has('memory', 'memory.kmem.limit_in_bytes'),
      has('cpu', 'cpu.shares'),
      has('cpu', 'cpu.cfs_quota_us'),
      has('cpu', 'cpu.rt_period_us'),
      rootText('cpuset', 'cpuset.cpus'),
      rootText('cpuset', 'cpuset.mems'),
      has('blkio', 'blkio.weight'),
      has('blkio', 'blkio.bfq.weight'),
      has('blkio', 'blkio.weight_device'),
      has('blkio', 'blkio.throttle.read_bps_device'),
      has('blkio', 'blkio.throttle.write_bps_device'),
      has('blkio', 'blkio.throttle.read_iops_device'),
      has('blkio', 'blkio.throttle.write_iops_device'),
    ]);
    return {
      mode: 'v1',
      memoryLimit: memory,
      swapLimit,
      memoryReservation: reservation,
      oomKillDisable: oom,
      memorySwappiness: swappiness,
      kernelMemory: kmem,
      cpuShares: shares,
      cpuCfs: cfs,
      cpuRealtime: rt,
      cpuset: this.#layout.controllers.has('cpuset'),
      cpus,
      mems,
      pidsLimit: this.#layout.controllers.has('pids'),
      blkioWeight: weight || bfqWeight,
      blkioWeightDevice: weightDevice,
      blkioReadBpsDevice: rbps,
      blkioWriteBpsDevice: wbps,
      blkioReadIOpsDevice: riops,
      blkioWriteIOpsDevice: wiops,
    };
  }

  async create(path: string): Promise<void> {
    for (const mount of this.#mounts()) {
      const created = await makeChain(this.#fs, mount, cgroupDir(mount, path));
      // A new cpuset cgroup starts with no CPUs and no memory nodes, and no process can join it
      // until it has some: give each new level its parent's, as runc does.
      if (mount === this.#layout.controllers.get('cpuset')) {
        for (const dir of created) {
          for (const file of ['cpuset.cpus', 'cpuset.mems']) {
            const own = ((await readText(this.#fs, posix.join(dir, file))) ?? '').trim();
            if (own !== '') continue;
            const parent = ((await readText(this.#fs, posix.join(posix.dirname(dir), file))) ?? '').trim();
            await this.#fs.write(posix.join(dir, file), parent);
          }
        }
      }
    }
  }

  async addProcess(path: string, pid: number): Promise<void> {
    for (const dir of this.directories(path)) {
      try {
        await this.#fs.write(posix.join(dir, 'cgroup.procs'), String(pid));
      } catch (err) {
        throw new SystemError(`cannot move process ${pid} into ${dir}: ${(err as Error).message}`, { cause: err });
      }
    }
  }

  async processes(path: string): Promise<number[]> {
    const dir = this.#dir('memory', path) ?? this.directories(path)[0];
    const text = await readText(this.#fs, posix.join(dir, 'cgroup.procs'));
    if (text === undefined) throw notFound(path, undefined);
    return parsePids(text);
  }

  async exists(path: string): Promise<boolean> {
    const dir = this.#dir('memory', path) ?? this.directories(path)[0];
    return this.#fs.exists(dir);
  }

  async remove(path: string): Promise<void> {
    for (const dir of this.directories(path)) await removeTree(this.#fs, dir);
  }
}
