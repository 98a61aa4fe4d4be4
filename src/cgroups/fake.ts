// A cgroup file system in memory, laid out as the kernel lays out a cgroup v1 host (one hierarchy
// per controller, hybrid with a cgroup2 mount at /sys/fs/cgroup/unified, as on this project's
// VM) or a cgroup v2 host (cgroup2 at /sys/fs/cgroup). It answers reads and writes as the kernel
// does where the drivers depend on it: control files appear when a cgroup is made (v2: only for
// the controllers its parent enables in cgroup.subtree_control), values are checked and
// normalised (page-aligned limits, "max", clamped shares, cpuset ranges), a memory limit below
// usage fails with EBUSY, memory above memory+swap with EINVAL, a busy cgroup cannot be removed,
// and processes move between cgroups. Statistics files hold what the test puts there through
// `kernelWrite`, standing for the kernel's own counters.
import { posix } from 'node:path';
import { formatCpuList, parseCpuList } from './parse.ts';
import type { CgroupFs } from './fs.ts';
import { v1MemoryUnlimited } from './convert.ts';
import type { CgroupMode } from './types.ts';

const pageSize = 4096;

function errno(code: string, path: string): NodeJS.ErrnoException {
  const err = new Error(`${code}: ${path}`) as NodeJS.ErrnoException;
  err.code = code;
  err.path = path;
  return err;
}

interface Dir {
  /** The hierarchy's mount point and its controllers ("" for the v2 unified one). */
  mount: string;
  controllers: string[];
  files: Map<string, string>;
  procs: Set<number>;
  children: Set<string>;
}

export interface FakeCgroupFsOptions {
  mode: CgroupMode;
  /** CPUs and memory nodes of the machine (the root cpuset). */
  cpus?: string;
  mems?: string;
  /** v1: whether the kernel accounts swap (memory.memsw.* exist). Default true. */
  swapAccounting?: boolean;
  /** v1: whether blkio.weight exists (CFQ). Default false, as on kernels since 5.0. */
  blkioWeight?: boolean;
}

const v1Hierarchies = ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids'];
const v2Controllers = ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc'];

const v1MemoryStatKeys = [
  'cache', 'rss', 'rss_huge', 'shmem', 'mapped_file', 'dirty', 'writeback', 'swap', 'pgpgin', 'pgpgout', 'pgfault',
  'pgmajfault', 'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable',
];
const v2MemoryStatKeys = [
  'anon', 'file', 'kernel', 'kernel_stack', 'pagetables', 'sec_pagetables', 'percpu', 'sock', 'vmalloc', 'shmem',
  'file_mapped', 'file_dirty', 'file_writeback', 'swapcached', 'anon_thp', 'file_thp', 'shmem_thp', 'inactive_anon',
  'active_anon', 'inactive_file', 'active_file', 'unevictable', 'slab_reclaimable', 'slab_unreclaimable', 'slab',
  'workingset_refault_anon', 'workingset_refault_file', 'workingset_activate_anon', 'workingset_activate_file',
  'workingset_restore_anon', 'workingset_restore_file', 'workingset_nodereclaim', 'pgscan', 'pgsteal', 'pgfault',
  'pgmajfault', 'pgrefill', 'pgactivate', 'pgdeactivate', 'pglazyfree', 'pglazyfreed', 'thp_fault_alloc', 'thp_collapse_alloc',
];

export class FakeCgroupFs implements CgroupFs {
  readonly mode: CgroupMode;
  readonly #dirs = new Map<string, Dir>();
  readonly #mountinfo: string;
  readonly #cpus: string;
  readonly #mems: string;
  readonly #swapAccounting: boolean;
  readonly #blkioWeight: boolean;
  /** Processes that exist, as far as this fake kernel knows. */
  readonly #live = new Set<number>();
  #nextPid = 40000;

  constructor(options: FakeCgroupFsOptions) {
    this.mode = options.mode;
    this.#cpus = options.cpus ?? '0-3';
    this.#mems = options.mems ?? '0';
    this.#swapAccounting = options.swapAccounting ?? true;
    this.#blkioWeight = options.blkioWeight ?? false;
    const lines = ['22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw', '23 1 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw'];
    if (options.mode === 'v2') {
      lines.push('31 23 0:28 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot');
      this.#root('/sys/fs/cgroup', []);
    } else {
      lines.push('31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755');
      let id = 32;
      for (const h of v1Hierarchies) {
        lines.push(`${id} 31 0:${id - 3} / /sys/fs/cgroup/${h} rw,nosuid,nodev,noexec,relatime shared:${id} - cgroup cgroup rw,${h}`);
        this.#root(`/sys/fs/cgroup/${h}`, [h]);
        id++;
      }
      lines.push(`${id} 31 0:${id - 3} / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd`);
      this.#root('/sys/fs/cgroup/systemd', []);
      lines.push(`${id + 1} 31 0:${id - 2} / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate`);
      this.#root('/sys/fs/cgroup/unified', []);
    }
    this.#mountinfo = `${lines.join('\n')}\n`;
  }

