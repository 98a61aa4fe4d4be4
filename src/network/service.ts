// The network service, as wiring and the engine see it: one object with the verbs of `network`
// and of a container's networking, composed of parts that each own one concern — the network
// store (records, pools, bridges), the sandbox table and its manager (namespaces, endpoints,
// 127.0.0.11 inside them, restore), the port publisher (host ports, their sockets) and the name
// resolver the embedded DNS asks. The service serialises every change, keeps the firewall rules in step with networks and
// ports, and publishes the network events, since it is the one that acts.
import { join } from 'node:path';
import { Forbidden } from '../errors/index.ts';
import type { Logger, SkippedRecords } from '../lib/index.ts';
import type { EndpointSettings, NetworkCreateBody, PortMap } from '../types/index.ts';
import { planEndpoints, type EndpointPlanInput } from './endpoint-plan.ts';
import type { Firewall } from './firewall.ts';
import { NameResolver } from './name-resolver.ts';
import type { Netlink } from './netlink.ts';
import { NetworkStore, predefinedNetworks } from './network-store.ts';
import { listNetworks, networkView, pruneFilter } from './network-views.ts';
import { PortPublisher } from './port-publisher.ts';
import type { PortBinder } from './proxy.ts';
import type { ResolverRedirect } from './resolver-redirect.ts';
import { SandboxManager } from './sandbox-manager.ts';
import { SandboxRegistry } from './sandbox-registry.ts';
import type { NetworkEvents, NetworkRecord, NetworkView, SandboxRequest, SandboxResult } from './types.ts';

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
  /** Points 127.0.0.11 inside containers' namespaces at the embedded DNS. */
  resolverRedirect: ResolverRedirect;
  events: NetworkEvents;
  log: Logger;
  /** Where a network record that cannot be loaded is reported. */
  skipped?: SkippedRecords;
  /** Whether the embedded DNS servers run (off in unit tests). */
  dns?: boolean;
}

export class NetworkService {
  #o: NetworkServiceOptions;
  #store: NetworkStore;
  #sandboxes: SandboxRegistry;
  #ports: PortPublisher;
  #manager: SandboxManager;
  #lock: Promise<unknown> = Promise.resolve();

