// Containers' sandboxes: the network namespace and the veth endpoints of a container, set up at
// start (addresses from the networks' pools, ports through the port publisher), torn down at
// exit, grown and shrunk by network connect/disconnect, and at berthd's start adopted (containers
// still running) or removed (whatever a crash left). Once a container is on a user-defined
// network, 127.0.0.11 inside its namespace leads to the embedded resolver on one of its networks'
// gateways, re-pointed when that network is left. Callers serialise these operations; the
// manager itself never touches network records or the firewall beyond asking for a reload.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Forbidden, InvalidArgument } from '../errors/index.ts';
import type { Logger } from '../lib/index.ts';
import type { EndpointSettings, PortMap } from '../types/index.ts';
import { formatIp, macForIp, parseIp } from './ipam.ts';
import type { NamespaceOwner, Netlink } from './netlink.ts';
import { predefinedNetworks, type NetworkStore } from './network-store.ts';
import type { PortPublisher } from './port-publisher.ts';
import { portRequests, portsView } from './ports.ts';
import { embeddedResolverAddress, type ResolverRedirect, type ResolverTarget } from './resolver-redirect.ts';
import type { SandboxRegistry } from './sandbox-registry.ts';
import type { EndpointState, SandboxRequest, SandboxResult, SandboxState } from './types.ts';

export interface SandboxManagerOptions {
  /** <exec-root>/netns: the bind-mounted namespace files. */
  netnsDir: string;
  store: NetworkStore;
  sandboxes: SandboxRegistry;
  ports: PortPublisher;
  netlink: Netlink;
  /** Points 127.0.0.11 inside a namespace at an embedded resolver. */
  resolverRedirect: ResolverRedirect;
  /** Regenerates the firewall rules from networks and published ports. */
  reloadRules(): Promise<void>;
  log: Logger;
}

interface AttachOptions {
  ifname: string;
  defaultRoute: boolean;
  mac?: string | undefined;
  containerShortId: string;
  linkAliases?: Record<string, string[]> | undefined;
  newNamespace?: boolean;
  /** With newNamespace: the user namespace that is to own it. */
  owner?: NamespaceOwner | undefined;
}

export class SandboxManager {
  #o: SandboxManagerOptions;
  /** Per container, the redirect a set-up left running (see SandboxResult.ready). */
  #settling = new Map<string, Promise<void>>();

  constructor(options: SandboxManagerOptions) {
    this.#o = options;
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.#o.netnsDir, { recursive: true });
  }

