// Published ports while containers run: turning port requests into host ports (ephemeral ones
// from dockerd's range, never one another container holds), the sockets that hold them (and, with
// the userland proxy, carry the traffic iptables cannot), and the ports' share of the firewall
// state (DNAT, the filter ACCEPT and the hairpin MASQUERADE per mapping). The mappings themselves
// live on the sandboxes (they survive a berthd restart); the sockets live here.
import { Conflict, InvalidArgument } from '../errors/index.ts';
import type { FirewallPort } from './firewall.ts';
import { ephemeralRange, type PortMapping, type PortRequest } from './ports.ts';
import type { PortBinder, PortHolder } from './proxy.ts';
import type { SandboxRegistry } from './sandbox-registry.ts';
import type { SandboxState } from './types.ts';

export interface PortPublisherOptions {
  binder: PortBinder;
  /** With the proxy, each holder forwards to the container; without, it only reserves the port. */
  userlandProxy: boolean;
  sandboxes: SandboxRegistry;
}

export class PortPublisher {
  #o: PortPublisherOptions;
  #holders = new Map<string, PortHolder[]>();

  constructor(options: PortPublisherOptions) {
    this.#o = options;
  }

  /** Binds a host port for every request; all or nothing. The holders are kept for the container. */
  async publish(containerId: string, requests: PortRequest[], containerIp: string): Promise<PortMapping[]> {
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
            bound = { holder: await this.#o.binder.bind(r.proto, { ip: r.hostIp, port }, target), port };
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
    this.#holders.set(containerId, holders);
    return mappings;
  }

  /** Binds the container's known mappings again (berthd restarted, or a network left); all or nothing. */
  async hold(containerId: string, ports: SandboxState['ports']): Promise<void> {
    await this.release(containerId);
    const holders: PortHolder[] = [];
    try {
      for (const p of ports) {
        if (p.proto === 'sctp') continue;
        holders.push(await this.#o.binder.bind(p.proto, { ip: p.hostIp, port: p.hostPort }, this.#o.userlandProxy ? { ip: p.containerIp, port: p.containerPort } : undefined));
      }
    } catch (err) {
      await Promise.all(holders.map((h) => h.close()));
      throw err;
    }
    this.#holders.set(containerId, holders);
  }

  /** Closes the container's sockets. */
  async release(containerId: string): Promise<void> {
    const holders = this.#holders.get(containerId) ?? [];
    this.#holders.delete(containerId);
    await Promise.all(holders.map((h) => h.close()));
  }

  *#allMappings(): Generator<PortMapping> {
    for (const sb of this.#o.sandboxes.values()) yield* sb.ports;
  }

  /** Every published port, as the firewall renders it. */
  firewallPorts(): FirewallPort[] {
    return [...this.#o.sandboxes.values()].flatMap((sb) =>
      sb.ports.map((p) => ({ bridge: p.bridge, proto: p.proto, hostIp: p.hostIp, hostPort: p.hostPort, containerIp: p.containerIp, containerPort: p.containerPort })),
    );
  }

  /** Closes every socket (berthd is shutting down; the DNAT rules stay for running containers). */
  async close(): Promise<void> {
    for (const hs of this.#holders.values()) await Promise.all(hs.map((h) => h.close()));
    this.#holders.clear();
  }
}
