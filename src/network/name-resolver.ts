// What the embedded DNS answers, kept apart from the UDP server (dns-server.ts) and from the code
// that builds sandboxes: the names a container can see are those of the containers sharing a
// user-defined network with it — container names, --network-alias aliases, --link aliases and
// ids of 12 characters or more — and the upstream servers are the asker's own. It reads the
// sandbox table and nothing else, so it can be tested without sockets.
import type { NameLookup } from './dns-server.ts';
import type { SandboxRegistry } from './sandbox-registry.ts';

export class NameResolver implements NameLookup {
  #sandboxes: SandboxRegistry;

  constructor(sandboxes: SandboxRegistry) {
    this.#sandboxes = sandboxes;
  }

  resolve(askerIp: string, name: string): string[] | undefined {
    const lname = name.toLowerCase();
    const asker = this.#sandboxes.byAddress(askerIp);
    if (!asker) return undefined;
    // The default bridge has no embedded DNS: names there come from /etc/hosts (--link).
    const nets = new Set(asker.endpoints.filter((e) => e.networkName !== 'bridge').map((e) => e.networkId));
    const out: string[] = [];
    for (const sb of this.#sandboxes.values()) {
      for (const ep of sb.endpoints) {
        if (!nets.has(ep.networkId)) continue;
        const names = [sb.containerName, ...ep.aliases].map((x) => x.toLowerCase());
        if (names.includes(lname) || (lname.length >= 12 && sb.containerId.startsWith(lname))) out.push(ep.ip);
      }
    }
    return out.length ? [...new Set(out)] : undefined;
  }

  upstreams(askerIp: string): string[] {
    return this.#sandboxes.byAddress(askerIp)?.upstreams ?? [];
  }
}
