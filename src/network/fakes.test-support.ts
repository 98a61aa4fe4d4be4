// A NetworkService on the fakes of its ports, for unit tests: the kernel is a FakeNetlink, the
// iptables rules a FakeFirewall, host ports a FakePortBinder, the rules inside namespaces a
// FakeResolverRedirect, and events a list. Data and exec
// roots are real directories (records and sandboxes are files), so no root is needed.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../lib/index.ts';
import { FakeFirewall } from './firewall.ts';
import { FakeNetlink } from './netlink.ts';
import { FakePortBinder } from './proxy.ts';
import { FakeResolverRedirect } from './resolver-redirect.ts';
import { NetworkService, type NetworkServiceOptions } from './service.ts';
import type { SandboxRequest } from './types.ts';

export interface PublishedEvent {
  action: string;
  id: string;
  attributes: Record<string, string>;
}

export interface FakeNetworking {
  service: NetworkService;
  netlink: FakeNetlink;
  firewall: FakeFirewall;
  binder: FakePortBinder;
  redirect: FakeResolverRedirect;
  events: PublishedEvent[];
  dataRoot: string;
  execRoot: string;
  /** Another service over the same roots and "kernel", as after a berthd restart. */
  restart(): FakeNetworking;
}

/** The default bridge of these services: berth-u0 on 10.213.5.0/24. */
export const fakeBip = '10.213.5.1/24';

export function fakeNetworking(dir: string, options: Partial<NetworkServiceOptions> & { netlink?: FakeNetlink; resolverRedirect?: FakeResolverRedirect } = {}): FakeNetworking {
  const dataRoot = join(dir, 'data');
  const execRoot = join(dir, 'exec');
  mkdirSync(dataRoot, { recursive: true });
  mkdirSync(execRoot, { recursive: true });
  const netlink = options.netlink ?? new FakeNetlink();
  const firewall = new FakeFirewall();
  const binder = new FakePortBinder();
  const redirect = options.resolverRedirect ?? new FakeResolverRedirect();
  const events: PublishedEvent[] = [];
  const service = new NetworkService({
    dataRoot,
    execRoot,
    bridge: 'berth-u0',
    bip: fakeBip,
    mtu: 1500,
    iptables: true,
    ipForward: true,
    userlandProxy: true,
    netlink,
    firewall,
    ports: binder,
    events: { publish: (_type, action, id, attributes) => events.push({ action, id, attributes }) },
    log: silentLogger,
    dns: false,
    ...options,
    resolverRedirect: redirect,
  });
  return { service, netlink, firewall, binder, redirect, events, dataRoot, execRoot, restart: () => fakeNetworking(dir, { ...options, netlink, resolverRedirect: redirect }) };
}

/** What the engine asks at start for a container on `mode`, planned as create would. */
export function sandboxRequest(service: NetworkService, o: { id: string; name: string; mode?: string } & Partial<SandboxRequest>): SandboxRequest {
  const mode = o.mode ?? 'bridge';
  return {
    containerId: o.id,
    containerName: o.name,
    mode,
    networks: o.networks ?? (mode.startsWith('container:') ? {} : service.plan({ mode, endpoints: {}, links: [] })),
    publishAll: o.publishAll ?? false,
    upstreams: o.upstreams ?? ['192.0.2.53'],
    ...(o.portBindings ? { portBindings: o.portBindings } : {}),
    ...(o.exposedPorts ? { exposedPorts: o.exposedPorts } : {}),
    ...(o.sharedNetns ? { sharedNetns: o.sharedNetns } : {}),
    ...(o.macAddress ? { macAddress: o.macAddress } : {}),
    ...(o.linkAliases ? { linkAliases: o.linkAliases } : {}),
  };
}

/** A container id: 64 hex characters starting with `prefix`. */
export function containerId(prefix: string): string {
  return prefix.padEnd(64, '0');
}
