// Networking. Owns network records, IPAM, container sandboxes (veths in network namespaces),
// published ports, isolation rules in Berth-owned iptables chains, and the embedded DNS of
// user-defined networks. Containers come to it as endpoint plans; it never reads container
// records, and touches the kernel only through its Netlink and Firewall ports and the helper
// programs of command.ts (ip, iptables-restore, nsenter).
export { NetworkService, type NetworkServiceOptions } from './service.ts';
export { emptyEndpoint } from './endpoint-plan.ts';
export type { NetworkEvents, NetworkRecord, NetworkView, SandboxRequest, SandboxResult, SandboxState, EndpointState } from './types.ts';
export { IprouteNetlink, FakeNetlink, type Netlink, type InterfaceSpec, type NamespaceOwner, type IdRange } from './netlink.ts';
export { IptablesFirewall, FakeFirewall, chainNames, renderRules, type Firewall, type FirewallState } from './firewall.ts';
export { SocketPortBinder, FakePortBinder, type PortBinder, type PortHolder } from './proxy.ts';
export { IptablesResolverRedirect, FakeResolverRedirect, embeddedResolverAddress, renderResolverRules, type ResolverRedirect, type ResolverTarget } from './resolver-redirect.ts';
export { portsSummary, portsView, portRequests, type PortMapping } from './ports.ts';
export { parseCidr, parseIp, formatIp, macForIp, AddressPool, poolConfig, pickFreePool } from './ipam.ts';
