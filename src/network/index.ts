// Networking: IPAM, bridge networks and container sandboxes, published ports, isolation rules in
// Berth-owned iptables chains, and the embedded DNS of user-defined networks.
export { NetworkService, type NetworkServiceOptions } from './service.ts';
export { emptyEndpoint } from './endpoint-plan.ts';
export type { NetworkEvents, NetworkRecord, NetworkView, NetworkCreateRequest, SandboxRequest, SandboxResult, SandboxState, EndpointState } from './types.ts';
export { IprouteNetlink, FakeNetlink, type Netlink, type InterfaceSpec } from './netlink.ts';
export { IptablesFirewall, FakeFirewall, chainNames, renderRules, type Firewall, type FirewallState } from './firewall.ts';
export { SocketPortBinder, FakePortBinder, type PortBinder, type PortHolder } from './proxy.ts';
export { IptablesResolverRedirect, FakeResolverRedirect, embeddedResolverAddress, renderResolverRules, type ResolverRedirect, type ResolverTarget } from './resolver-redirect.ts';
export { portsSummary, portsView, portRequests, type PortMapping } from './ports.ts';
export { parseCidr, parseIp, formatIp, macForIp, AddressPool, poolConfig, pickFreePool } from './ipam.ts';
