// The cgroup v2 driver: one directory per cgroup under the unified mount, as runc's fs2 driver
// lays it out. Docker's v1-shaped values are converted as runc 1.1 converts them (shares →
// cpu.weight, blkio weight → io.weight, memory+swap → swap alone).
import { posix } from 'node:path';
import { InvalidArgument, SystemError } from '../errors/index.ts';
import { cgroupDir, makeChain, notFound, parsePids, readNumber, readText, removeTree } from './common.ts';
import { blkioWeightToIoWeight, cpuSharesToWeight, memorySwapToV2 } from './convert.ts';
import type { CgroupFs } from './fs.ts';
import { parseFlatKeyed, parseIoMax, parseIoStat } from './parse.ts';
import type { CgroupFeatures, CgroupLimits, CgroupStats, Cgroups, LinuxResources, LinuxThrottleDevice } from './types.ts';

export class CgroupsV2 implements Cgroups {
  readonly mode = 'v2' as const;
  #fs: CgroupFs;
  #mount: string;

  constructor(fs: CgroupFs, mountPoint: string) {
    this.#fs = fs;
    this.#mount = mountPoint;
  }

  #dir(path: string): string {
    return cgroupDir(this.#mount, path);
  }

  directories(path: string): string[] {
    return [this.#dir(path)];
  }

  #read(path: string, file: string): Promise<string | undefined> {
    return readText(this.#fs, posix.join(this.#dir(path), file));
  }

  async #num(path: string, file: string): Promise<number | undefined> {
    return readNumber(this.#fs, posix.join(this.#dir(path), file));
  }

  async #assertExists(path: string): Promise<void> {
    if (!(await this.#fs.exists(this.#dir(path)))) throw notFound(path, undefined);
  }

  async stats(path: string): Promise<CgroupStats> {
    await this.#assertExists(path);
    const [cpuStat, current, max, memStat, events, pidsCurrent, pidsMax, ioStat] = await Promise.all([
      this.#read(path, 'cpu.stat'),
      this.#num(path, 'memory.current'),
      this.#read(path, 'memory.max'),
      this.#read(path, 'memory.stat'),
      this.#read(path, 'memory.events'),
      this.#num(path, 'pids.current'),
      this.#read(path, 'pids.max'),
      this.#read(path, 'io.stat'),
    ]);
    const cpu = parseFlatKeyed(cpuStat ?? '');
    const ev = parseFlatKeyed(events ?? '');
    const limit = max === undefined ? undefined : max.trim() === 'max' ? undefined : Number(max.trim());
    const pidsText = (pidsMax ?? 'max').trim();
    return {
      mode: 'v2',
      cpu: {
        usage: (cpu.usage_usec ?? 0) * 1000,
        system: (cpu.system_usec ?? 0) * 1000,
        user: (cpu.user_usec ?? 0) * 1000,
        throttling: { periods: cpu.nr_periods ?? 0, throttledPeriods: cpu.nr_throttled ?? 0, throttledTime: (cpu.throttled_usec ?? 0) * 1000 },
      },
      memory: {
        usage: current ?? 0,
        ...(limit === undefined ? {} : { limit }),
        stat: parseFlatKeyed(memStat ?? ''),
        ...(events === undefined ? {} : { events: ev }),
        oomKills: ev.oom_kill ?? 0,
      },
      pids: { current: pidsCurrent ?? 0, limit: pidsText === 'max' || pidsText === '' ? 0 : Number(pidsText) },
      io: parseIoStat(ioStat ?? ''),
    };
  }

  async oomKills(path: string): Promise<number> {
    return parseFlatKeyed((await this.#read(path, 'memory.events')) ?? '').oom_kill ?? 0;
  }

  async limits(path: string): Promise<CgroupLimits> {
    await this.#assertExists(path);
    const [max, swapMax, low, weight, cpuMax, cpus, mems, pids, ioWeight, ioMax] = await Promise.all([
      this.#read(path, 'memory.max'),
      this.#read(path, 'memory.swap.max'),
      this.#num(path, 'memory.low'),
      this.#num(path, 'cpu.weight'),
      this.#read(path, 'cpu.max'),
      this.#read(path, 'cpuset.cpus'),
      this.#read(path, 'cpuset.mems'),
      this.#read(path, 'pids.max'),
      this.#read(path, 'io.weight'),
      this.#read(path, 'io.max'),
    ]);
    const limit = (t: string | undefined) => (t === undefined || t.trim() === 'max' || t.trim() === '' ? -1 : Number(t.trim()));
    const memory = limit(max);
    const swap = limit(swapMax);
    const [quota, period] = (cpuMax ?? 'max 100000').trim().split(/\s+/);
    const throttles = parseIoMax(ioMax ?? '');
    const pick = (key: string): LinuxThrottleDevice[] =>
      throttles.flatMap((t) => (t.limits[key] === undefined ? [] : [{ major: t.major, minor: t.minor, rate: t.limits[key]! }]));
    const defaultWeight = /(?:^|\n)default\s+(\d+)/.exec(ioWeight ?? '');
    return {
      memory,
      memorySwap: memory === -1 || swap === -1 ? -1 : memory + swap,
      memoryReservation: low ?? 0,
      ...(weight === undefined ? {} : { cpuWeight: weight }),
      cpuQuota: quota === 'max' ? -1 : Number(quota),
      cpuPeriod: Number(period ?? 100000),
      cpusetCpus: (cpus ?? '').trim(),
      cpusetMems: (mems ?? '').trim(),
      pids: limit(pids),
      ...(defaultWeight ? { ioWeight: Number(defaultWeight[1]) } : {}),
      throttleReadBps: pick('rbps'),
      throttleWriteBps: pick('wbps'),
      throttleReadIops: pick('riops'),
      throttleWriteIops: pick('wiops'),
    };
  }

  async #write(path: string, file: string, value: string): Promise<void> {
    const f = posix.join(this.#dir(path), file);
    try {
      await this.#fs.write(f, value);
    } catch (err) {
      throw new SystemError(`failed to write ${JSON.stringify(value)} to ${f}: ${(err as Error).message}`, { cause: err });
    }
  }

  async update(path: string, r: LinuxResources): Promise<void> {
    if (r.devices?.length) throw new InvalidArgument('device rules of a running container cannot be changed');
    const m = r.memory;
    // What cgroup v2 has no file for is refused rather than dropped; dockerd's validation
    // discards these with a warning before they get here.
    if (m?.swappiness !== undefined && m.swappiness !== -1) throw new InvalidArgument('memory swappiness is not supported on cgroup v2');
    if (m?.disableOOMKiller) throw new InvalidArgument('disabling the OOM killer is not supported on cgroup v2');
    if (m?.kernel || m?.kernelTCP) throw new InvalidArgument('kernel memory limits are not supported on cgroup v2');
    if (r.cpu?.realtimePeriod || r.cpu?.realtimeRuntime) throw new InvalidArgument('real-time CPU scheduling is not supported on cgroup v2');
    await this.#assertExists(path);
    if (r.cpu?.cpus) await this.#write(path, 'cpuset.cpus', r.cpu.cpus);
    if (r.cpu?.mems) await this.#write(path, 'cpuset.mems', r.cpu.mems);
    if (m) await this.#setMemory(path, m);
    if (r.cpu) await this.#setCpu(path, r.cpu);
    if (r.pids && r.pids.limit !== 0) await this.#write(path, 'pids.max', r.pids.limit > 0 ? String(r.pids.limit) : 'max');
    if (r.blockIO) await this.#setIo(path, r.blockIO);
  }

  async #setMemory(path: string, m: NonNullable<LinuxResources['memory']>): Promise<void> {
    const memory = m.limit ?? 0;
    let swap: number;
    try {
      swap = memorySwapToV2(m.swap ?? 0, memory);
    } catch (err) {
      throw new InvalidArgument((err as Error).message);
    }
    // Memory and swap given as the same value: no swap at all, which is "0" here.
    if (swap !== 0 || (m.swap ?? 0) > 0) await this.#write(path, 'memory.swap.max', swap === -1 ? 'max' : String(swap));
    if (memory !== 0) await this.#write(path, 'memory.max', memory === -1 ? 'max' : String(memory));
    if (m.reservation) await this.#write(path, 'memory.low', m.reservation === -1 ? 'max' : String(m.reservation));
  }

  async #setCpu(path: string, c: NonNullable<LinuxResources['cpu']>): Promise<void> {
    if (c.shares) await this.#write(path, 'cpu.weight', String(cpuSharesToWeight(Math.min(Math.max(c.shares, 2), 262144))));
    const quota = c.quota ?? 0;
    const period = c.period ?? 0;
    if (quota === 0 && period === 0) return;
    // cpu.max takes "$QUOTA" (the period stays) or "$QUOTA $PERIOD"; a new period alone keeps
    // the quota already set, which is what runc's merged update would write.
    let q = quota > 0 ? String(quota) : 'max';
    if (quota === 0) q = ((await this.#read(path, 'cpu.max')) ?? 'max').trim().split(/\s+/)[0];
    await this.#write(path, 'cpu.max', period ? `${q} ${period}` : q);
  }

  async #setIo(path: string, b: NonNullable<LinuxResources['blockIO']>): Promise<void> {
    const bfq = posix.join(this.#dir(path), 'io.bfq.weight');
    const hasBfq = (b.weight || b.weightDevice?.length) && (await this.#fs.exists(bfq));
    if (b.weight) {
      if (hasBfq) await this.#write(path, 'io.bfq.weight', String(b.weight));
      else await this.#write(path, 'io.weight', String(blkioWeightToIoWeight(b.weight)));
    }
    if (b.weightDevice?.length) {
      // Only BFQ weighs devices one by one.
      if (!hasBfq) throw new InvalidArgument('per-device Block I/O weight needs the BFQ I/O scheduler (io.bfq.weight)');
      for (const wd of b.weightDevice) if (wd.weight) await this.#write(path, 'io.bfq.weight', `${wd.major}:${wd.minor} ${wd.weight}`);
    }
    const throttles: Array<[LinuxThrottleDevice[] | undefined, string]> = [
      [b.throttleReadBpsDevice, 'rbps'],
      [b.throttleWriteBpsDevice, 'wbps'],
      [b.throttleReadIOPSDevice, 'riops'],
      [b.throttleWriteIOPSDevice, 'wiops'],
    ];
    for (const [devices, key] of throttles) {
      // A rate of 0 lifts the limit, as writing 0 to a v1 throttle file does.
      for (const d of devices ?? []) await this.#write(path, 'io.max', `${d.major}:${d.minor} ${key}=${d.rate > 0 ? d.rate : 'max'}`);
    }
  }

  async features(): Promise<CgroupFeatures> {
    const controllers = new Set(((await readText(this.#fs, posix.join(this.#mount, 'cgroup.controllers'))) ?? '').trim().split(/\s+/));
    const root = async (file: string) => ((await readText(this.#fs, posix.join(this.#mount, file))) ?? '').trim();
    const memory = controllers.has('memory');
    const cpu = controllers.has('cpu');
    const io = controllers.has('io');
    return {
      mode: 'v2',
      memoryLimit: memory,
      swapLimit: memory,
      memoryReservation: memory,
      oomKillDisable: false,
      memorySwappiness: false,
      kernelMemory: false,
      cpuShares: cpu,
      cpuCfs: cpu,
      cpuRealtime: false,
      cpuset: controllers.has('cpuset'),
      cpus: controllers.has('cpuset') ? await root('cpuset.cpus.effective') : '',
      mems: controllers.has('cpuset') ? await root('cpuset.mems.effective') : '',
      pidsLimit: controllers.has('pids'),
      blkioWeight: io,
      blkioWeightDevice: io,
      blkioReadBpsDevice: io,
      blkioWriteBpsDevice: io,
      blkioReadIOpsDevice: io,
      blkioWriteIOpsDevice: io,
    };
  }

  /** mkdir each level and enable every available controller for the level below, as runc does. */
  async create(path: string): Promise<void> {
    const dir = this.#dir(path);
    const available = ((await readText(this.#fs, posix.join(this.#mount, 'cgroup.controllers'))) ?? '').trim().split(/\s+/).filter(Boolean);
    const rel = posix.relative(this.#mount, dir).split('/').filter(Boolean);
    let cur = this.#mount;
    for (let i = 0; i < rel.length; i++) {
      if (available.length) await this.#enableControllers(cur, available);
      cur = posix.join(cur, rel[i]);
      await makeChain(this.#fs, posix.dirname(cur), cur);
    }
  }

  async #enableControllers(dir: string, controllers: string[]): Promise<void> {
    const file = posix.join(dir, 'cgroup.subtree_control');
    try {
      await this.#fs.write(file, controllers.map((c) => `+${c}`).join(' '));
    } catch {
      // One by one, keeping those the parent allows (runc's fallback).
      for (const c of controllers) await this.#fs.write(file, `+${c}`).catch(() => {});
    }
  }

  async addProcess(path: string, pid: number): Promise<void> {
    try {
      await this.#fs.write(posix.join(this.#dir(path), 'cgroup.procs'), String(pid));
    } catch (err) {
      throw new SystemError(`cannot move process ${pid} into ${this.#dir(path)}: ${(err as Error).message}`, { cause: err });
    }
  }

  async processes(path: string): Promise<number[]> {
    const text = await this.#read(path, 'cgroup.procs');
    if (text === undefined) throw notFound(path, undefined);
    return parsePids(text);
  }

  exists(path: string): Promise<boolean> {
    return this.#fs.exists(this.#dir(path));
  }

  remove(path: string): Promise<void> {
    return removeTree(this.#fs, this.#dir(path));
  }
}
