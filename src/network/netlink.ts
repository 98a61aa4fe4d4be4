// The Netlink port: bridges, veth pairs, addresses, routes and network namespaces kept as
// bind-mounted files. The real implementation runs iproute2 and util-linux in child processes —
// berthd never calls unshare/setns itself (they would move one thread, not the process) — and
// batches each step into one `ip -batch` so a container's interface costs three short processes.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { SystemError } from '../errors/index.ts';
import { runCommand } from './command.ts';

export interface InterfaceSpec {
  /** The network namespace file the container side goes into. */
  netns: string;
  bridge: string;
  hostName: string;
  /** eth0, eth1… */
  name: string;
  mac: string;
  address: string;
  prefix: number;
  /** Set when this interface carries the default route. */
  gateway?: string;
  mtu: number;
}

/** A range of a user namespace's id map (OCI's LinuxIDMapping). */
export interface IdRange {
  containerID: number;
  hostID: number;
  size: number;
}

/**
 * A user namespace to own a new network namespace (userns-remap): the container's root, which
 * runs in it, may then configure its network namespace (sysctls, sysfs) and `exec` can join
 * both. Kept bind-mounted at `path` until removeNamespace(path).
 */
export interface NamespaceOwner {
  path: string;
  uidMappings: readonly IdRange[];
  gidMappings: readonly IdRange[];
}

export interface Netlink {
  /** Creates the bridge when missing, gives it `address/prefix` (kept when present) and brings it up. */
  ensureBridge(name: string, address: string, prefix: number, mtu: number): Promise<void>;
  deleteLink(name: string): Promise<void>;
  /** The IPv4 routes and interface addresses of the host, as CIDRs (to find free subnets). */
  hostSubnets(): Promise<Array<{ cidr: string; dev: string }>>;
  /** The names of the links enslaved to `bridge`. */
  bridgePorts(bridge: string): Promise<string[]>;
  linkExists(name: string): Promise<boolean>;
  /**
   * A new network namespace with loopback up, bind-mounted at `path`; with `first`, that
   * interface is made in the same step (one process fewer on every container start).
   */
  createNamespace(path: string, first?: InterfaceSpec, owner?: NamespaceOwner): Promise<void>;
  /** Unmounts and removes the file; the namespace goes when its last process does. */
  removeNamespace(path: string): Promise<void>;
  addInterface(spec: InterfaceSpec): Promise<void>;
  /** Removes the interface from the host side (the peer in the namespace goes with it). */
  removeInterface(hostName: string): Promise<void>;
  setSysctl(key: string, value: string): Promise<void>;
}

/** A locally administered address in dockerd's 02:42 range, as dockerd gives its bridges. */
function randomBridgeMac(): string {
  return ['02', '42', ...randomBytes(4).toString('hex').match(/../g)!].join(':');
}

/** The commands that give an interface inside its namespace its address, link and route. */
function insideConfig(s: InterfaceSpec): string[] {
  const lines = [`addr add ${s.address}/${s.prefix} dev ${s.name}`, `link set ${s.name} up`];
  if (s.gateway) lines.push(`route add default via ${s.gateway} dev ${s.name}`);
  return lines;
}

const run = runCommand;

async function must(cmd: string, args: string[], input?: string): Promise<string> {
  const r = await run(cmd, args, input);
  if (r.code !== 0) throw new SystemError(`${cmd} ${args.join(' ')}: ${r.stderr.trim() || `exit status ${r.code}`}`);
  return r.stdout;
}

export class IprouteNetlink implements Netlink {
  #detach?: (path: string) => void;

  /** `detach`: umount2(path, MNT_DETACH) without a process (src/sys); else `umount --lazy` runs. */
  constructor(options: { detach?: (path: string) => void } = {}) {
    if (options.detach) this.#detach = options.detach;
  }

  async ensureBridge(name: string, address: string, prefix: number, mtu: number): Promise<void> {
    // A bridge whose MAC was never set takes the lowest of its ports' and changes as containers
    // come and go; the others' cached gateway MAC is then wrong until their ARP entry fails
    // (tens of seconds without DNS or a route out). dockerd sets one; so does Berth, at
    // creation, and pins the current one of a bridge an older Berth made.
    if (!(await this.linkExists(name))) {
      const r = await run('ip', ['link', 'add', 'name', name, 'address', randomBridgeMac(), 'mtu', String(mtu), 'type', 'bridge']);
      if (r.code !== 0 && !/File exists/.test(r.stderr)) throw new SystemError(`creating bridge ${name}: ${r.stderr.trim()}`);
    }
    const addrs = JSON.parse((await must('ip', ['-j', 'addr', 'show', 'dev', name])) || '[]') as Array<{ address?: string; addr_info?: Array<{ family: string; local: string; prefixlen: number }> }>;
    const has = addrs.some((a) => (a.addr_info ?? []).some((i) => i.family === 'inet' && i.local === address && i.prefixlen === prefix));
    const pinned = (await fsp.readFile(`/sys/class/net/${name}/addr_assign_type`, 'utf8').catch(() => '3')).trim() === '3';
    const mac = addrs[0]?.address;
    const batch = [...(has ? [] : [`addr add ${address}/${prefix} dev ${name}`]), ...(pinned || !mac ? [] : [`link set ${name} address ${mac}`]), `link set ${name} up`].join('\n') + '\n';
    await must('ip', ['-batch', '-'], batch);
  }

