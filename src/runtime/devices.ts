// Host devices a container is given: the nodes behind --device (a directory gives every device
// under it), all of /dev for --privileged, and the numbers of the block devices that
// --blkio-weight-device and --device-*-bps/iops name. Read from the file system here, before the
// spec is built, so the spec itself stays a pure function of its input.
import { promises as fsp, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgument, isErrno } from '../errors/index.ts';
import type { LinuxDeviceCgroup } from '../cgroups/index.ts';
import type { DeviceMapping, HostConfig } from '../types/index.ts';

/** OCI `linux.devices`: a node runc creates in the container's /dev. */
export interface OciDevice {
  path: string;
  type: string;
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface ResolvedDevices {
  /** Nodes to create, in order. */
  devices: OciDevice[];
  /** Their cgroup permissions, in the same order. */
  rules: LinuxDeviceCgroup[];
  /** major:minor of each path the block I/O options name. */
  blockDevices: Record<string, { major: number; minor: number }>;
}

const S_IFMT = 0o170000;

/** glibc's major()/minor() of a dev_t. */
function splitDev(rdev: bigint): { major: number; minor: number } {
  return {
    major: Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)),
    minor: Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)),
  };
}

function deviceType(st: BigIntStats): 'c' | 'b' | 'p' | undefined {
  if (st.isCharacterDevice()) return 'c';
  if (st.isBlockDevice()) return 'b';
  if (st.isFIFO()) return 'p';
  return undefined;
}

/** runc's DeviceFromPath: the node at `path` (not following a symlink), or undefined when it is not one. */
async function deviceAt(path: string): Promise<(OciDevice & { type: 'c' | 'b' | 'p' }) | undefined> {
  const st = await fsp.lstat(path, { bigint: true });
  const type = deviceType(st);
  if (!type) return undefined;
  const { major, minor } = splitDev(st.rdev);
  return { path, type, major, minor, fileMode: Number(st.mode) & ~S_IFMT & 0o7777, uid: Number(st.uid), gid: Number(st.gid) };
}

/** dockerd's DevicesFromPath for one --device mapping. */
export async function devicesFromMapping(m: DeviceMapping): Promise<{ devices: OciDevice[]; rules: LinuxDeviceCgroup[] }> {
  let source = m.PathOnHost;
  try {
    if ((await fsp.lstat(source)).isSymbolicLink()) source = await fsp.realpath(source);
  } catch {
    // reported below
  }
  const permissions = m.CgroupPermissions || 'rwm';
  const rule = (d: OciDevice): LinuxDeviceCgroup => ({ allow: true, type: d.type, major: d.major, minor: d.minor, access: permissions });
  let reason: string;
  try {
    const d = await deviceAt(source);
    if (d) {
      const dev = { ...d, path: m.PathInContainer || m.PathOnHost };
      return { devices: [dev], rules: [rule(dev)] };
    }
    reason = 'not a device node';
    if ((await fsp.stat(source)).isDirectory()) {
      const devices: OciDevice[] = [];
      for (const p of await walk(source)) {
        const child = await deviceAt(p).catch(() => undefined);
        if (child) devices.push({ ...child, path: p.replace(source, m.PathInContainer || m.PathOnHost) });
      }
      if (devices.length) return { devices, rules: devices.map(rule) };
    }
  } catch (err) {
    reason = isErrno(err, 'ENOENT') ? 'no such file or directory' : (err as Error).message;
  }
  throw new InvalidArgument(`error gathering device information while adding custom device ${JSON.stringify(m.PathOnHost)}: ${reason}`);
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    out.push(p);
    if (e.isDirectory()) out.push(...(await walk(p)));
  }
  return out;
}

/** runc's HostDevices: every node under /dev for --privileged, except pts, shm, mqueue and the console. */
export async function hostDevices(root = '/dev'): Promise<OciDevice[]> {
  const skipDirs = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);
  const out: OciDevice[] = [];
  let entries;
  try {
    entries = await fsp.readdir(root, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(root, e.name);
    if (e.isDirectory()) {
      if (!skipDirs.has(e.name)) out.push(...(await hostDevices(p)));
      continue;
    }
    if (e.name === 'console') continue;
    const d = await deviceAt(p).catch(() => undefined);
    if (d && d.type !== 'p') out.push(d);
  }
  return out;
}

/** The major:minor of a block device path (following symlinks, as dockerd's stat does). */
async function blockDevice(path: string): Promise<{ major: number; minor: number }> {
  try {
    const st = await fsp.stat(path, { bigint: true });
    return splitDev(st.rdev);
  } catch (err) {
    const reason = isErrno(err, 'ENOENT') ? 'no such file or directory' : (err as Error).message;
    throw new InvalidArgument(`stat ${path}: ${reason}`);
  }
}

type BlkioPath = { Path: string };

/** Everything on the host a container's HostConfig points at, read before its spec is built. */
export async function resolveDevices(host: Pick<HostConfig, 'Privileged' | 'Devices' | 'BlkioWeightDevice' | 'BlkioDeviceReadBps' | 'BlkioDeviceWriteBps' | 'BlkioDeviceReadIOps' | 'BlkioDeviceWriteIOps'>): Promise<ResolvedDevices> {
  const out: ResolvedDevices = { devices: [], rules: [], blockDevices: {} };
  if (host.Privileged) out.devices.push(...(await hostDevices()));
  else {
    for (const m of host.Devices ?? []) {
      const r = await devicesFromMapping(m);
      out.devices.push(...r.devices);
      out.rules.push(...r.rules);
    }
  }
  const paths = [host.BlkioWeightDevice, host.BlkioDeviceReadBps, host.BlkioDeviceWriteBps, host.BlkioDeviceReadIOps, host.BlkioDeviceWriteIOps]
    .flatMap((list) => (list ?? []) as BlkioPath[])
    .map((d) => d.Path);
  for (const p of paths) if (!out.blockDevices[p]) out.blockDevices[p] = await blockDevice(p);
  return out;
}
