// The per-container files dockerd writes and bind-mounts: hostname, hosts and resolv.conf.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

const hostsHeader = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

export interface HostsEntry {
  ip: string;
  names: string[];
}

export function renderHosts(entries: readonly HostsEntry[]): string {
  return [...hostsHeader, ...entries.map((e) => `${e.ip}\t${e.names.join(' ')}`)].join('\n') + '\n';
}

export interface ResolvOptions {
  dns: readonly string[];
  search: readonly string[];
  options: readonly string[];
}

const isLoopback = (ip: string) => /^127\./.test(ip) || ip === '::1';

/** The name servers, search domains and options of a resolv.conf text. */
function parseResolvConf(text: string): { nameservers: string[]; search: string[]; options: string[] } {
  const lines = text.split('\n');
  return {
    nameservers: lines.map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1]).filter((x): x is string => !!x),
    search: lines.flatMap((l) => /^\s*(?:search|domain)\s+(.+)$/.exec(l)?.[1].trim().split(/\s+/) ?? []),
    options: lines.flatMap((l) => /^\s*options\s+(.+)$/.exec(l)?.[1].trim().split(/\s+/) ?? []),
  };
}

/** In dockerd's order: search, name servers, options. */
function formatResolvConf(c: { nameservers: readonly string[]; search: readonly string[]; options: readonly string[] }): string {
  const out: string[] = [];
  if (c.search.length) out.push(`search ${c.search.join(' ')}`);
  for (const n of c.nameservers) out.push(`nameserver ${n}`);
  if (c.options.length) out.push(`options ${c.options.join(' ')}`);
  return out.join('\n') + '\n';
}

/**
 * The container's resolv.conf: the host's, minus loopback name servers (unreachable from a
 * container's own network namespace), with --dns/--dns-search/--dns-option replacing their parts.
 */
export function renderResolvConf(hostText: string, override: ResolvOptions): string {
  const host = parseResolvConf(hostText);
  let nameservers = host.nameservers.filter((n) => !isLoopback(n));
  if (override.dns.length) nameservers = [...override.dns];
  if (nameservers.length === 0) nameservers = ['8.8.8.8', '8.8.4.4'];
  const search = override.search.length ? override.search.filter((s) => s !== '.') : host.search;
  const options = override.options.length ? [...override.options] : host.options;
  return formatResolvConf({ nameservers, search, options });
}

/**
 * A resolv.conf that names the embedded resolver instead, as dockerd rewrites it for a container
 * on a user-defined network: search domains and options kept, ndots:0 added unless an ndots is
 * there (the resolver answers bare container names; the other servers become its upstreams).
 */
export function embeddedResolvConf(text: string, nameserver: string): string {
  const c = parseResolvConf(text);
  const options = c.options.some((o) => o.startsWith('ndots:')) ? c.options : [...c.options, 'ndots:0'];
  return formatResolvConf({ nameservers: [nameserver], search: c.search, options });
}

export async function writeContainerFiles(
  dir: string,
  files: { hostname: string; hosts: string; resolvConf: string },
): Promise<void> {
  await Promise.all([
    fsp.writeFile(join(dir, 'hostname'), files.hostname + '\n', { mode: 0o644 }),
    fsp.writeFile(join(dir, 'hosts'), files.hosts, { mode: 0o644 }),
    fsp.writeFile(join(dir, 'resolv.conf'), files.resolvConf, { mode: 0o644 }),
  ]);
}
