// Which cgroup version runc will use here, and where each controller lives, read from
// /proc/self/mountinfo. runc decides "unified" when /sys/fs/cgroup itself is a cgroup2 mount;
// anything with v1 controllers mounted (legacy, or hybrid with a v2 mount at
// /sys/fs/cgroup/unified as on this project's VM) keeps resources on v1.
import { SystemError } from '../errors/index.ts';
import type { CgroupMode } from './types.ts';

export interface MountinfoEntry {
  mountPoint: string;
  /** The root of the mount within its file system (field 4). */
  root: string;
  fsType: string;
  source: string;
  superOptions: string[];
}

export interface CgroupLayout {
  mode: CgroupMode;
  /** v1: controller name → its hierarchy's mount point ("memory" → /sys/fs/cgroup/memory). */
  controllers: Map<string, string>;
  /** v2: the unified mount; on a hybrid v1 host, the extra cgroup2 mount if there is one. */
  unified?: string;
  /** v1: hierarchies without controllers ("name=systemd" → /sys/fs/cgroup/systemd); runc makes the cgroup there too. */
  named?: Map<string, string>;
}

/** The v1 controllers the kernel can mount; other super options (rw, xattr, name=…) are not controllers. */
const v1Controllers = new Set([
  'cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'net_cls', 'net_prio', 'blkio',
  'perf_event', 'hugetlb', 'pids', 'rdma', 'misc',
]);

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

export function parseMountinfo(text: string): MountinfoEntry[] {
  const out: MountinfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields.length < dash + 3) continue;
    out.push({
      root: unescape(fields[3]),
      mountPoint: unescape(fields[4]),
      fsType: fields[dash + 1],
      source: unescape(fields[dash + 2]),
      superOptions: (fields[dash + 3] ?? '').split(','),
    });
  }
  return out;
}

/** The cgroup layout of the host whose mountinfo this is. */
export function detectCgroupLayout(mountinfo: string): CgroupLayout {
  const mounts = parseMountinfo(mountinfo);
  const cgroup2 = mounts.filter((m) => m.fsType === 'cgroup2');
  const unifiedAtRoot = cgroup2.find((m) => m.mountPoint === '/sys/fs/cgroup');
  if (unifiedAtRoot) return { mode: 'v2', controllers: new Map(), unified: unifiedAtRoot.mountPoint };

  const controllers = new Map<string, string>();
  const named = new Map<string, string>();
  for (const m of mounts) {
    if (m.fsType !== 'cgroup') continue;
    for (const opt of m.superOptions) {
      // The first mount of a hierarchy wins, as in runc (later ones are usually bind mounts of it).
      if (v1Controllers.has(opt) && !controllers.has(opt)) controllers.set(opt, m.mountPoint);
      if (opt.startsWith('name=') && !named.has(opt)) named.set(opt, m.mountPoint);
    }
  }
  if (controllers.size > 0) {
    const unified = cgroup2[0]?.mountPoint;
    return { mode: 'v1', controllers, ...(named.size ? { named } : {}), ...(unified ? { unified } : {}) };
  }
  if (cgroup2.length > 0) return { mode: 'v2', controllers: new Map(), unified: cgroup2[0].mountPoint };
  throw new SystemError('no cgroup file system is mounted (neither cgroup v1 controllers nor cgroup2 in /proc/self/mountinfo)');
}
