// The network service: networks (the predefined bridge, host and none, and user-defined bridges),
// containers' sandboxes and endpoints, published ports, isolation rules and the embedded DNS.
// Networks persist under <data-root>/network/<id>.json; sandboxes are runtime state under
// <exec-root>/network/, so a restarted berthd adopts running containers' interfaces and removes
// whatever a crash left behind.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Conflict, Forbidden, InvalidArgument, NotFound } from '../errors/index.ts';
import { newId, readJson, writeJsonAtomic, type Logger } from '../lib/index.ts';
import type { EndpointSettings, PortMap } from '../types/index.ts';
import { EmbeddedDns } from './dns-server.ts';
import type { Firewall, FirewallState } from './firewall.ts';
import { AddressPool, contains, formatCidr, formatIp, macForIp, overlaps, parseCidr, parseCidrAddress, parseIp, pickFreePool, poolConfig, type Cidr } from './ipam.ts';
import type { Netlink } from './netlink.ts';
import { ephemeralRange, portRequests, portsView, type PortMapping, type PortRequest } from './ports.ts';
import type { PortBinder, PortHolder } from './proxy.ts';
import type { EndpointState, NetworkCreateRequest, NetworkRecord, NetworkView, SandboxRequest, SandboxResult, SandboxState } from './types.ts';

export interface NetworkServiceOptions {
  dataRoot: string;
  execRoot: string;
  /** --bridge: the default bridge's device (berth0). */
  bridge: string;
  /** --bip: the default bridge's address and prefix. */
  bip: string;
  mtu: number;
  iptables: boolean;
  ipForward: boolean;
  userlandProxy: boolean;
  netlink: Netlink;
  firewall: Firewall;
  ports: PortBinder;
  log: Logger;
  /** Whether the embedded DNS servers run (off in unit tests). */
  dns?: boolean;
}

const bridgeNameOption = 'com.docker.network.bridge.name';
const iccOption = 'com.docker.network.bridge.enable_icc';
const masqOption = 'com.docker.network.bridge.enable_ip_masquerade';
const mtuOption = 'com.docker.network.driver.mtu';
const predefined = new Set(['bridge', 'host', 'none']);

export function emptyEndpoint(): EndpointSettings {
  return {
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    NetworkID: '',
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    MacAddress: '',
    DriverOpts: null,
  };
}

interface LiveNetwork {
  record: NetworkRecord;
  pool?: AddressPool;
  bridge?: string;
  dns?: EmbeddedDns;
}