  /** Builds the container's network namespace and interfaces, publishes its ports. */
  async setUp(req: SandboxRequest): Promise<SandboxResult> {
    const { store, sandboxes } = this.#o;
    const mode = req.mode === 'default' || !req.mode ? 'bridge' : req.mode;
    const sandboxId = randomBytes(32).toString('hex');
    const networks = structuredClone(req.networks);
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
      for (const [name, ep] of Object.entries(networks)) networks[name] = { ...ep, EndpointID: randomBytes(32).toString('hex') };
      const sb: SandboxState = { containerId: req.containerId, containerName: req.containerName, sandboxId, netns: '', endpoints: [], ports: [], upstreams: req.upstreams };
      sandboxes.set(sb, mode === 'host' || mode === 'none' ? store.get(mode).Id : undefined);
      await sandboxes.persist(sb);
      if (mode === 'host') return { namespace: { mode: 'host' }, sandboxId, sandboxKey: '/var/run/docker/netns/default', networks, ports: {} };
      if (mode === 'none') return { namespace: { mode: 'private' }, sandboxId, sandboxKey: '', networks, ports: {} };
      return { namespace: { mode: 'path', path: req.sharedNetns! }, sandboxId, sandboxKey: '', networks: {}, ports: {} };
    }
    const netns = join(this.#o.netnsDir, sandboxId.slice(0, 12));
    const owner = req.userNamespace ? { path: `${netns}-user`, ...req.userNamespace } : undefined;
    const sb: SandboxState = {
      containerId: req.containerId,
      containerName: req.containerName,
      sandboxId,
      netns,
      ...(owner ? { userns: owner.path } : {}),
      endpoints: [],
      ports: [],
      upstreams: req.upstreams,
    };
    sandboxes.set(sb);
    try {
      await sandboxes.persist(sb);
      const primary = store.networkForMode(mode)!;
      const names = Object.keys(networks).sort((a, b) => (a === primary.Name ? -1 : b === primary.Name ? 1 : 0));
      // The first interface is made together with the namespace.
      if (names.length === 0) await this.#o.netlink.createNamespace(netns, undefined, owner);
      for (const [i, name] of names.entries()) {
        const ep = await this.#attach(sb, name, networks[name], { ifname: `eth${i}`, defaultRoute: i === 0, mac: i === 0 ? req.macAddress : undefined, containerShortId: req.containerId.slice(0, 12), linkAliases: i === 0 ? req.linkAliases : undefined, newNamespace: i === 0, owner });
        networks[name] = ep;
      }
      const first = sb.endpoints[0];
      const requests = portRequests(req.portBindings, req.exposedPorts, req.publishAll);
      if (first && requests.length) {
        const bridge = store.byId(first.networkId)!.bridge!;
        const mappings = await this.#o.ports.publish(req.containerId, requests, first.ip);
        sb.ports = mappings.map((m) => ({ ...m, bridge, containerIp: first.ip }));
      }
      let ready: Promise<void> | undefined;
      if (sb.endpoints.some(onUserNetwork)) {
        sb.embeddedDns = true;
        // One process in the namespace that need not delay the start: the engine waits for it
        // just before the container's process runs, while the runtime has been creating it.
        ready = this.#pointResolver(sb, { first: true });
        const settled: Promise<void> = ready.catch(() => {}).finally(() => {
          if (this.#settling.get(req.containerId) === settled) this.#settling.delete(req.containerId);
        });
        this.#settling.set(req.containerId, settled);
      }
      await sandboxes.persist(sb);
      // The rules depend on networks and ports only: a container without ports changes none.
      if (sb.ports.length) await this.#o.reloadRules();
      return {
        namespace: { mode: 'path', path: netns },
        sandboxId,
        sandboxKey: netns,
        networks,
        ports: portsView(req.exposedPorts, sb.ports),
        ...(sb.embeddedDns ? { nameserver: embeddedResolverAddress } : {}),
        ...(ready ? { ready } : {}),
        ...(owner ? { userns: owner.path } : {}),
      };
    } catch (err) {
      await this.tearDown(req.containerId).catch((e: unknown) => this.#o.log.warn('cleaning up a failed network set-up failed', { error: e }));
      throw err;
    }
  }

  async #attach(sb: SandboxState, netName: string, planned: EndpointSettings, o: AttachOptions): Promise<EndpointSettings> {
    const n = this.#o.store.find(planned.NetworkID || netName);
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
        mtu: this.#o.store.mtuOf(n),
      };
      if (o.newNamespace) await this.#o.netlink.createNamespace(sb.netns, spec, o.owner);
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

  /** Releases everything the container's sandbox holds (after it exited or failed to start). */
  async tearDown(containerId: string): Promise<void> {
    // A redirect still loading goes first: its namespace is about to go.
    await this.#settling.get(containerId);
    const sb = this.#o.sandboxes.get(containerId);
    if (!sb) return;
    this.#o.sandboxes.delete(containerId);
    await this.#o.ports.release(containerId);
    await this.#destroy(sb);
    if (sb.ports.length) await this.#o.reloadRules();
  }

  async #destroy(sb: SandboxState): Promise<void> {
    for (const ep of sb.endpoints) this.#o.store.byId(ep.networkId)?.pool?.release(parseIp(ep.ip)!);
    if (sb.netns) {
      // Unmounting the namespace lets the kernel destroy it, and with it every veth pair that has
      // an end inside, in the background (~15 ms later). `ip link del` first would make stop and
      // rm wait ~45 ms for the same work (RCU grace periods). A veth still there a moment later
      // (the namespace held open elsewhere) is deleted then.
      await this.#o.netlink.removeNamespace(sb.netns).catch((err: unknown) => this.#o.log.warn('removing a network namespace failed', { path: sb.netns, error: err }));
      if (sb.userns) await this.#o.netlink.removeNamespace(sb.userns).catch((err: unknown) => this.#o.log.warn('removing a user namespace failed', { path: sb.userns, error: err }));
      const veths = sb.endpoints.map((ep) => ep.hostVeth);
      if (veths.length) setTimeout(() => void this.#reapVeths(veths), 2000).unref();
    } else {
      for (const ep of sb.endpoints) await this.#o.netlink.removeInterface(ep.hostVeth).catch(() => {});
    }
    await this.#o.sandboxes.unpersist(sb.containerId);
  }

  async #reapVeths(names: string[]): Promise<void> {
    for (const name of names) {
      if (await this.#o.netlink.linkExists(name).catch(() => false)) await this.#o.netlink.removeInterface(name).catch(() => {});
    }
  }

  /**
   * Points 127.0.0.11 at the resolver on the gateway of one of the container's networks: the one
   * it leads to now while the container stays on it, else a user-defined network's, else the
   * default bridge's. The resolvers all answer alike (by who asks, not where it arrives), so any
   * reachable one will do; user-defined networks come first as theirs ran before the default
   * bridge had one.
   */
  async #pointResolver(sb: SandboxState, options: { first: boolean }): Promise<void> {
    const now = sb.resolver;
    const kept = now && sb.endpoints.some((e) => e.gateway === now.gateway && e.ip === now.address) ? now : undefined;
    const ep = sb.endpoints.find(onUserNetwork) ?? sb.endpoints[0];
    const target: ResolverTarget | undefined = kept ?? (ep ? { gateway: ep.gateway, address: ep.ip } : undefined);
    if (!options.first && target?.gateway === now?.gateway && target?.address === now?.address) return;
    // Recorded before the rules load, so that the state persisted meanwhile says where it leads.
    const set = (t: ResolverTarget | undefined) => (t ? (sb.resolver = t) : delete sb.resolver);
    set(target);
    try {
      await this.#o.resolverRedirect.apply(sb.netns, target, options);
    } catch (err) {
      set(now);
      throw err;
    }
  }