  constructor(options: NetworkServiceOptions) {
    this.#o = options;
    this.#sandboxes = new SandboxRegistry(join(options.execRoot, 'network', 'sandboxes'));
    this.#store = new NetworkStore({
      dir: join(options.dataRoot, 'network'),
      bridge: options.bridge,
      bip: options.bip,
      mtu: options.mtu,
      userlandProxy: options.userlandProxy,
      netlink: options.netlink,
      names: new NameResolver(this.#sandboxes),
      log: options.log,
      ...(options.skipped ? { skipped: options.skipped } : {}),
      ...(options.dns === undefined ? {} : { dns: options.dns }),
    });
    this.#ports = new PortPublisher({ binder: options.ports, userlandProxy: options.userlandProxy, sandboxes: this.#sandboxes });
    this.#manager = new SandboxManager({
      netnsDir: join(options.execRoot, 'netns'),
      store: this.#store,
      sandboxes: this.#sandboxes,
      ports: this.#ports,
      netlink: options.netlink,
      resolverRedirect: options.resolverRedirect,
      reloadRules: () => this.#reloadRules(),
      log: options.log,
    });
  }

  /** Serialises changes to networks and sandboxes (allocation, files, rules). */
  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  /** The firewall's whole state is a function of the bridges that are up and the published ports. */
  async #reloadRules(): Promise<void> {
    if (!this.#o.iptables) return;
    await this.#o.firewall.apply({ networks: this.#store.firewallNetworks(), ports: this.#ports.firewallPorts() });
  }

  #publish(action: string, n: NetworkRecord, extra: Record<string, string> = {}): void {
    this.#o.events.publish('network', action, n.Id, { ...extra, name: n.Name, type: n.Driver });
  }

  // ---- start-up and shutdown -------------------------------------------------------------------

  /** Loads networks, creates the predefined ones and the default bridge. */
  async init(): Promise<void> {
    await this.#sandboxes.init();
    await this.#manager.init();
    if (this.#o.ipForward) await this.#o.netlink.setSysctl('net.ipv4.ip_forward', '1').catch((err: unknown) => this.#o.log.warn('enabling ip_forward failed', { error: err }));
    await this.#store.init();
  }

  /** Adopts running containers' sandboxes, removes the rest, reloads the rules. */
  restore(running: ReadonlySet<string>): Promise<void> {
    return this.#locked(() => this.#manager.restore(running));
  }

  /** Stops the DNS servers and port holders (berthd is shutting down; containers keep running). */
  async close(): Promise<void> {
    await this.#store.close();
    await this.#ports.close();
  }

  // ---- networks --------------------------------------------------------------------------------

  get(ref: string): NetworkRecord {
    return this.#store.get(ref);
  }

  /** The network a container's NetworkMode names, or undefined for host, none and container:. */
  networkForMode(mode: string): NetworkRecord | undefined {
    return this.#store.networkForMode(mode);
  }

  inspect(ref: string): NetworkView {
    return networkView(this.#store.find(ref), this.#sandboxes, true);
  }

  list(filters: Map<string, string[]> = new Map()): NetworkView[] {
    return listNetworks(this.#store.values(), this.#sandboxes, filters);
  }

  create(req: NetworkCreateBody): Promise<{ Id: string; Warning: string }> {
    return this.#locked(async () => {
      const live = await this.#store.create(req);
      try {
        await this.#reloadRules();
      } catch (err) {
        await this.#store.drop(live).catch(() => {});
        throw err;
      }
      this.#publish('create', live.record);
      return { Id: live.record.Id, Warning: '' };
    });
  }

  remove(ref: string): Promise<void> {
    return this.#locked(async () => {
      const n = this.#store.find(ref);
      if (predefinedNetworks.has(n.record.Name)) throw new Forbidden(`${n.record.Name} is a pre-defined network and cannot be removed`);
      if (this.#sandboxes.inUse(n.record.Id)) throw new Forbidden(`error while removing network: network ${n.record.Name} id ${n.record.Id} has active endpoints`);
      await this.#store.drop(n);
      await this.#reloadRules();
      this.#publish('destroy', n.record);
    });
  }

  async prune(filters: Map<string, string[]> = new Map()): Promise<{ NetworksDeleted: string[] }> {
    const matches = pruneFilter(filters);
    const deleted: string[] = [];
    for (const n of [...this.#store.values()]) {
      const r = n.record;
      if (predefinedNetworks.has(r.Name) || this.#sandboxes.inUse(r.Id) || !matches(r)) continue;
      try {
        await this.remove(r.Id);
        deleted.push(r.Name);
      } catch (err) {
        this.#o.log.warn('pruning a network failed', { network: r.Name, error: err });
      }
    }
    // dockerd's prune event names no network: each removal had its own destroy event.
    this.#o.events.publish('network', 'prune', '', { reclaimed: '0' });
    return { NetworksDeleted: deleted };
  }

  // ---- containers ------------------------------------------------------------------------------

  /**
   * Create's checks on a container's network mode and endpoint configuration; returns
   * NetworkSettings.Networks for the new container.
   */
  plan(input: EndpointPlanInput): Record<string, EndpointSettings> {
    return planEndpoints(this.#store, input);
  }

  /** Builds the container's network namespace and interfaces, publishes its ports. */
  setUp(req: SandboxRequest): Promise<SandboxResult> {
    return this.#locked(async () => {
      const result = await this.#manager.setUp(req);
      for (const ep of Object.values(result.networks)) {
        const n = ep.NetworkID ? this.#store.byId(ep.NetworkID) : undefined;
        if (n) this.#publish('connect', n.record, { container: req.containerId });
      }
      return result;
    });
  }

  /** Releases everything the container's sandbox holds (after it exited or failed to start). */
  tearDown(containerId: string): Promise<void> {
    return this.#locked(async () => {
      const left = this.#sandboxes.networksOf(containerId);
      await this.#manager.tearDown(containerId);
      for (const id of left) {
        const n = this.#store.byId(id);
        if (n) this.#publish('disconnect', n.record, { container: containerId });
      }
    });
  }

  /** network connect on a running container: a new interface in its namespace. */
  connect(containerId: string, ref: string, planned: EndpointSettings): Promise<EndpointSettings> {
    return this.#locked(async () => {
      const ep = await this.#manager.connect(containerId, ref, planned);
      this.#publish('connect', this.#store.get(ep.NetworkID), { container: containerId });
      return ep;
    });
  }

  /** network disconnect on a running container. */
  disconnect(containerId: string, ref: string): Promise<void> {
    return this.#locked(async () => {
      const n = this.#store.get(ref);
      await this.#manager.disconnect(containerId, ref);
      this.#publish('disconnect', n, { container: containerId });
    });
  }

  /**
   * The resolver the running container's resolv.conf names (127.0.0.11) once it is on a
   * user-defined network; undefined while it keeps the configured servers.
   */
  nameserver(containerId: string): string | undefined {
    return this.#manager.nameserver(containerId);
  }

  /** The container's current published ports (NetworkSettings.Ports). */
  ports(containerId: string, exposed: Record<string, unknown> | undefined): PortMap {
    return this.#manager.ports(containerId, exposed);
  }

  /** The default bridge's address (--add-host name:host-gateway). */
  defaultGateway(): string {
    return this.#store.defaultGateway();
  }

  /** The running container's namespace file, for container:<id> mode. */
  sandboxPath(containerId: string): string | undefined {
    return this.#manager.sandboxPath(containerId);
  }

  /** The user namespace owning the container's network namespace (userns-remap), if any. */
  sandboxUserns(containerId: string): string | undefined {
    return this.#manager.sandboxUserns(containerId);
  }
}