function safeRegex(s: string): RegExp {
  try {
    return new RegExp(s);
  } catch {
    return new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
}

export class NetworkService {
  #o: NetworkServiceOptions;
  #networks = new Map<string, LiveNetwork>();
  #sandboxes = new Map<string, SandboxState>();
  #holders = new Map<string, PortHolder[]>();
  #lock: Promise<unknown> = Promise.resolve();

  constructor(options: NetworkServiceOptions) {
    this.#o = options;
  }

  get #dir(): string {
    return join(this.#o.dataRoot, 'network');
  }
  get #sandboxDir(): string {
    return join(this.#o.execRoot, 'network', 'sandboxes');
  }
  get #netnsDir(): string {
    return join(this.#o.execRoot, 'netns');
  }

  /** Serialises changes to networks and sandboxes (allocation, files, rules). */
  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  // ---- start-up ------------------------------------------------------------------------------

  /** Loads networks, creates the predefined ones and the default bridge. */
  async init(): Promise<void> {
    await fsp.mkdir(this.#dir, { recursive: true, mode: 0o700 });
    await fsp.mkdir(this.#sandboxDir, { recursive: true });
    await fsp.mkdir(this.#netnsDir, { recursive: true });
    if (this.#o.ipForward) await this.#o.netlink.setSysctl('net.ipv4.ip_forward', '1').catch((err: unknown) => this.#o.log.warn('enabling ip_forward failed', { error: err }));
    for (const name of await fsp.readdir(this.#dir)) {
      if (!name.endsWith('.json')) continue;
      try {
        const rec = await readJson<NetworkRecord>(join(this.#dir, name));
        if (rec) this.#networks.set(rec.Id, { record: rec });
      } catch (err) {
        this.#o.log.warn('skipping an unreadable network record', { file: name, error: err });
      }
    }
    for (const [name, driver] of [['host', 'host'], ['none', 'null']] as const) {
      if (!this.#byName(name)) await this.#save(this.#newRecord({ name, driver, options: {}, labels: {}, ipam: [] }));
    }
    await this.#initDefaultBridge();
    for (const n of this.#networks.values()) if (n.record.Driver === 'bridge') await this.#bringUp(n);
  }

  async #initDefaultBridge(): Promise<void> {
    const bridge = this.#o.bridge || 'berth0';
    const existing = this.#byName('bridge');
    let subnet: Cidr;
    let gateway: number;
    if (this.#o.bip) {
      const a = parseCidrAddress(this.#o.bip);
      if (!a) throw new InvalidArgument(`invalid bip ${this.#o.bip}: invalid CIDR address: ${this.#o.bip}`);
      subnet = parseCidr(this.#o.bip);
      gateway = a.ip;
    } else if (existing && existing.record.Options[bridgeNameOption] === bridge && existing.record.IPAM.Config[0]) {
      subnet = parseCidr(existing.record.IPAM.Config[0].Subnet);
      gateway = parseIp(existing.record.IPAM.Config[0].Gateway ?? '') ?? subnet.base + 1;
    } else {
      const taken = (await this.#o.netlink.hostSubnets()).filter((r) => r.dev !== bridge).map((r) => parseCidr(r.cidr));
      for (const n of this.#networks.values()) if (n.record.Name !== 'bridge') for (const c of n.record.IPAM.Config) taken.push(parseCidr(c.Subnet));
      subnet = pickFreePool(taken);
      gateway = subnet.base + 1;
    }
    const options = {
      'com.docker.network.bridge.default_bridge': 'true',
      [iccOption]: 'true',
      [masqOption]: 'true',
      'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
      [bridgeNameOption]: bridge,
      [mtuOption]: String(this.#o.mtu),
    };
    const ipam = [{ Subnet: formatCidr(subnet), Gateway: formatIp(gateway) }];
    if (existing && JSON.stringify(existing.record.IPAM.Config) === JSON.stringify(ipam) && JSON.stringify(existing.record.Options) === JSON.stringify(options)) return;
    const rec = existing ? { ...existing.record, Options: options, IPAM: { ...existing.record.IPAM, Config: ipam } } : this.#newRecord({ name: 'bridge', driver: 'bridge', options, labels: {}, ipam });
    if (existing) this.#networks.delete(existing.record.Id);
    await this.#save(rec);
  }

  async #bringUp(n: LiveNetwork): Promise<void> {
    const cfg = n.record.IPAM.Config[0];
    const pc = poolConfig({ subnet: cfg.Subnet, ...(cfg.Gateway ? { gateway: cfg.Gateway } : {}), ...(cfg.IPRange ? { ipRange: cfg.IPRange } : {}) });
    n.pool = new AddressPool(pc);
    n.bridge = n.record.Options[bridgeNameOption] || `br-${n.record.Id.slice(0, 12)}`;
    const mtu = Number(n.record.Options[mtuOption] ?? this.#o.mtu) || 1500;
    await this.#o.netlink.ensureBridge(n.bridge, formatIp(pc.gateway), pc.subnet.prefix, mtu);
    if (!this.#o.userlandProxy) await this.#o.netlink.setSysctl(`net.ipv4.conf.${n.bridge}.route_localnet`, '1').catch(() => {});
    if (this.#o.dns !== false && n.record.Name !== 'bridge') {
      n.dns = new EmbeddedDns(formatIp(pc.gateway), { resolve: (ip, name) => this.#resolveName(ip, name), upstreams: (ip) => this.#upstreams(ip) });
      await n.dns.start().catch((err: unknown) => {
        this.#o.log.warn('embedded DNS server could not start', { network: n.record.Name, error: err });
        n.dns = undefined;
      });
    }
  }

  /**
   * Adopts the sandboxes of containers that still run (their addresses, ports and names) and
   * removes every other sandbox, namespace file and veth a crash left; then reloads the rules.
   */
  async restore(running: ReadonlySet<string>): Promise<void> {
    await this.#locked(async () => {
      const keep = new Set<string>();
      for (const file of await fsp.readdir(this.#sandboxDir)) {
        if (!file.endsWith('.json')) continue;
        let sb: SandboxState | undefined;
        try {
          sb = await readJson<SandboxState>(join(this.#sandboxDir, file));
          if (!sb) continue;
        } catch {
          await fsp.rm(join(this.#sandboxDir, file), { force: true });
          continue;
        }
        if (running.has(sb.containerId)) {
          this.#sandboxes.set(sb.containerId, sb);
          for (const ep of sb.endpoints) {
            this.#networks.get(ep.networkId)?.pool?.claim(parseIp(ep.ip)!);
            keep.add(ep.hostVeth);
          }
          if (sb.netns) keep.add(sb.netns);
          try {
            this.#holders.set(sb.containerId, await this.#holdPorts(sb.ports));
          } catch (err) {
            this.#o.log.warn('a published port could not be bound again', { container: sb.containerId, error: err });
          }
        } else {
          this.#o.log.info('removing the network sandbox of a container that is gone', { container: sb.containerId });
          await this.#destroySandbox(sb);
        }
      }
      for (const n of this.#networks.values()) {
        if (!n.bridge) continue;
        for (const port of await this.#o.netlink.bridgePorts(n.bridge)) {
          if (!keep.has(port)) await this.#o.netlink.deleteLink(port).catch(() => {});
        }
      }
      for (const f of await fsp.readdir(this.#netnsDir)) {
        const p = join(this.#netnsDir, f);
        if (!keep.has(p)) await this.#o.netlink.removeNamespace(p).catch(() => {});
      }
      await this.#applyFirewall();
    });
  }

  // ---- networks --------------------------------------------------------------------------------

  #newRecord(o: { name: string; driver: string; options: Record<string, string>; labels: Record<string, string>; ipam: NetworkRecord['IPAM']['Config']; internal?: boolean; attachable?: boolean; ipamOptions?: Record<string, string> | null }): NetworkRecord {
    return {
      Name: o.name,
      Id: newId(),
      Created: new Date().toISOString(),
      Scope: 'local',
      Driver: o.driver,
      EnableIPv6: false,
      IPAM: { Driver: 'default', Options: o.ipamOptions ?? (o.driver === 'bridge' && o.name !== 'bridge' ? {} : null), Config: o.ipam },
      Internal: !!o.internal,
      Attachable: !!o.attachable,
      Ingress: false,
      ConfigFrom: { Network: '' },
      ConfigOnly: false,
      Options: o.options,
      Labels: o.labels,
    };
  }

  async #save(rec: NetworkRecord): Promise<LiveNetwork> {
    await writeJsonAtomic(join(this.#dir, `${rec.Id}.json`), rec, { mode: 0o600 });
    const live: LiveNetwork = { record: rec };
    this.#networks.set(rec.Id, live);
    return live;
  }

  #byName(name: string): LiveNetwork | undefined {
    for (const n of this.#networks.values()) if (n.record.Name === name) return n;
    return undefined;
  }

  /** By exact name, full id, or unique id prefix (dockerd's order); NotFound otherwise. */
  #find(ref: string): LiveNetwork {
    const byName = this.#byName(ref);
    if (byName) return byName;
    const byId = this.#networks.get(ref);
    if (byId) return byId;
    const prefix = [...this.#networks.values()].filter((n) => ref && n.record.Id.startsWith(ref));
    if (prefix.length === 1) return prefix[0];
    if (prefix.length > 1) throw new InvalidArgument(`network ${ref} is ambiguous (${prefix.length} matches found based on ID prefix)`);
    throw new NotFound(`network ${ref} not found`);
  }

  get(ref: string): NetworkRecord {
    return this.#find(ref).record;
  }

  /** The network a container's NetworkMode names, or undefined for host, none and container:. */
  networkForMode(mode: string): NetworkRecord | undefined {
    if (mode === 'default' || mode === '') mode = 'bridge';
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) return undefined;
    return this.get(mode);
  }

  #view(n: LiveNetwork, withContainers: boolean): NetworkView {
    const containers: NetworkView['Containers'] = {};
    if (withContainers) {
      for (const sb of this.#sandboxes.values()) {
        for (const ep of sb.endpoints) {
          if (ep.networkId !== n.record.Id) continue;
          containers[sb.containerId] = { Name: sb.containerName, EndpointID: ep.endpointId, MacAddress: ep.mac, IPv4Address: `${ep.ip}/${ep.prefix}`, IPv6Address: '' };
        }
        if (n.record.Driver === 'host' && sb.netns === '' && sb.endpoints.length === 0 && sb.sandboxId && this.#hostMode.has(sb.containerId)) {
          containers[sb.containerId] = { Name: sb.containerName, EndpointID: sb.sandboxId, MacAddress: '', IPv4Address: '', IPv6Address: '' };
        }
      }
    }
    return { ...structuredClone(n.record), Containers: containers };
  }

  #hostMode = new Set<string>();

  inspect(ref: string): NetworkView {
    return this.#view(this.#find(ref), true);
  }

  list(filters: Map<string, string[]> = new Map()): NetworkView[] {
    const accepted = new Set(['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type']);
    for (const k of filters.keys()) if (!accepted.has(k)) throw new InvalidArgument(`invalid filter '${k}'`);
    for (const t of filters.get('type') ?? []) if (t !== 'custom' && t !== 'builtin') throw new InvalidArgument(`invalid filter: 'type'='${t}'`);
    const dangling = filters.get('dangling');
    for (const v of dangling ?? []) if (!['true', 'false', '1', '0'].includes(v)) throw new InvalidArgument(`invalid filter 'dangling=${v}'`);
    return [...this.#networks.values()]
      .filter((n) => {
        const r = n.record;
        const f = (k: string) => filters.get(k);
        if (f('driver') && !f('driver')!.includes(r.Driver)) return false;
        if (f('id') && !f('id')!.some((p) => safeRegex(p).test(r.Id))) return false;
        if (f('name') && !f('name')!.some((p) => safeRegex(p).test(r.Name))) return false;
        if (f('scope') && !f('scope')!.includes(r.Scope)) return false;
        if (f('type') && !f('type')!.some((t) => (t === 'builtin') === predefined.has(r.Name))) return false;
        if (f('label') && !f('label')!.every((l) => labelMatches(r.Labels, l))) return false;
        if (dangling && dangling.length) {
          const want = dangling[0] === 'true' || dangling[0] === '1';
          const isDangling = !predefined.has(r.Name) && !this.#inUse(r.Id);
          if (want !== isDangling) return false;
        }
        return true;
      })
      .map((n) => this.#view(n, false))
      .sort((a, b) => a.Name.localeCompare(b.Name));
  }

  #inUse(id: string): boolean {
    for (const sb of this.#sandboxes.values()) if (sb.endpoints.some((e) => e.networkId === id)) return true;
    return false;
  }

  create(req: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
    return this.#locked(async () => {
      const name = req.Name ?? '';
      if (!name) throw new InvalidArgument('network name cannot be empty');
      if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new InvalidArgument(`invalid network name "${name}"`);
      const driver = req.Driver || 'bridge';
      if (predefined.has(name)) throw new Forbidden(`operation is not permitted on predefined ${name} network `);
      if (driver === 'host' || driver === 'null') throw new Forbidden(`only one instance of "${driver}" network is allowed`);
      if (driver !== 'bridge') throw new NotFound(`could not find plugin ${driver} in v1 plugin registry: plugin not found`);
      if (this.#byName(name)) throw new Conflict(`network with name ${name} already exists`);
      if (req.IPAM?.Driver && req.IPAM.Driver !== 'default') throw new NotFound(`could not find plugin ${req.IPAM.Driver} in v1 plugin registry: plugin not found`);
      if (req.EnableIPv6) throw new InvalidArgument('IPv6 networks are not supported by Berth yet');
      const options = { ...(req.Options ?? {}) };
      const configs = (req.IPAM?.Config ?? []).filter((c) => c.Subnet || c.Gateway || c.IPRange);
      if (configs.length > 1) throw new InvalidArgument('Berth supports one IPv4 subnet per network');
      const taken = this.#takenSubnets();
      let ipam: NetworkRecord['IPAM']['Config'];
      if (configs.length === 1) {
        const c = configs[0];
        if (!c.Subnet) throw new InvalidArgument('every ip-range or gateway must have a corresponding subnet');
        const pc = poolConfig({ subnet: c.Subnet, ...(c.Gateway ? { gateway: c.Gateway } : {}), ...(c.IPRange ? { ipRange: c.IPRange } : {}) });
        if (taken.some((t) => overlaps(t, pc.subnet))) throw new Forbidden('Pool overlaps with other one on this address space');
        ipam = [{ Subnet: c.Subnet, ...(c.IPRange ? { IPRange: c.IPRange } : {}), Gateway: formatIp(pc.gateway) }];
      } else {
        const hostTaken = (await this.#o.netlink.hostSubnets()).map((r) => parseCidr(r.cidr));
        const subnet = pickFreePool([...taken, ...hostTaken]);
        ipam = [{ Subnet: formatCidr(subnet), Gateway: formatIp(subnet.base + 1) }];
      }
      const bridgeName = options[bridgeNameOption];
      if (bridgeName !== undefined) {
        if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(bridgeName)) throw new InvalidArgument(`invalid bridge name ${bridgeName}`);
        for (const n of this.#networks.values()) if (n.bridge === bridgeName) throw new Forbidden(`bridge name ${bridgeName} is already in use by network ${n.record.Name}`);
      }
      const rec = this.#newRecord({ name, driver, options, labels: req.Labels ?? {}, ipam, internal: !!req.Internal, attachable: !!req.Attachable, ipamOptions: req.IPAM?.Options ?? {} });
      const live = await this.#save(rec);
      try {
        await this.#bringUp(live);
        await this.#applyFirewall();
      } catch (err) {
        await this.#drop(live).catch(() => {});
        throw err;
      }
      return { Id: rec.Id, Warning: '' };
    });
  }

  #takenSubnets(): Cidr[] {
    const out: Cidr[] = [];
    for (const n of this.#networks.values()) for (const c of n.record.IPAM.Config) out.push(parseCidr(c.Subnet));
    return out;
  }

  async #drop(n: LiveNetwork): Promise<void> {
    await n.dns?.close();
    if (n.bridge) await this.#o.netlink.deleteLink(n.bridge);
    await fsp.rm(join(this.#dir, `${n.record.Id}.json`), { force: true });
    this.#networks.delete(n.record.Id);
  }

  remove(ref: string): Promise<void> {
    return this.#locked(async () => {
      const n = this.#find(ref);
      if (predefined.has(n.record.Name)) throw new Forbidden(`${n.record.Name} is a pre-defined network and cannot be removed`);
      if (this.#inUse(n.record.Id)) throw new Forbidden(`error while removing network: network ${n.record.Name} id ${n.record.Id} has active endpoints`);
      await this.#drop(n);
      await this.#applyFirewall();
    });
  }

  async prune(filters: Map<string, string[]> = new Map()): Promise<{ NetworksDeleted: string[] }> {
    for (const k of filters.keys()) if (k !== 'until' && k !== 'label' && k !== 'label!') throw new InvalidArgument(`invalid filter '${k}'`);
    const deleted: string[] = [];
    const until = filters.get('until')?.[0];
    const untilMs = until ? (/^\d+(\.\d+)?$/.test(until) ? Number(until) * 1000 : Date.parse(until)) : undefined;
    for (const n of [...this.#networks.values()]) {
      const r = n.record;
      if (predefined.has(r.Name) || this.#inUse(r.Id)) continue;
      if (untilMs !== undefined && !(Date.parse(r.Created) < untilMs)) continue;
      if (!(filters.get('label') ?? []).every((l) => labelMatches(r.Labels, l))) continue;
      if ((filters.get('label!') ?? []).some((l) => labelMatches(r.Labels, l))) continue;
      try {
        await this.remove(r.Id);
        deleted.push(r.Name);
      } catch (err) {
        this.#o.log.warn('pruning a network failed', { network: r.Name, error: err });
      }
    }
    return { NetworksDeleted: deleted };
  }

  // ---- containers ------------------------------------------------------------------------------

  /**
   * Create's checks on a container's network mode and endpoint configuration; returns
   * NetworkSettings.Networks for the new container.
   */
  plan(input: { mode: string; endpoints: Record<string, Partial<EndpointSettings>>; links: readonly string[]; macAddress?: string }): Record<string, EndpointSettings> {
    const mode = input.mode === 'default' || !input.mode ? 'bridge' : input.mode;
    if (mode.startsWith('container:')) {
      if (Object.keys(input.endpoints).length) throw new InvalidArgument('conflicting options: container type network can\'t be used with other networks');
      return {};
    }
    if (mode === 'none' || mode === 'host') {
      const n = this.get(mode);
      return { [mode]: { ...emptyEndpoint(), NetworkID: n.Id } };
    }
    const primary = this.get(mode);
    const out: Record<string, EndpointSettings> = {};
    const entries = Object.entries(input.endpoints).map(([k, v]): [string, Partial<EndpointSettings>] => [k === 'default' ? 'bridge' : k, v]);
    if (!entries.some(([k]) => { try { return this.get(k).Id === primary.Id; } catch { return false; } })) entries.unshift([primary.Name, {}]);
    for (const [ref, cfg] of entries) {
      const n = this.get(ref);
      const userDefined = !predefined.has(n.Name);
      const ip = cfg.IPAMConfig?.IPv4Address;
      if (ip) {
        if (!userDefined) throw new InvalidArgument('user specified IP address is supported on user defined networks only');
        if (parseIp(ip) === undefined) throw new InvalidArgument(`Invalid IPv4 address: ${ip})`);
        if (!n.IPAM.Config.some((c) => contains(parseCidr(c.Subnet), parseIp(ip)!))) throw new InvalidArgument(`no configured subnet or ip-range contain the IP address ${ip}`);
      }
      if (cfg.Aliases?.length && !userDefined) throw new InvalidArgument('network-scoped alias is supported only for containers in user defined networks');
      out[n.Name] = {
        ...emptyEndpoint(),
        IPAMConfig: cfg.IPAMConfig && (cfg.IPAMConfig.IPv4Address || cfg.IPAMConfig.IPv6Address) ? { ...cfg.IPAMConfig } : null,
        Links: n.Name === primary.Name && input.links.length ? [...input.links] : (cfg.Links ?? null),
        Aliases: cfg.Aliases?.length ? [...cfg.Aliases] : null,
        NetworkID: n.Id,
        ...(cfg.MacAddress ? { MacAddress: cfg.MacAddress } : {}),
      };
    }
    return out;
  }

  /** Builds the container's network namespace and interfaces, publishes its ports. */
  setUp(req: SandboxRequest): Promise<SandboxResult> {
    return this.#locked(async () => {
      const mode = req.mode === 'default' || !req.mode ? 'bridge' : req.mode;
      const sandboxId = randomBytes(32).toString('hex');
      const networks = structuredClone(req.networks);
      if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
        for (const [name, ep] of Object.entries(networks)) networks[name] = { ...ep, EndpointID: randomBytes(32).toString('hex') };
        const sb: SandboxState = { containerId: req.containerId, containerName: req.containerName, sandboxId, netns: '', endpoints: [], ports: [], upstreams: req.upstreams };
        if (mode === 'host') this.#hostMode.add(req.containerId);
        this.#sandboxes.set(req.containerId, sb);
        await this.#persist(sb);
        if (mode === 'host') return { namespace: { mode: 'host' }, sandboxId, sandboxKey: '/var/run/docker/netns/default', networks, ports: {} };
        if (mode === 'none') return { namespace: { mode: 'private' }, sandboxId, sandboxKey: '', networks, ports: {} };
        return { namespace: { mode: 'path', path: req.sharedNetns! }, sandboxId, sandboxKey: '', networks: {}, ports: {} };
      }
      const netns = join(this.#netnsDir, sandboxId.slice(0, 12));
      const sb: SandboxState = { containerId: req.containerId, containerName: req.containerName, sandboxId, netns, endpoints: [], ports: [], upstreams: req.upstreams };
      this.#sandboxes.set(req.containerId, sb);
      try {
        await this.#persist(sb);
        const primary = this.networkForMode(mode)!;
        const names = Object.keys(networks).sort((a, b) => (a === primary.Name ? -1 : b === primary.Name ? 1 : 0));
        // The first interface is made together with the namespace.
        if (names.length === 0) await this.#o.netlink.createNamespace(netns);
        for (const [i, name] of names.entries()) {
          const ep = await this.#attach(sb, name, networks[name], { ifname: `eth${i}`, defaultRoute: i === 0, mac: i === 0 ? req.macAddress : undefined, containerShortId: req.containerId.slice(0, 12), linkAliases: i === 0 ? req.linkAliases : undefined, newNamespace: i === 0 });
          networks[name] = ep;
        }
        const first = sb.endpoints[0];
        const requests = portRequests(req.portBindings, req.exposedPorts, req.publishAll);
        if (first && requests.length) {
          const bridge = this.#networks.get(first.networkId)!.bridge!;
          const { mappings, holders } = await this.#publish(requests, first.ip);
          sb.ports = mappings.map((m) => ({ ...m, bridge, containerIp: first.ip }));
          this.#holders.set(req.containerId, holders);
        }
        await this.#persist(sb);
        // The rules depend on networks and ports only: a container without ports changes none.
        if (sb.ports.length) await this.#applyFirewall();
        const userNet = sb.endpoints.map((e) => this.#networks.get(e.networkId)!).find((n) => n.record.Name !== 'bridge' && n.dns);
        return {
          namespace: { mode: 'path', path: netns },
          sandboxId,
          sandboxKey: netns,
          networks,
          ports: portsView(req.exposedPorts, sb.ports),
          ...(userNet ? { nameserver: userNet.dns!.address } : {}),
        };
      } catch (err) {
        await this.#release(req.containerId).catch((e: unknown) => this.#o.log.warn('cleaning up a failed network set-up failed', { error: e }));
        throw err;
      }
    });
  }

  async #attach(
    sb: SandboxState,
    netName: string,
    planned: EndpointSettings,
    o: { ifname: string; defaultRoute: boolean; mac?: string | undefined; containerShortId: string; linkAliases?: Record<string, string[]> | undefined; newNamespace?: boolean },
  ): Promise<EndpointSettings> {
    const n = this.#find(planned.NetworkID || netName);
    if (n.record.Driver !== 'bridge' || !n.pool || !n.bridge) throw new InvalidArgument(`container cannot be connected to network ${n.record.Name}`);
    if (sb.endpoints.some((e) => e.networkId === n.record.Id)) throw new Forbidden(`endpoint with name ${sb.containerName} already exists in network ${n.record.Name}`);
    const ipNum = n.pool.allocate(planned.IPAMConfig?.IPv4Address || undefined);
    const ip = formatIp(ipNum);
    const mac = o.mac || planned.MacAddress || macForIp(ipNum);
    const gateway = formatIp(n.pool.config.gateway);
    const hostVeth = `veth${randomBytes(4).toString('hex').slice(0, 7)}`;
    const userDefined = n.record.Name !== 'bridge';
    const aliases = userDefined ? [...new Set([...(planned.Aliases ?? []), o.containerShortId, ...Object.keys(o.linkAliases ?? {})])] : [];
    const ep: EndpointState = { networkId: n.record.Id, networkName: n.record.Name, endpointId: randomBytes(32).toString('hex'), ip, prefix: n.pool.subnet.prefix, gateway, mac, hostVeth, ifname: o.ifname, aliases };
    try {
      const spec = {
        netns: sb.netns,
        bridge: n.bridge,
        hostName: hostVeth,
        name: o.ifname,
        mac,
        address: ip,
        prefix: n.pool.subnet.prefix,
        ...(o.defaultRoute && !n.record.Internal ? { gateway } : {}),
        mtu: Number(n.record.Options[mtuOption] ?? this.#o.mtu) || 1500,
      };
      if (o.newNamespace) await this.#o.netlink.createNamespace(sb.netns, spec);
      else await this.#o.netlink.addInterface(spec);
    } catch (err) {
      n.pool.release(ipNum);
      throw err;
    }
    sb.endpoints.push(ep);
    return {
      ...planned,
      Aliases: userDefined ? (planned.Aliases?.length ? [...planned.Aliases, o.containerShortId] : [o.containerShortId]) : planned.Aliases,
      NetworkID: n.record.Id,
      EndpointID: ep.endpointId,
      Gateway: gateway,
      IPAddress: ip,
      IPPrefixLen: ep.prefix,
      MacAddress: mac,
    };
  }

  async #publish(requests: PortRequest[], containerIp: string): Promise<{ mappings: PortMapping[]; holders: PortHolder[] }> {
    const mappings: PortMapping[] = [];
    const holders: PortHolder[] = [];
    try {
      for (const r of requests) {
        if (r.proto === 'sctp') throw new InvalidArgument('sctp ports are not supported by Berth');
        const target = this.#o.userlandProxy ? { ip: containerIp, port: r.containerPort } : undefined;
        const [lo, hi] = r.hostPorts[0] === 0 ? ephemeralRange : r.hostPorts;
        let bound: { holder: PortHolder; port: number } | undefined;
        let lastErr: unknown;
        const taken = new Set([...this.#allMappings()].filter((m) => m.proto === r.proto).map((m) => m.hostPort));
        for (const m of mappings) if (m.proto === r.proto) taken.add(m.hostPort);
        for (let port = lo; port <= hi && !bound; port++) {
          if (taken.has(port)) {
            lastErr = new Conflict(`Bind for ${r.hostIp}:${port} failed: port is already allocated`);
            continue;
          }
          try {
            bound = { holder: await this.#o.ports.bind(r.proto, { ip: r.hostIp, port }, target), port };
          } catch (err) {
            lastErr = err;
          }
        }
        if (!bound) throw lastErr ?? new Conflict('no free host port');
        holders.push(bound.holder);
        mappings.push({ proto: r.proto, containerPort: r.containerPort, hostIp: r.hostIp, hostPort: bound.port });
      }
    } catch (err) {
      await Promise.all(holders.map((h) => h.close()));
      throw err;
    }
    return { mappings, holders };
  }

  async #holdPorts(ports: SandboxState['ports']): Promise<PortHolder[]> {
    const holders: PortHolder[] = [];
    for (const p of ports) {
      if (p.proto === 'sctp') continue;
      holders.push(await this.#o.ports.bind(p.proto, { ip: p.hostIp, port: p.hostPort }, this.#o.userlandProxy ? { ip: p.containerIp, port: p.containerPort } : undefined));
    }
    return holders;
  }

  *#allMappings(): Generator<PortMapping> {
    for (const sb of this.#sandboxes.values()) yield* sb.ports;
  }

  /** Releases everything the container's sandbox holds (after it exited or failed to start). */
  tearDown(containerId: string): Promise<void> {
    return this.#locked(() => this.#release(containerId));
  }

  async #release(containerId: string): Promise<void> {
    const sb = this.#sandboxes.get(containerId);
    this.#hostMode.delete(containerId);
    if (!sb) return;
    this.#sandboxes.delete(containerId);
    await Promise.all((this.#holders.get(containerId) ?? []).map((h) => h.close()));
    this.#holders.delete(containerId);
    await this.#destroySandbox(sb);
    if (sb.ports.length) await this.#applyFirewall();
  }

  async #destroySandbox(sb: SandboxState): Promise<void> {
    for (const ep of sb.endpoints) this.#networks.get(ep.networkId)?.pool?.release(parseIp(ep.ip)!);
    if (sb.netns) {
      // Unmounting the namespace lets the kernel destroy it, and with it every veth pair that has
      // an end inside, in the background (~15 ms later). `ip link del` first would make stop and
      // rm wait ~45 ms for the same work (RCU grace periods). A veth still there a moment later
      // (the namespace held open elsewhere) is deleted then.
      await this.#o.netlink.removeNamespace(sb.netns).catch((err: unknown) => this.#o.log.warn('removing a network namespace failed', { path: sb.netns, error: err }));
      const veths = sb.endpoints.map((ep) => ep.hostVeth);
      if (veths.length) setTimeout(() => void this.#reapVeths(veths), 2000).unref();
    } else {
      for (const ep of sb.endpoints) await this.#o.netlink.removeInterface(ep.hostVeth).catch(() => {});
    }
    await fsp.rm(join(this.#sandboxDir, `${sb.containerId}.json`), { force: true });
  }

  async #reapVeths(names: string[]): Promise<void> {
    for (const name of names) {
      if (await this.#o.netlink.linkExists(name).catch(() => false)) await this.#o.netlink.removeInterface(name).catch(() => {});
    }
  }

  /** network connect on a running container: a new interface in its namespace. */
  connect(containerId: string, ref: string, planned: EndpointSettings): Promise<EndpointSettings> {
    return this.#locked(async () => {
      const sb = this.#sandboxes.get(containerId);
      if (!sb || !sb.netns) throw new Forbidden('container sharing network namespace with another container or host cannot be connected to any other network');
      const n = this.#find(ref);
      const ifname = `eth${Math.max(-1, ...sb.endpoints.map((e) => Number(e.ifname.slice(3)))) + 1}`;
      const ep = await this.#attach(sb, n.record.Name, planned, { ifname, defaultRoute: sb.endpoints.length === 0, containerShortId: containerId.slice(0, 12) });
      await this.#persist(sb);
      return ep;
    });
  }

  disconnect(containerId: string, ref: string): Promise<void> {
    return this.#locked(async () => {
      const sb = this.#sandboxes.get(containerId);
      const n = this.#find(ref);
      const ep = sb?.endpoints.find((e) => e.networkId === n.record.Id);
      if (!sb || !ep) return;
      sb.endpoints = sb.endpoints.filter((e) => e !== ep);
      const hadPorts = sb.ports.some((p) => p.containerIp === ep.ip);
      if (hadPorts) {
        sb.ports = sb.ports.filter((p) => p.containerIp !== ep.ip);
        await Promise.all((this.#holders.get(containerId) ?? []).map((h) => h.close()));
        this.#holders.set(containerId, await this.#holdPorts(sb.ports));
      }
      n.pool?.release(parseIp(ep.ip)!);
      await this.#o.netlink.removeInterface(ep.hostVeth);
      await this.#persist(sb);
      await this.#applyFirewall();
    });
  }

  /** The container's current published ports (NetworkSettings.Ports). */
  ports(containerId: string, exposed: Record<string, unknown> | undefined): PortMap {
    return portsView(exposed, this.#sandboxes.get(containerId)?.ports ?? []);
  }

  /** The default bridge's address (--add-host name:host-gateway). */
  defaultGateway(): string {
    const n = this.#byName('bridge');
    return n?.record.IPAM.Config[0]?.Gateway ?? '';
  }

  /** The running container's namespace file, for container:<id> mode. */
  sandboxPath(containerId: string): string | undefined {
    return this.#sandboxes.get(containerId)?.netns || undefined;
  }

  async #persist(sb: SandboxState): Promise<void> {
    await writeJsonAtomic(join(this.#sandboxDir, `${sb.containerId}.json`), sb, { durable: false });
  }

  #firewallState(): FirewallState {
    const networks = [...this.#networks.values()]
      .filter((n) => n.bridge && n.pool)
      .map((n) => ({
        bridge: n.bridge!,
        subnet: formatCidr(n.pool!.subnet),
        internal: n.record.Internal,
        icc: n.record.Options[iccOption] !== 'false',
        masquerade: n.record.Options[masqOption] !== 'false',
      }));
    const ports = [...this.#sandboxes.values()].flatMap((sb) =>
      sb.ports.map((p) => ({ bridge: p.bridge, proto: p.proto, hostIp: p.hostIp, hostPort: p.hostPort, containerIp: p.containerIp, containerPort: p.containerPort })),
    );
    return { networks, ports };
  }

  async #applyFirewall(): Promise<void> {
    if (!this.#o.iptables) return;
    await this.#o.firewall.apply(this.#firewallState());
  }

  // ---- embedded DNS ----------------------------------------------------------------------------

  #resolveName(askerIp: string, name: string): string[] | undefined {
    const lname = name.toLowerCase();
    let asker: SandboxState | undefined;
    for (const sb of this.#sandboxes.values()) if (sb.endpoints.some((e) => e.ip === askerIp)) asker = sb;
    if (!asker) return undefined;
    const nets = new Set(asker.endpoints.filter((e) => e.networkName !== 'bridge').map((e) => e.networkId));
    const out: string[] = [];
    for (const sb of this.#sandboxes.values()) {
      for (const ep of sb.endpoints) {
        if (!nets.has(ep.networkId)) continue;
        const names = [sb.containerName, ...ep.aliases].map((x) => x.toLowerCase());
        if (names.includes(lname) || (lname.length >= 12 && sb.containerId.startsWith(lname))) out.push(ep.ip);
      }
    }
    return out.length ? [...new Set(out)] : undefined;
  }

  #upstreams(askerIp: string): string[] {
    for (const sb of this.#sandboxes.values()) if (sb.endpoints.some((e) => e.ip === askerIp)) return sb.upstreams;
    return [];
  }

  /** Stops the DNS servers and port holders (berthd is shutting down; containers keep running). */
  async close(): Promise<void> {
    for (const n of this.#networks.values()) await n.dns?.close();
    for (const hs of this.#holders.values()) await Promise.all(hs.map((h) => h.close()));
    this.#holders.clear();
  }
}

function labelMatches(labels: Record<string, string>, expr: string): boolean {
  const eq = expr.indexOf('=');
  if (eq < 0) return expr in labels;
  return labels[expr.slice(0, eq)] === expr.slice(eq + 1);
}