  /** network connect on a running container: a new interface in its namespace; all or nothing. */
  async connect(containerId: string, ref: string, planned: EndpointSettings): Promise<EndpointSettings> {
    await this.#settling.get(containerId);
    const sb = this.#o.sandboxes.get(containerId);
    if (!sb || !sb.netns) throw new Forbidden('container sharing network namespace with another container or host cannot be connected to any other network');
    const n = this.#o.store.find(ref);
    const ifname = `eth${Math.max(-1, ...sb.endpoints.map((e) => Number(e.ifname.slice(3)))) + 1}`;
    const ep = await this.#attach(sb, n.record.Name, planned, { ifname, defaultRoute: sb.endpoints.length === 0, containerShortId: containerId.slice(0, 12) });
    const added = sb.endpoints[sb.endpoints.length - 1];
    // Joining a user-defined network brings the embedded resolver, as dockerd's connect does
    // (the engine then rewrites resolv.conf); a container already using it may have had none.
    const first = !sb.embeddedDns && onUserNetwork(added);
    try {
      if (first || sb.embeddedDns) await this.#pointResolver(sb, { first });
    } catch (err) {
      sb.endpoints = sb.endpoints.filter((e) => e !== added);
      n.pool?.release(parseIp(added.ip)!);
      await this.#o.netlink.removeInterface(added.hostVeth).catch(() => {});
      throw err;
    }
    if (first) sb.embeddedDns = true;
    await this.#o.sandboxes.persist(sb);
    return ep;
  }