  async deleteLink(name: string): Promise<void> {
    const r = await run('ip', ['link', 'del', name]);
    if (r.code !== 0 && !/Cannot find device|does not exist/.test(r.stderr)) throw new SystemError(`deleting ${name}: ${r.stderr.trim()}`);
  }

  async hostSubnets(): Promise<Array<{ cidr: string; dev: string }>> {
    const routes = JSON.parse((await must('ip', ['-j', '-4', 'route', 'show', 'table', 'all'])) || '[]') as Array<{ dst: string; dev?: string; type?: string }>;
    const out: Array<{ cidr: string; dev: string }> = [];
    for (const r of routes) {
      if (!r.dst || r.dst === 'default' || (r.type && r.type !== 'unicast')) continue;
      out.push({ cidr: r.dst.includes('/') ? r.dst : `${r.dst}/32`, dev: r.dev ?? '' });
    }
    const addrs = JSON.parse((await must('ip', ['-j', '-4', 'addr', 'show'])) || '[]') as Array<{ ifname: string; addr_info?: Array<{ local: string; prefixlen: number }> }>;
    for (const a of addrs) for (const i of a.addr_info ?? []) out.push({ cidr: `${i.local}/${i.prefixlen}`, dev: a.ifname });
    return out;
  }

  async bridgePorts(bridge: string): Promise<string[]> {
    const r = await run('ip', ['-j', 'link', 'show', 'master', bridge]);
    if (r.code !== 0) return [];
    return (JSON.parse(r.stdout || '[]') as Array<{ ifname: string }>).map((l) => l.ifname);
  }

  async linkExists(name: string): Promise<boolean> {
    return (await run('ip', ['link', 'show', 'dev', name])).code === 0;
  }

  async createNamespace(path: string, first?: InterfaceSpec, owner?: NamespaceOwner): Promise<void> {
    await fsp.mkdir(dirname(path), { recursive: true });
    await fsp.writeFile(path, '', { flag: 'w', mode: 0o444 });
    if (owner) await this.#ownedNamespace(path, owner);
    // unshare bind-mounts the new namespace onto the file, then its child configures it. With a
    // first interface, the pair is made from inside and its host end sent to our namespace (by
    // our pid), which leaves only the bridge port to set from here.
    const inside = ['link set lo up'];
    if (first) {
      inside.push(`link add ${first.name} address ${first.mac} mtu ${first.mtu} type veth peer name ${first.hostName} mtu ${first.mtu} netns ${process.pid}`);
      inside.push(...insideConfig(first));
    }
    // An owned namespace exists already: enter it (as host root, which may configure it) instead.
    await must(owner ? 'nsenter' : 'unshare', [`--net=${path}`, 'ip', '-batch', '-'], inside.join('\n') + '\n');
    if (!first) return;
    try {
      await must('ip', ['link', 'set', first.hostName, 'master', first.bridge, 'up']);
    } catch (err) {
      await this.deleteLink(first.hostName).catch(() => {});
      throw err;
    }
  }

