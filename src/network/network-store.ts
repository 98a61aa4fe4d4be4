// The networks themselves: their records (persisted as <data-root>/network/<id>.json), the
// predefined bridge, host and none, lookup by name, id or id prefix in dockerd's order, the
// checks and error texts of `network create`, and what a bridge network holds while berthd runs
// (its address pool, its bridge device, its embedded DNS server). Containers' sandboxes are not
// here: the store knows networks, the sandbox manager knows who is attached to them.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Conflict, Forbidden, InvalidArgument, NotFound, SystemError } from '../errors/index.ts';
import { SkippedRecords, newId, writeJsonAtomic, type Logger } from '../lib/index.ts';
import { checker, go } from '../schema/index.ts';
import type { NetworkCreateBody } from '../types/index.ts';
import { EmbeddedDns, type NameLookup } from './dns-server.ts';
import type { FirewallNetwork } from './firewall.ts';
import { AddressPool, formatCidr, formatIp, overlaps, parseCidr, parseCidrAddress, parseIp, pickFreePool, poolConfig, type Cidr } from './ipam.ts';
import type { Netlink } from './netlink.ts';
import type { NetworkRecord } from './types.ts';

export const bridgeNameOption = 'com.docker.network.bridge.name';
const iccOption = 'com.docker.network.bridge.enable_icc';
const masqOption = 'com.docker.network.bridge.enable_ip_masquerade';
const mtuOption = 'com.docker.network.driver.mtu';
export const predefinedNetworks: ReadonlySet<string> = new Set(['bridge', 'host', 'none']);
const bridgeNamePattern = /^[a-zA-Z0-9_.-]{1,15}$/;

const req = go.required;
const networkRecordShape = checker(
  go.struct('network.Network', {
    Name: req(go.string()),
    Id: req(go.string()),
    Created: req(go.string()),
    Scope: req(go.string()),
    Driver: req(go.string()),
    EnableIPv6: req(go.bool()),
    IPAM: req(
      go.struct('network.IPAM', {
        Driver: req(go.string()),
        Options: req(go.nullable(go.map(go.string()))),
        Config: req(go.slice(go.struct('network.IPAMConfig', { Subnet: req(go.string()), Gateway: go.string(), IPRange: go.string(), AuxiliaryAddresses: go.map(go.string()) }))),
      }),
    ),
    Internal: req(go.bool()),
    Attachable: req(go.bool()),
    Ingress: req(go.bool()),
    ConfigFrom: req(go.struct('network.ConfigReference', { Network: req(go.string()) })),
    ConfigOnly: req(go.bool()),
    Options: req(go.map(go.string())),
    Labels: req(go.map(go.string())),
  }),
);

/** What is wrong with a network record, if anything: its shape, and what bringing it up needs. */
function networkRecordProblem(value: unknown): string | undefined {
  const shape = networkRecordShape(value);
  if (shape !== undefined) return shape;
  const rec = value as NetworkRecord;
  if (!/^[0-9a-f]{64}$/.test(rec.Id)) return `invalid network id ${JSON.stringify(rec.Id)}`;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(rec.Name)) return `invalid network name ${JSON.stringify(rec.Name)}`;
  for (const c of rec.IPAM.Config) {
    try {
      parseCidr(c.Subnet);
      if (c.Gateway) parseCidr(`${c.Gateway}/32`);
      if (c.IPRange) parseCidr(c.IPRange);
    } catch (err) {
      return `IPAM: ${(err as Error).message}`;
    }
  }
  if (rec.Driver === 'bridge' && rec.IPAM.Config.length === 0) return 'a bridge network without a subnet';
  const bridge = rec.Options[bridgeNameOption];
  if (bridge !== undefined && !bridgeNamePattern.test(bridge)) return `invalid bridge name ${JSON.stringify(bridge)}`;
  return undefined;
}

/** A network as berthd holds it while running; pool and bridge are set once a bridge is up. */
export interface LiveNetwork {
  record: NetworkRecord;
  pool?: AddressPool;
  bridge?: string;
  dns?: EmbeddedDns;
}

export interface NetworkStoreOptions {
  /** <data-root>/network */
  dir: string;
  /** --bridge: the default bridge's device (berth0). */
  bridge: string;
  /** --bip: the default bridge's address and prefix. */
  bip: string;
  mtu: number;
  userlandProxy: boolean;
  netlink: Netlink;
  /** What the embedded DNS servers answer. */
  names: NameLookup;
  log: Logger;
  /** Where a record that cannot be loaded is reported. */
  skipped?: SkippedRecords;
  /** Whether the embedded DNS servers run (off in unit tests). */
  dns?: boolean;
}