  /** The resolver the container's resolv.conf names once it is on a user-defined network (127.0.0.11). */
  nameserver(containerId: string): string | undefined {
    return this.#o.sandboxes.get(containerId)?.embeddedDns ? embeddedResolverAddress : undefined;
  }

  /** network disconnect on a running container; nothing when it has no endpoint there. */
  async disconnect(containerId: string, ref: string): Promise<void> {
    await this.#settling.get(containerId);
    const sb = this.#o.sandboxes.get(containerId);
    const n = this.#o.store.find(ref);
    const ep = sb?.endpoints.find((e) => e.networkId === n.record.Id);
    if (!sb || !ep) return;
    sb.endpoints = sb.endpoints.filter((e) => e !== ep);
    if (sb.ports.some((p) => p.containerIp === ep.ip)) {
      sb.ports = sb.ports.filter((p) => p.containerIp !== ep.ip);
      await this.#o.ports.hold(containerId, sb.ports);
    }
    n.pool?.release(parseIp(ep.ip)!);
    await this.#o.netlink.removeInterface(ep.hostVeth);
    if (sb.embeddedDns) {
      // The interface is gone already: a failure here leaves the old target, and says so.
      await this.#pointResolver(sb, { first: false }).catch((err: unknown) => this.#o.log.warn('re-pointing 127.0.0.11 after a disconnect failed', { container: containerId, error: err }));
    }
    await this.#o.sandboxes.persist(sb);
    await this.#o.reloadRules();
  }

  /** The container's current published ports (NetworkSettings.Ports). */
  ports(containerId: string, exposed: Record<string, unknown> | undefined): PortMap {
    return portsView(exposed, this.#o.sandboxes.get(containerId)?.ports ?? []);
  }

  /** The running container's namespace file, for container:<id> mode. */
  sandboxPath(containerId: string): string | undefined {
    return this.#o.sandboxes.get(containerId)?.netns || undefined;
  }

  /** The user namespace file owning the running container's network namespace (userns-remap). */
  sandboxUserns(containerId: string): string | undefined {
    return this.#o.sandboxes.get(containerId)?.userns;
  }

  /**
   * Adopts the sandboxes of containers that still run (their addresses, ports and names) and
   * removes every other sandbox, namespace file and veth a crash left; then reloads the rules.
   */
  async restore(running: ReadonlySet<string>): Promise<void> {
    const { store, sandboxes, netlink } = this.#o;
    const keep = new Set<string>();
    for await (const sb of sandboxes.stored()) {
      if (running.has(sb.containerId)) {
        sandboxes.set(sb);
        for (const ep of sb.endpoints) {
          store.byId(ep.networkId)?.pool?.claim(parseIp(ep.ip)!);
          keep.add(ep.hostVeth);
        }
        if (sb.netns) keep.add(sb.netns);
        if (sb.userns) keep.add(sb.userns);
        try {
          await this.#o.ports.hold(sb.containerId, sb.ports);
        } catch (err) {
          this.#o.log.warn('a published port could not be bound again', { container: sb.containerId, error: err });
        }
      } else {
        this.#o.log.info('removing the network sandbox of a container that is gone', { container: sb.containerId });
        await this.#destroy(sb);
      }
    }
    for (const n of store.values()) {
      if (!n.bridge) continue;
      for (const port of await netlink.bridgePorts(n.bridge)) {
        if (!keep.has(port)) await netlink.deleteLink(port).catch(() => {});
      }
    }
    for (const f of await fsp.readdir(this.#o.netnsDir)) {
      const p = join(this.#o.netnsDir, f);
      if (!keep.has(p)) await netlink.removeNamespace(p).catch(() => {});
    }
    await this.#o.reloadRules();
  }
}

/** Whether the endpoint is on a user-defined network (where names resolve, as in dockerd). */
function onUserNetwork(ep: EndpointState): boolean {
  return !predefinedNetworks.has(ep.networkName);
}
