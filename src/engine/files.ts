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

/**
 * The container's resolv.conf: the host's, minus loopback name servers (unreachable from a
 * container's own network namespace), with --dns/--dns-search/--dns-option replacing their parts.
 */
export function renderResolvConf(hostText: string, override: ResolvOptions): string {
  const lines = hostText.split('\n');
  let nameservers = lines.map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1]).filter((x): x is string => !!x);
  let search = lines.flatMap((l) => /^\s*(?:search|domain)\s+(.+)$/.exec(l)?.[1].trim().split(/\s+/) ?? []);
  let options = lines.flatMap((l) => /^\s*options\s+(.+)$/.exec(l)?.[1].trim().split(/\s+/) ?? []);
  nameservers = nameservers.filter((n) => !isLoopback(n));
  if (override.dns.length) nameservers = [...override.dns];
  if (nameservers.length === 0) nameservers = ['8.8.8.8', '8.8.4.4'];
  if (override.search.length) search = override.search.filter((s) => s !== '.');
  if (override.options.length) options = [...override.options];
  const out: string[] = [];
  for (const n of nameservers) out.push(`nameserver ${n}`);
  if (search.length) out.push(`search ${search.join(' ')}`);
  if (options.length) out.push(`options ${options.join(' ')}`);
  return out.join('\n') + '\n';
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