  // ------------------------------------------------------------------------------------------
  // The kernel's side

  /** A new process in the root cgroups; its pid. */
  spawn(): number {
    const pid = this.#nextPid++;
    this.#live.add(pid);
    for (const [path, d] of this.#dirs) if (path === d.mount) d.procs.add(pid);
    return pid;
  }

  /** The process exits: it leaves every cgroup. */
  exit(pid: number): void {
    this.#live.delete(pid);
    for (const d of this.#dirs.values()) d.procs.delete(pid);
  }

  /**
   * Sets a file's content as the kernel would (statistics, usage), bypassing the write checks;
   * a file the layout lacks (CFQ's statistics, io.bfq.weight) appears.
   */
  kernelWrite(path: string, content: string): void {
    const { dir, name } = this.#locate(path);
    dir.files.set(name, content);
  }

  // ------------------------------------------------------------------------------------------
  // CgroupFs

  async read(path: string): Promise<string> {
    if (path === '/proc/self/mountinfo') return this.#mountinfo;
    const { dir, name } = this.#locate(path);
    if (name === 'cgroup.procs' || name === 'tasks') return [...dir.procs].sort((a, b) => a - b).map((p) => `${p}\n`).join('');
    if (name === 'pids.current' && dir.files.has(name)) return `${this.#subtreeProcs(posix.dirname(path)).size}\n`;
    if (name === 'cgroup.controllers' && this.mode === 'v2') return `${this.#v2Controllers(posix.dirname(path)).join(' ')}\n`;
    if (name === 'cpuset.cpus.effective' || name === 'cpuset.effective_cpus') return `${this.#effective(posix.dirname(path), 'cpus')}\n`;
    if (name === 'cpuset.mems.effective' || name === 'cpuset.effective_mems') return `${this.#effective(posix.dirname(path), 'mems')}\n`;
    const content = dir.files.get(name);
    if (content === undefined) throw errno('ENOENT', path);
    return content;
  }

  async write(path: string, data: string): Promise<void> {
    const { dir, name, dirPath } = this.#locate(path);
    if (!dir.files.has(name) && name !== 'cgroup.procs' && name !== 'tasks') throw errno('ENOENT', path);
    const value = data.trim();
    if (name === 'cgroup.procs' || name === 'tasks') return this.#move(dirPath, dir, value);
    if (this.#isV2(dir)) this.#writeV2(dirPath, dir, name, value, path);
    else this.#writeV1(dirPath, dir, name, value, path);
  }

  async mkdir(path: string): Promise<void> {
    if (this.#dirs.has(path)) throw errno('EEXIST', path);
    const parentPath = posix.dirname(path);
    const parent = this.#dirs.get(parentPath);
    if (!parent) throw errno('ENOENT', path);
    const d: Dir = { mount: parent.mount, controllers: parent.controllers, files: new Map(), procs: new Set(), children: new Set() };
    this.#dirs.set(path, d);
    parent.children.add(posix.basename(path));
    this.#populate(path, d);
  }

  async rmdir(path: string): Promise<void> {
    const d = this.#dirs.get(path);
    if (!d) throw errno('ENOENT', path);
    if (path === d.mount) throw errno('EBUSY', path);
    if (d.procs.size > 0 || d.children.size > 0) throw errno('EBUSY', path);
    this.#dirs.delete(path);
    this.#dirs.get(posix.dirname(path))?.children.delete(posix.basename(path));
  }

  async exists(path: string): Promise<boolean> {
    if (this.#dirs.has(path)) return true;
    const d = this.#dirs.get(posix.dirname(path));
    const name = posix.basename(path);
    return d !== undefined && (d.files.has(name) || name === 'cgroup.procs' || name === 'tasks');
  }

  async subdirectories(path: string): Promise<string[]> {
    const d = this.#dirs.get(path);
    if (!d) throw errno('ENOENT', path);
    return [...d.children];
  }

  // ------------------------------------------------------------------------------------------
  // Layout

  #root(path: string, controllers: string[]): void {
    const d: Dir = { mount: path, controllers, files: new Map(), procs: new Set(), children: new Set() };
    this.#dirs.set(path, d);
    if (this.mode === 'v2' && path === '/sys/fs/cgroup') {
      d.files.set('cgroup.controllers', '');
      d.files.set('cgroup.subtree_control', '\n');
      d.files.set('cgroup.procs', '');
      d.files.set('cpu.stat', 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n');
      d.files.set('cpuset.cpus.effective', '');
      d.files.set('cpuset.mems.effective', '');
      return;
    }
    if (path.endsWith('/unified')) {
      d.files.set('cgroup.controllers', '');
      d.files.set('cgroup.subtree_control', '\n');
      return;
    }
    this.#populate(path, d);
    if (controllers.includes('cpuset')) {
      d.files.set('cpuset.cpus', `${this.#cpus}\n`);
      d.files.set('cpuset.mems', `${this.#mems}\n`);
    }
    // The pids root has no pids.max: nothing limits the whole machine.
    d.files.delete('pids.max');
  }

  #populate(path: string, d: Dir): void {
    if (this.#isV2(d)) return this.#populateV2(path, d);
    d.files.set('cgroup.clone_children', '0\n');
    d.files.set('notify_on_release', '0\n');
    for (const c of d.controllers) {
      switch (c) {
        case 'cpu':
          d.files.set('cpu.shares', '1024\n');
          d.files.set('cpu.cfs_period_us', '100000\n');
          d.files.set('cpu.cfs_quota_us', '-1\n');
          d.files.set('cpu.stat', 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\n');
          break;
        case 'cpuacct':
          d.files.set('cpuacct.usage', '0\n');
          d.files.set('cpuacct.usage_percpu', `${(parseCpuList(this.#cpus) ?? [0]).map(() => '0').join(' ')} \n`);
          d.files.set('cpuacct.stat', 'user 0\nsystem 0\n');
          break;
        case 'cpuset':
          d.files.set('cpuset.cpus', '\n');
          d.files.set('cpuset.mems', '\n');
          d.files.set('cpuset.effective_cpus', '');
          d.files.set('cpuset.effective_mems', '');
          break;
        case 'memory': {
          const unlimited = `${v1MemoryUnlimited}\n`;
          d.files.set('memory.limit_in_bytes', unlimited);
          d.files.set('memory.soft_limit_in_bytes', unlimited);
          d.files.set('memory.usage_in_bytes', '0\n');
          d.files.set('memory.max_usage_in_bytes', '0\n');
          d.files.set('memory.failcnt', '0\n');
          d.files.set('memory.swappiness', '60\n');
          d.files.set('memory.oom_control', 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n');
          d.files.set('memory.kmem.limit_in_bytes', unlimited);
          if (this.#swapAccounting) {
            d.files.set('memory.memsw.limit_in_bytes', unlimited);
            d.files.set('memory.memsw.usage_in_bytes', '0\n');
          }
          const keys = [...v1MemoryStatKeys, 'hierarchical_memory_limit', 'hierarchical_memsw_limit', ...v1MemoryStatKeys.map((k) => `total_${k}`)];
          d.files.set('memory.stat', keys.map((k) => `${k} ${k.startsWith('hierarchical') ? v1MemoryUnlimited : 0}\n`).join(''));
          break;
        }
        case 'pids':
          d.files.set('pids.max', 'max\n');
          d.files.set('pids.current', '');
          break;
        case 'blkio':
          for (const f of ['io_service_bytes', 'io_serviced']) d.files.set(`blkio.throttle.${f}`, 'Total 0\n');
          for (const f of ['read_bps_device', 'write_bps_device', 'read_iops_device', 'write_iops_device']) d.files.set(`blkio.throttle.${f}`, '');
          if (this.#blkioWeight) {
            d.files.set('blkio.weight', '500\n');
            d.files.set('blkio.weight_device', '');
          }
          break;
        case 'freezer':
          d.files.set('freezer.state', 'THAWED\n');
          break;
        case 'devices':
          d.files.set('devices.list', 'a *:* rwm\n');
          break;
      }
    }
  }

  #populateV2(path: string, d: Dir): void {
    d.files.set('cgroup.controllers', '');
    d.files.set('cgroup.subtree_control', '\n');
    d.files.set('cgroup.events', 'populated 0\nfrozen 0\n');
    d.files.set('cgroup.type', 'domain\n');
    d.files.set('cpu.stat', 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n');
    for (const c of this.#v2Controllers(path)) this.#addV2Files(d, c);
  }

  #addV2Files(d: Dir, controller: string): void {
    const set = (name: string, value: string) => {
      if (!d.files.has(name)) d.files.set(name, value);
    };
    switch (controller) {
      case 'memory':
        set('memory.current', '0\n');
        set('memory.max', 'max\n');
        set('memory.high', 'max\n');
        set('memory.low', '0\n');
        set('memory.min', '0\n');
        set('memory.swap.current', '0\n');
        set('memory.swap.max', 'max\n');
        set('memory.events', 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n');
        set('memory.stat', v2MemoryStatKeys.map((k) => `${k} 0\n`).join(''));
        break;
      case 'cpu':
        set('cpu.weight', '100\n');
        set('cpu.max', 'max 100000\n');
        d.files.set('cpu.stat', 'usage_usec 0\nuser_usec 0\nsystem_usec 0\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n');
        break;
      case 'cpuset':
        set('cpuset.cpus', '\n');
        set('cpuset.mems', '\n');
        set('cpuset.cpus.effective', '');
        set('cpuset.mems.effective', '');
        break;
      case 'pids':
        set('pids.max', 'max\n');
        set('pids.current', '');
        break;
      case 'io':
        set('io.max', '');
        set('io.weight', 'default 100\n');
        set('io.stat', '');
        break;
    }
  }

  /** v2: the controllers a cgroup may use — those its parent enables (all of them at the root). */
  #v2Controllers(path: string): string[] {
    const d = this.#dirs.get(path);
    if (!d) return [];
    if (path === d.mount) return d.mount === '/sys/fs/cgroup' && this.mode === 'v2' ? [...v2Controllers] : [];
    const parent = this.#dirs.get(posix.dirname(path))!;
    return parent.files.get('cgroup.subtree_control')!.trim().split(/\s+/).filter(Boolean);
  }

  #effective(path: string, kind: 'cpus' | 'mems'): string {
    for (let p = path; ; p = posix.dirname(p)) {
      const d = this.#dirs.get(p);
      if (!d) return '';
      if (p === d.mount) return kind === 'cpus' ? this.#cpus : this.#mems;
      const own = (d.files.get(`cpuset.${kind}`) ?? '').trim();
      // v1 has no inheritance: an empty cpuset is empty; v2 falls back to the parent's.
      if (own !== '' || !this.#isV2(d)) return own;
    }
  }

  /** The v2 hierarchy: the whole tree on a v2 host, the unified mount on a hybrid one. */
  #isV2(d: Dir): boolean {
    return this.mode === 'v2' || d.mount.endsWith('/unified');
  }

  #locate(path: string): { dir: Dir; name: string; dirPath: string } {
    const dirPath = posix.dirname(path);
    const dir = this.#dirs.get(dirPath);
    if (!dir) throw errno('ENOENT', path);
    return { dir, name: posix.basename(path), dirPath };
  }

  #subtreeProcs(path: string): Set<number> {
    const out = new Set<number>();
    for (const [p, d] of this.#dirs) if (p === path || p.startsWith(`${path}/`)) for (const pid of d.procs) out.add(pid);
    return out;
  }

  #move(dirPath: string, dir: Dir, value: string): void {
    const pid = Number(value);
    if (!Number.isInteger(pid) || pid <= 0) throw errno('EINVAL', dirPath);
    if (!this.#live.has(pid)) throw errno('ESRCH', dirPath);
    if (this.mode === 'v1' && dir.controllers.includes('cpuset')) {
      if ((dir.files.get('cpuset.cpus') ?? '').trim() === '' || (dir.files.get('cpuset.mems') ?? '').trim() === '') throw errno('ENOSPC', dirPath);
    }
    // v2's "no internal processes" rule: a non-root cgroup that hands controllers down holds none.
    if (this.#isV2(dir) && dirPath !== dir.mount && (dir.files.get('cgroup.subtree_control') ?? '').trim() !== '') {
      throw errno('EBUSY', dirPath);
    }
    // pids.max is enforced on fork, not on migration, as in the kernel.
    for (const d of this.#dirs.values()) if (d.mount === dir.mount) d.procs.delete(pid);
    dir.procs.add(pid);
  }

  // ------------------------------------------------------------------------------------------
  // Writes, checked as the kernel checks them

  #writeV1(dirPath: string, dir: Dir, name: string, value: string, path: string): void {
    const files = dir.files;
    const bytes = (v: string): number => {
      if (v === '-1') return v1MemoryUnlimited;
      if (!/^\d+$/.test(v)) throw errno('EINVAL', path);
      return Math.min(Math.floor(Number(v) / pageSize) * pageSize, v1MemoryUnlimited);
    };
    const num = (f: string) => Number((files.get(f) ?? '0').trim());
    switch (name) {
      case 'memory.limit_in_bytes': {
        const v = bytes(value);
        if (files.has('memory.memsw.limit_in_bytes') && v > num('memory.memsw.limit_in_bytes')) throw errno('EINVAL', path);
        if (v < num('memory.usage_in_bytes')) throw errno('EBUSY', path);
        files.set(name, `${v}\n`);
        return;
      }
      case 'memory.memsw.limit_in_bytes': {
        const v = bytes(value);
        if (v < num('memory.limit_in_bytes')) throw errno('EINVAL', path);
        files.set(name, `${v}\n`);
        return;
      }
      case 'memory.soft_limit_in_bytes':
      case 'memory.kmem.limit_in_bytes':
        files.set(name, `${bytes(value)}\n`);
        return;
      case 'memory.swappiness': {
        const v = Number(value);
        if (!/^\d+$/.test(value) || v > 100) throw errno('EINVAL', path);
        files.set(name, `${v}\n`);
        return;
      }
      case 'memory.oom_control': {
        if (value !== '0' && value !== '1') throw errno('EINVAL', path);
        files.set(name, files.get(name)!.replace(/oom_kill_disable \d/, `oom_kill_disable ${value}`));
        return;
      }
      case 'cpu.shares': {
        if (!/^\d+$/.test(value)) throw errno('EINVAL', path);
        files.set(name, `${Math.min(Math.max(Number(value), 2), 262144)}\n`);
        return;
      }
      case 'cpu.cfs_period_us': {
        const v = Number(value);
        if (!/^\d+$/.test(value) || v < 1000 || v > 1000000) throw errno('EINVAL', path);
        files.set(name, `${v}\n`);
        return;
      }
      case 'cpu.cfs_quota_us': {
        const v = Number(value);
        // Any negative quota means "no limit" and reads back as -1; below 1 ms is refused.
        if (!/^-?\d+$/.test(value) || (v >= 0 && v < 1000)) throw errno('EINVAL', path);
        files.set(name, `${v < 0 ? -1 : v}\n`);
        return;
      }
      case 'cpuset.cpus':
      case 'cpuset.mems': {
        const kind = name === 'cpuset.cpus' ? 'cpus' : 'mems';
        const want = parseCpuList(value);
        const allowed = parseCpuList(this.#effective(posix.dirname(dirPath), kind)) ?? [];
        if (!want || want.some((c) => !allowed.includes(c))) throw errno('EINVAL', path);
        files.set(name, `${formatCpuList(want)}\n`);
        return;
      }
      case 'pids.max': {
        if (value !== 'max' && !/^\d+$/.test(value)) throw errno('EINVAL', path);
        files.set(name, `${value}\n`);
        return;
      }
      case 'blkio.weight': {
        const v = Number(value);
        if (!/^\d+$/.test(value) || v < 10 || v > 1000) throw errno('EINVAL', path);
        files.set(name, `${v}\n`);
        return;
      }
      case 'blkio.throttle.read_bps_device':
      case 'blkio.throttle.write_bps_device':
      case 'blkio.throttle.read_iops_device':
      case 'blkio.throttle.write_iops_device':
      case 'blkio.weight_device': {
        const m = /^(\d+):(\d+)\s+(\d+)$/.exec(value);
        if (!m) throw errno('EINVAL', path);
        const lines = (files.get(name) ?? '').split('\n').filter((l) => l && !l.startsWith(`${m[1]}:${m[2]} `));
        if (m[3] !== '0') lines.push(`${m[1]}:${m[2]} ${m[3]}`);
        files.set(name, lines.map((l) => `${l}\n`).join(''));
        return;
      }
      default:
        files.set(name, `${value}\n`);
    }
  }

  #writeV2(dirPath: string, dir: Dir, name: string, value: string, path: string): void {
    const files = dir.files;
    const bytes = (v: string): string => {
      if (v === 'max') return 'max';
      if (!/^\d+$/.test(v)) throw errno('EINVAL', path);
      return String(Math.floor(Number(v) / pageSize) * pageSize);
    };
    switch (name) {
      case 'cgroup.subtree_control': {
        const own = this.#v2Controllers(dirPath);
        const enabled = new Set(files.get(name)!.trim().split(/\s+/).filter(Boolean));
        const ops = value.split(/\s+/).filter(Boolean);
        for (const op of ops) {
          const c = op.slice(1);
          if (!/^[+-]/.test(op) || !own.includes(c)) throw errno('ENOENT', path);
        }
        if (dirPath !== dir.mount && dir.procs.size > 0 && ops.some((o) => o.startsWith('+'))) throw errno('EBUSY', path);
        for (const op of ops) {
          if (op.startsWith('+')) enabled.add(op.slice(1));
          else enabled.delete(op.slice(1));
        }
        const ordered = v2Controllers.filter((c) => enabled.has(c));
        files.set(name, `${ordered.join(' ')}\n`);
        for (const child of dir.children) {
          const cd = this.#dirs.get(posix.join(dirPath, child))!;
          for (const c of ordered) this.#addV2Files(cd, c);
        }
        return;
      }
      case 'memory.max':
      case 'memory.swap.max':
      case 'memory.high':
      case 'memory.low':
      case 'memory.min':
        files.set(name, `${bytes(value)}\n`);
        return;
      case 'cpu.weight': {
        const v = Number(value);
        if (!/^\d+$/.test(value) || v < 1 || v > 10000) throw errno('ERANGE', path);
        files.set(name, `${v}\n`);
        return;
      }
      case 'cpu.max': {
        const [q, p] = value.split(/\s+/);
        const period = p === undefined ? files.get(name)!.trim().split(/\s+/)[1] : p;
        if (!/^\d+$/.test(period) || Number(period) < 1000 || Number(period) > 1000000) throw errno('EINVAL', path);
        if (q !== 'max' && (!/^\d+$/.test(q) || Number(q) < 1000)) throw errno('EINVAL', path);
        files.set(name, `${q} ${period}\n`);
        return;
      }
      case 'cpuset.cpus':
      case 'cpuset.mems': {
        const kind = name === 'cpuset.cpus' ? 'cpus' : 'mems';
        const want = parseCpuList(value);
        const allowed = parseCpuList(this.#effective(posix.dirname(dirPath), kind)) ?? [];
        if (!want || want.some((c) => !allowed.includes(c))) throw errno('EINVAL', path);
        files.set(name, `${formatCpuList(want)}\n`);
        return;
      }
      case 'pids.max': {
        if (value !== 'max' && !/^\d+$/.test(value)) throw errno('EINVAL', path);
        files.set(name, `${value}\n`);
        return;
      }
      case 'io.weight': {
        const m = /^(?:default\s+)?(\d+)$/.exec(value);
        if (!m || Number(m[1]) < 1 || Number(m[1]) > 10000) throw errno('EINVAL', path);
        files.set(name, files.get(name)!.replace(/^default \d+/, `default ${m[1]}`));
        return;
      }
      case 'io.max': {
        const fields = value.split(/\s+/);
        const dev = /^(\d+):(\d+)$/.exec(fields[0] ?? '');
        if (!dev) throw errno('EINVAL', path);
        const keys = ['rbps', 'wbps', 'riops', 'wiops'];
        const lines = (files.get(name) ?? '').split('\n').filter(Boolean);
        const existing = lines.find((l) => l.startsWith(`${fields[0]} `));
        const cur: Record<string, string> = Object.fromEntries(keys.map((k) => [k, 'max']));
        if (existing) for (const kv of existing.split(/\s+/).slice(1)) cur[kv.split('=')[0]] = kv.split('=')[1];
        for (const kv of fields.slice(1)) {
          const [k, v] = kv.split('=');
          if (!keys.includes(k) || (v !== 'max' && !/^\d+$/.test(v ?? ''))) throw errno('EINVAL', path);
          cur[k] = v;
        }
        const rest = lines.filter((l) => l !== existing);
        if (keys.some((k) => cur[k] !== 'max')) rest.push(`${fields[0]} ${keys.map((k) => `${k}=${cur[k]}`).join(' ')}`);
        files.set(name, rest.map((l) => `${l}\n`).join(''));
        return;
      }
      default:
        files.set(name, `${value}\n`);
    }
  }
}
