// What `network ls`, `network inspect` and `network prune` see: a record with the containers
// attached to it, and dockerd's filters (their accepted keys and error texts). Pure reads of the
// store and the sandbox table, kept apart so that the filter rules sit in one place.
import { InvalidArgument } from '../errors/index.ts';
import { predefinedNetworks, type LiveNetwork } from './network-store.ts';
import type { SandboxRegistry } from './sandbox-registry.ts';
import type { NetworkRecord, NetworkView } from './types.ts';

export function networkView(n: LiveNetwork, sandboxes: SandboxRegistry, withContainers: boolean): NetworkView {
  const containers: NetworkView['Containers'] = {};
  if (withContainers) {
    for (const sb of sandboxes.values()) {
      for (const ep of sb.endpoints) {
        if (ep.networkId !== n.record.Id) continue;
        containers[sb.containerId] = { Name: sb.containerName, EndpointID: ep.endpointId, MacAddress: ep.mac, IPv4Address: `${ep.ip}/${ep.prefix}`, IPv6Address: '' };
      }
      if (n.record.Driver === 'host' && sb.sandboxId && sandboxes.modeNetwork(sb.containerId) === n.record.Id) {
        containers[sb.containerId] = { Name: sb.containerName, EndpointID: sb.sandboxId, MacAddress: '', IPv4Address: '', IPv6Address: '' };
      }
    }
  }
  return { ...structuredClone(n.record), Containers: containers };
}

const listFilters = new Set(['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type']);

/** `network ls`: the networks that pass every filter, sorted by name. */
export function listNetworks(networks: Iterable<LiveNetwork>, sandboxes: SandboxRegistry, filters: Map<string, string[]>): NetworkView[] {
  for (const k of filters.keys()) if (!listFilters.has(k)) throw new InvalidArgument(`invalid filter '${k}'`);
  for (const t of filters.get('type') ?? []) if (t !== 'custom' && t !== 'builtin') throw new InvalidArgument(`invalid filter: 'type'='${t}'`);
  const dangling = filters.get('dangling');
  for (const v of dangling ?? []) if (!['true', 'false', '1', '0'].includes(v)) throw new InvalidArgument(`invalid filter 'dangling=${v}'`);
  return [...networks]
    .filter((n) => {
      const r = n.record;
      const f = (k: string) => filters.get(k);
      if (f('driver') && !f('driver')!.includes(r.Driver)) return false;
      if (f('id') && !f('id')!.some((p) => safeRegex(p).test(r.Id))) return false;
      if (f('name') && !f('name')!.some((p) => safeRegex(p).test(r.Name))) return false;
      if (f('scope') && !f('scope')!.includes(r.Scope)) return false;
      if (f('type') && !f('type')!.some((t) => (t === 'builtin') === predefinedNetworks.has(r.Name))) return false;
      if (f('label') && !f('label')!.every((l) => labelMatches(r.Labels, l))) return false;
      if (dangling && dangling.length) {
        const want = dangling[0] === 'true' || dangling[0] === '1';
        const isDangling = !predefinedNetworks.has(r.Name) && !sandboxes.inUse(r.Id);
        if (want !== isDangling) return false;
      }
      return true;
    })
    .map((n) => networkView(n, sandboxes, false))
    .sort((a, b) => a.Name.localeCompare(b.Name));
}

/** `network prune`'s filters: checks them and returns the test a record must pass. */
export function pruneFilter(filters: Map<string, string[]>): (r: NetworkRecord) => boolean {
  for (const k of filters.keys()) if (k !== 'until' && k !== 'label' && k !== 'label!') throw new InvalidArgument(`invalid filter '${k}'`);
  const until = filters.get('until')?.[0];
  const untilMs = until ? (/^\d+(\.\d+)?$/.test(until) ? Number(until) * 1000 : Date.parse(until)) : undefined;
  return (r) => {
    if (untilMs !== undefined && !(Date.parse(r.Created) < untilMs)) return false;
    if (!(filters.get('label') ?? []).every((l) => labelMatches(r.Labels, l))) return false;
    if ((filters.get('label!') ?? []).some((l) => labelMatches(r.Labels, l))) return false;
    return true;
  };
}

function labelMatches(labels: Record<string, string>, expr: string): boolean {
  const eq = expr.indexOf('=');
  if (eq < 0) return expr in labels;
  return labels[expr.slice(0, eq)] === expr.slice(eq + 1);
}

/** dockerd matches id and name filters as regular expressions; an invalid one is taken literally. */
function safeRegex(s: string): RegExp {
  try {
    return new RegExp(s);
  } catch {
    return new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
}
