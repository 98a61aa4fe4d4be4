// The plain data of the network subsystem: networks as the API shows them (and as they are
// persisted), the runtime state of a container's sandbox, and the narrow sink network events go to.
import type { EndpointSettings, PortMap } from '../types/index.ts';
import type { IdRange } from './netlink.ts';
import type { PortMapping } from './ports.ts';
import type { ResolverTarget } from './resolver-redirect.ts';

export interface IpamConfigEntry {
  Subnet: string;
  Gateway?: string;
  IPRange?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/** docker's types.NetworkResource, without Containers (computed) — also the persisted record. */
export interface NetworkRecord {
  Name: string;
  Id: string;
  Created: string;
  Scope: 'local';
  Driver: string;
  EnableIPv6: boolean;
  IPAM: { Driver: string; Options: Record<string, string> | null; Config: IpamConfigEntry[] };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

export interface NetworkView extends NetworkRecord {
  Containers: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }>;
}

/** One interface of a running container, as berthd remembers it across its own restarts. */
export interface EndpointState {
  networkId: string;
  networkName: string;
  endpointId: string;
  ip: string;
  prefix: number;
  gateway: string;
  mac: string;
  hostVeth: string;
  ifname: string;
  aliases: string[];
}

export interface SandboxState {
  containerId: string;
  containerName: string;
  sandboxId: string;
  /** The namespace file; '' for host mode and for namespaces owned by another container. */
  netns: string;
  /** userns-remap: the file of the user namespace that owns `netns` (and the container's root runs in). */
  userns?: string;
  endpoints: EndpointState[];
  ports: Array<PortMapping & { bridge: string; containerIp: string }>;
  /** Where the embedded DNS forwards this container's other names. */
  upstreams: string[];
  /**
   * Whether the container's resolv.conf names 127.0.0.11: set once it is on a user-defined
   * network, and kept when it leaves them (dockerd keeps its resolver too). Absent in the state
   * of sandboxes made before the resolver moved to 127.0.0.11: theirs name their gateway.
   */
  embeddedDns?: boolean;
  /** Where 127.0.0.11:53 inside the namespace leads now (the rules say the same). */
  resolver?: ResolverTarget;
}

/** What the engine asks for when a container starts. */
export interface SandboxRequest {
  containerId: string;
  containerName: string;
  /** HostConfig.NetworkMode after create's normalisation: bridge, host, none, container:<id>, or a network name/id. */
  mode: string;
  /** NetworkSettings.Networks as create planned them (keys are network names). */
  networks: Record<string, EndpointSettings>;
  macAddress?: string;
  portBindings?: PortMap;
  exposedPorts?: Record<string, unknown>;
  publishAll: boolean;
  /** The namespace of the container this one shares (container:<id> mode). */
  sharedNetns?: string;
  /** The resolvers configured for the container (--dns, daemon.json dns, or the host's). */
  upstreams: string[];
  /** Legacy links of this container, resolved to names the embedded DNS also answers. */
  linkAliases?: Record<string, string[]>;
  /** userns-remap: the namespace is made owned by a user namespace with these maps, for the container to run in. */
  userNamespace?: { uidMappings: IdRange[]; gidMappings: IdRange[] };
}

export interface SandboxResult {
  namespace: { mode: 'host' } | { mode: 'private' } | { mode: 'path'; path: string };
  sandboxId: string;
  sandboxKey: string;
  networks: Record<string, EndpointSettings>;
  ports: PortMap;
  /** Set once the container is on a user-defined network: the embedded resolver (127.0.0.11) its resolv.conf names. */
  nameserver?: string;
  /** With `userNamespace` asked: the user namespace owning the network namespace, for runc to join. */
  userns?: string;
  /**
   * Settles when the namespace is complete (127.0.0.11 leads to the resolver). That work goes on
   * while the runtime creates the container; its process must not start before, and a rejection
   * fails the start.
   */
  ready?: Promise<void>;
}

/**
 * Where the network service publishes what it did (create, destroy, connect, disconnect, prune),
 * with dockerd's Actor: the network's id and attributes name and type (and container for
 * connect/disconnect). Declared here, by its publisher, so that any bus with this method fits.
 */
export interface NetworkEvents {
  publish(type: 'network', action: string, id: string, attributes: Record<string, string>): void;
}