  /**
   * New user and network namespaces made together (so the user namespace owns the network one),
   * by a short-lived `unshare` whose id maps berthd writes from outside (root may map any ids;
   * newuidmap would want /etc/subuid entries for root), both bind-mounted, then let go.
   * (unshare's own --user=<file> fails here with EPERM: it mounts before the map is written.)
   */
  async #ownedNamespace(path: string, owner: NamespaceOwner): Promise<void> {
    await fsp.writeFile(owner.path, '', { flag: 'w', mode: 0o444 });
    const child = spawn('unshare', ['--user', '--net', '--', 'sh', '-c', 'echo; read x'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number>((resolve) => {
      child.once('exit', (code) => resolve(code ?? 1));
      child.once('error', () => resolve(127));
    });
    try {
      const ready = await new Promise<boolean>((resolve) => {
        child.stdout!.once('data', () => resolve(true));
        void exited.then(() => resolve(false));
      });
      if (!ready || child.pid === undefined) throw new SystemError(`unshare --user --net: ${stderr.trim() || 'exited early'}`);
      const map = (ranges: readonly IdRange[]) => ranges.map((r) => `${r.containerID} ${r.hostID} ${r.size}\n`).join('');
      await fsp.writeFile(`/proc/${child.pid}/uid_map`, map(owner.uidMappings));
      await fsp.writeFile(`/proc/${child.pid}/gid_map`, map(owner.gidMappings));
      await must('mount', ['--bind', `/proc/${child.pid}/ns/user`, owner.path]);
      await must('mount', ['--bind', `/proc/${child.pid}/ns/net`, path]);
    } catch (err) {
      await this.removeNamespace(path).catch(() => {});
      await this.removeNamespace(owner.path).catch(() => {});
      throw err;
    } finally {
      child.stdin!.end();
      await exited;
    }
  }

  async removeNamespace(path: string): Promise<void> {
    if (this.#detach) {
      try {
        this.#detach(path);
      } catch (err) {
        const code = (err as { code?: string }).code;
        // EINVAL: not a mount point (never made, or already gone)
        if (code !== 'EINVAL' && code !== 'ENOENT') throw err;
      }
      await fsp.rm(path, { force: true });
      return;
    }
    const r = await run('umount', ['--lazy', path]);
    if (r.code !== 0 && !/not mounted|no mount point|not found/.test(r.stderr)) throw new SystemError(`umount ${path}: ${r.stderr.trim()}`);
    await fsp.rm(path, { force: true });
  }

  async addInterface(s: InterfaceSpec): Promise<void> {
    // The peer is created directly inside the namespace, with its final name and address.
    const batch = [
      `link add ${s.hostName} mtu ${s.mtu} type veth peer name ${s.name} address ${s.mac} mtu ${s.mtu} netns ${s.netns}`,
      `link set ${s.hostName} master ${s.bridge}`,
      `link set ${s.hostName} up`,
      '',
    ].join('\n');
    const made = await run('ip', ['-batch', '-'], batch);
    if (made.code !== 0) {
      // A pair made before a later line failed (no such bridge) must not stay behind; a name
      // that already existed is someone else's and stays.
      if (!/File exists/.test(made.stderr)) await this.removeInterface(s.hostName).catch(() => {});
      throw new SystemError(`ip -batch -: ${made.stderr.trim() || `exit status ${made.code}`}`);
    }
    try {
      await must('nsenter', [`--net=${s.netns}`, 'ip', '-batch', '-'], insideConfig(s).join('\n') + '\n');
    } catch (err) {
      await this.removeInterface(s.hostName).catch(() => {});
      throw err;
    }
  }

  async removeInterface(hostName: string): Promise<void> {
    await this.deleteLink(hostName);
  }

  async setSysctl(key: string, value: string): Promise<void> {
    await fsp.writeFile(`/proc/sys/${key.replace(/\./g, '/')}`, value);
  }
}

/** In memory, for unit tests. */
export class FakeNetlink implements Netlink {
  links = new Map<string, { kind: 'bridge' | 'veth'; master?: string; address?: string }>();
  namespaces = new Set<string>();
  interfaces = new Map<string, InterfaceSpec>();
  sysctls = new Map<string, string>();
  host: Array<{ cidr: string; dev: string }> = [{ cidr: '192.0.2.0/24', dev: 'eth0' }];

  async ensureBridge(name: string, address: string, prefix: number): Promise<void> {
    this.links.set(name, { kind: 'bridge', address: `${address}/${prefix}` });
  }
  async deleteLink(name: string): Promise<void> {
    this.links.delete(name);
    this.interfaces.delete(name);
  }
  async hostSubnets(): Promise<Array<{ cidr: string; dev: string }>> {
    const bridges = [...this.links].filter(([, l]) => l.kind === 'bridge' && l.address).map(([dev, l]) => ({ cidr: l.address!, dev }));
    return [...this.host, ...bridges];
  }
  async bridgePorts(bridge: string): Promise<string[]> {
    return [...this.links].filter(([, l]) => l.master === bridge).map(([n]) => n);
  }
  async linkExists(name: string): Promise<boolean> {
    return this.links.has(name);
  }
  /** The user namespace file each owned network namespace was made with. */
  owners = new Map<string, NamespaceOwner>();

  async createNamespace(path: string, first?: InterfaceSpec, owner?: NamespaceOwner): Promise<void> {
    this.namespaces.add(path);
    if (owner) {
      this.namespaces.add(owner.path);
      this.owners.set(path, owner);
    }
    if (first) await this.addInterface(first);
  }
  async removeNamespace(path: string): Promise<void> {
    this.namespaces.delete(path);
    this.owners.delete(path);
    for (const [n, s] of this.interfaces) if (s.netns === path) await this.deleteLink(n);
  }
  async addInterface(spec: InterfaceSpec): Promise<void> {
    if (!this.namespaces.has(spec.netns)) throw new SystemError(`no namespace ${spec.netns}`);
    if (this.links.get(spec.bridge)?.kind !== 'bridge') throw new SystemError(`no bridge ${spec.bridge}`);
    this.links.set(spec.hostName, { kind: 'veth', master: spec.bridge });
    this.interfaces.set(spec.hostName, spec);
  }
  async removeInterface(hostName: string): Promise<void> {
    await this.deleteLink(hostName);
  }
  async setSysctl(key: string, value: string): Promise<void> {
    this.sysctls.set(key, value);
  }
}
