// Container create's side of networking, before anything exists: the checks dockerd makes on a
// network mode and per-network endpoint settings (static addresses and aliases only on
// user-defined networks, container: mode alone), and the NetworkSettings.Networks a new
// container records. Pure: it reads network records and allocates nothing.
import { InvalidArgument } from '../errors/index.ts';
import type { EndpointSettings } from '../types/index.ts';
import { contains, parseCidr, parseIp } from './ipam.ts';
import { predefinedNetworks } from './network-store.ts';
import type { NetworkRecord } from './types.ts';

export interface EndpointPlanInput {
  mode: string;
  endpoints: Record<string, Partial<EndpointSettings>>;
  links: readonly string[];
  macAddress?: string;
}

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

/** `networks.get` finds a record by name, id or id prefix and throws dockerd's NotFound. */
export function planEndpoints(networks: { get(ref: string): NetworkRecord }, input: EndpointPlanInput): Record<string, EndpointSettings> {
  const mode = input.mode === 'default' || !input.mode ? 'bridge' : input.mode;
  if (mode.startsWith('container:')) {
    if (Object.keys(input.endpoints).length) throw new InvalidArgument('conflicting options: container type network can\'t be used with other networks');
    return {};
  }
  if (mode === 'none' || mode === 'host') {
    const n = networks.get(mode);
    return { [mode]: { ...emptyEndpoint(), NetworkID: n.Id } };
  }
  const primary = networks.get(mode);
  const out: Record<string, EndpointSettings> = {};
  const entries = Object.entries(input.endpoints).map(([k, v]): [string, Partial<EndpointSettings>] => [k === 'default' ? 'bridge' : k, v]);
  const namesPrimary = ([k]: [string, unknown]) => {
    try {
      return networks.get(k).Id === primary.Id;
    } catch {
      return false;
    }
  };
  if (!entries.some(namesPrimary)) entries.unshift([primary.Name, {}]);
  for (const [ref, cfg] of entries) {
    const n = networks.get(ref);
    const userDefined = !predefinedNetworks.has(n.Name);
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