export class NetworkStore {
  #o: NetworkStoreOptions;
  #networks = new Map<string, LiveNetwork>();

  constructor(options: NetworkStoreOptions) {
    this.#o = options;
  }

  /** Loads the records, creates the predefined networks and brings every bridge up. */
  async init(): Promise<void> {
    await fsp.mkdir(this.#o.dir, { recursive: true, mode: 0o700 });
    const skipped = this.#o.skipped ?? new SkippedRecords(this.#o.log);
    for (const name of await fsp.readdir(this.#o.dir)) {
      if (!name.endsWith('.json')) continue;
      let problem: string | undefined;
      let rec: NetworkRecord | undefined;
      try {
        const value: unknown = JSON.parse(await fsp.readFile(join(this.#o.dir, name), 'utf8'));
        problem = networkRecordProblem(value);
        rec = value as NetworkRecord;
      } catch (err) {
        problem = err instanceof SyntaxError ? `invalid JSON: ${err.message}` : (err as Error).message;
      }
      if (problem === undefined && rec && name !== `${rec.Id}.json`) problem = `its Id is not ${name.replace(/\.json$/, '')}`;
      if (problem === undefined && rec && this.byName(rec.Name)) problem = `its name ${rec.Name} is taken by network ${this.byName(rec.Name)!.record.Id}`;
      if (problem !== undefined || !rec) {
        skipped.report('network', name.replace(/\.json$/, ''), problem ?? 'unreadable');
        continue;
      }
      this.#networks.set(rec.Id, { record: rec });
    }
    for (const [name, driver] of [['host', 'host'], ['none', 'null']] as const) {
      if (!this.byName(name)) await this.#save(newRecord({ name, driver, options: {}, labels: {}, ipam: [] }));
    }
    await this.#initDefaultBridge();
    for (const n of this.#networks.values()) if (n.record.Driver === 'bridge') await this.#bringUp(n);
  }

  async #initDefaultBridge(): Promise<void> {
    const bridge = this.#o.bridge || 'berth0';
    const existing = this.byName('bridge');
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
    const rec = existing ? { ...existing.record, Options: options, IPAM: { ...existing.record.IPAM, Config: ipam } } : newRecord({ name: 'bridge', driver: 'bridge', options, labels: {}, ipam });
    if (existing) this.#networks.delete(existing.record.Id);
    await this.#save(rec);
  }

  async #bringUp(n: LiveNetwork): Promise<void> {
    const cfg = n.record.IPAM.Config[0];
    const pc = poolConfig({ subnet: cfg.Subnet, ...(cfg.Gateway ? { gateway: cfg.Gateway } : {}), ...(cfg.IPRange ? { ipRange: cfg.IPRange } : {}) });
    n.pool = new AddressPool(pc);
    n.bridge = n.record.Options[bridgeNameOption] || `br-${n.record.Id.slice(0, 12)}`;
    await this.#o.netlink.ensureBridge(n.bridge, formatIp(pc.gateway), pc.subnet.prefix, this.mtuOf(n));
    if (!this.#o.userlandProxy) await this.#o.netlink.setSysctl(`net.ipv4.conf.${n.bridge}.route_localnet`, '1').catch(() => {});
    // Every bridge network has a resolver on its gateway: the default bridge's answers no names,
    // it forwards for containers that were on a user-defined network and keep 127.0.0.11.
    if (this.#o.dns !== false) {
      n.dns = new EmbeddedDns(formatIp(pc.gateway), this.#o.names);
      await n.dns.start().catch((err: unknown) => {
        this.#o.log.warn('embedded DNS server could not start', { network: n.record.Name, error: err });
        n.dns = undefined;
      });
    }
  }

  async #save(rec: NetworkRecord): Promise<LiveNetwork> {
    const problem = networkRecordProblem(rec);
    if (problem !== undefined) throw new SystemError(`refusing to save network ${rec.Name}: its record is malformed: ${problem}`);
    await writeJsonAtomic(join(this.#o.dir, `${rec.Id}.json`), rec, { mode: 0o600 });
    const live: LiveNetwork = { record: rec };
    this.#networks.set(rec.Id, live);
    return live;
  }

  values(): IterableIterator<LiveNetwork> {
    return this.#networks.values();
  }

  byId(id: string): LiveNetwork | undefined {
    return this.#networks.get(id);
  }

  byName(name: string): LiveNetwork | undefined {
    for (const n of this.#networks.values()) if (n.record.Name === name) return n;
    return undefined;
  }

  /** By exact name, full id, or unique id prefix (dockerd's order); NotFound otherwise. */
  find(ref: string): LiveNetwork {
    const byName = this.byName(ref);
    if (byName) return byName;
    const byId = this.#networks.get(ref);
    if (byId) return byId;
    const prefix = [...this.#networks.values()].filter((n) => ref && n.record.Id.startsWith(ref));
    if (prefix.length === 1) return prefix[0];
    if (prefix.length > 1) throw new InvalidArgument(`network ${ref} is ambiguous (${prefix.length} matches found based on ID prefix)`);
    throw new NotFound(`network ${ref} not found`);
  }

  get(ref: string): NetworkRecord {
    return this.find(ref).record;
  }

  /** The network a container's NetworkMode names, or undefined for host, none and container:. */
  networkForMode(mode: string): NetworkRecord | undefined {
    if (mode === 'default' || mode === '') mode = 'bridge';
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) return undefined;
    return this.get(mode);
  }

  /** The default bridge's address (--add-host name:host-gateway). */
  defaultGateway(): string {
    return this.byName('bridge')?.record.IPAM.Config[0]?.Gateway ?? '';
  }

  mtuOf(n: LiveNetwork): number {
    return Number(n.record.Options[mtuOption] ?? this.#o.mtu) || 1500;
  }

  /** Checks the request as dockerd does, saves the record and brings the bridge up. */
  async create(req: NetworkCreateBody): Promise<LiveNetwork> {
    const name = req.Name ?? '';
    if (!name) throw new InvalidArgument('network name cannot be empty');
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new InvalidArgument(`invalid network name "${name}"`);
    const driver = req.Driver || 'bridge';
    if (predefinedNetworks.has(name)) throw new Forbidden(`operation is not permitted on predefined ${name} network `);
    if (driver === 'host' || driver === 'null') throw new Forbidden(`only one instance of "${driver}" network is allowed`);
    if (driver !== 'bridge') throw new NotFound(`could not find plugin ${driver} in v1 plugin registry: plugin not found`);
    if (this.byName(name)) throw new Conflict(`network with name ${name} already exists`);
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
    const rec = newRecord({ name, driver, options, labels: req.Labels ?? {}, ipam, internal: !!req.Internal, attachable: !!req.Attachable, ipamOptions: req.IPAM?.Options ?? {} });
    const live = await this.#save(rec);
    try {
      await this.#bringUp(live);
    } catch (err) {
      await this.drop(live).catch(() => {});
      throw err;
    }
    return live;
  }

  #takenSubnets(): Cidr[] {
    const out: Cidr[] = [];
    for (const n of this.#networks.values()) for (const c of n.record.IPAM.Config) out.push(parseCidr(c.Subnet));
    return out;
  }

  /** Stops the network's DNS, deletes its bridge and forgets it (the caller checked it is unused). */
  async drop(n: LiveNetwork): Promise<void> {
    await n.dns?.close();
    if (n.bridge) await this.#o.netlink.deleteLink(n.bridge);
    await fsp.rm(join(this.#o.dir, `${n.record.Id}.json`), { force: true });
    this.#networks.delete(n.record.Id);
  }

  /** The networks' share of the firewall state: one entry per bridge that is up. */
  firewallNetworks(): FirewallNetwork[] {
    return [...this.#networks.values()]
      .filter((n) => n.bridge && n.pool)
      .map((n) => ({
        bridge: n.bridge!,
        subnet: formatCidr(n.pool!.subnet),
        internal: n.record.Internal,
        icc: n.record.Options[iccOption] !== 'false',
        masquerade: n.record.Options[masqOption] !== 'false',
      }));
  }

  /** Stops the DNS servers (berthd is shutting down; bridges stay for running containers). */
  async close(): Promise<void> {
    for (const n of this.#networks.values()) await n.dns?.close();
  }
}

function newRecord(o: { name: string; driver: string; options: Record<string, string>; labels: Record<string, string>; ipam: NetworkRecord['IPAM']['Config']; internal?: boolean; attachable?: boolean; ipamOptions?: Record<string, string> | null }): NetworkRecord {
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
