// Where a registry host is reached, with dockerd's rules: https unless the registry is insecure
// (daemon.json insecure-registries, by host:port or CIDR; 127.0.0.0/8 and localhost always), in
// which case https without verification is tried and then plain http; docker.io goes to its
// mirrors first (registry-mirrors) and then to registry-1.docker.io.
import { isIP } from 'node:net';
import { InvalidArgument } from '../errors/index.ts';

export const dockerHubHost = 'docker.io';
const dockerHubEndpoint = 'https://registry-1.docker.io';
export const dockerHubAuthKey = 'https://index.docker.io/v1/';

export interface Endpoint {
  /** "https://127.0.0.1:5000" — scheme, host and port, no path. */
  base: URL;
  insecureTls: boolean;
  /** A mirror: any failure moves on to the next endpoint. */
  mirror: boolean;
}

export interface RegistryConfig {
  insecureRegistries: string[];
  registryMirrors: string[];
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  if (isIP(ip) !== 4 || isIP(net) !== 4) return false;
  const b = Number(bits);
  if (!(b >= 0 && b <= 32)) return false;
  const mask = b === 0 ? 0 : (~0 << (32 - b)) >>> 0;
  return ((ipv4ToInt(ip) & mask) >>> 0) === ((ipv4ToInt(net) & mask) >>> 0);
}

/** "host:port" without brackets or scheme → hostname. */
function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon > 0 && !host.slice(0, colon).includes(':') ? host.slice(0, colon) : host;
}

export class Registries {
  #insecureHosts = new Set<string>();
  #insecureCidrs: string[] = ['127.0.0.0/8'];
  #mirrors: URL[] = [];
  /** host → the endpoint index that answered last time, so insecure hosts skip a failing https try. */
  #preferred = new Map<string, string>();

  constructor(config: RegistryConfig) {
    for (const r of config.insecureRegistries) {
      const v = r.replace(/^https?:\/\//, '').replace(/\/+$/, '');
      if (/\/\d+$/.test(v)) this.#insecureCidrs.push(v);
      else this.#insecureHosts.add(v);
    }
    for (const m of config.registryMirrors) {
      let u: URL;
      try {
        u = new URL(m);
      } catch {
        throw new InvalidArgument(`invalid mirror: "${m}" is not a valid URI`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidArgument(`invalid mirror: unsupported scheme "${u.protocol.replace(':', '')}" in "${m}"`);
      this.#mirrors.push(u);
    }
  }

  get mirrors(): readonly URL[] {
    return this.#mirrors;
  }

  isInsecure(host: string): boolean {
    if (this.#insecureHosts.has(host)) return true;
    const name = hostname(host);
    if (this.#insecureHosts.has(name)) return true;
    if (name === 'localhost' || name === '::1') return true;
    return this.#insecureCidrs.some((c) => inCidr(name, c));
  }

  /** The endpoints to try for a registry host ("docker.io", "127.0.0.1:5000"), in order. */
  endpoints(host: string, options: { mirrors?: boolean } = {}): Endpoint[] {
    const out: Endpoint[] = [];
    if (host === dockerHubHost) {
      if (options.mirrors !== false) {
        for (const m of this.#mirrors) out.push({ base: new URL(m.origin), insecureTls: this.isInsecure(m.host), mirror: true });
      }
      out.push({ base: new URL(dockerHubEndpoint), insecureTls: false, mirror: false });
      return out;
    }
    out.push({ base: new URL(`https://${host}`), insecureTls: this.isInsecure(host), mirror: false });
    if (this.isInsecure(host)) {
      out.push({ base: new URL(`http://${host}`), insecureTls: false, mirror: false });
      // Try first what worked last time.
      if (this.#preferred.get(host) === 'http:') out.reverse();
    }
    return out;
  }

  remember(host: string, endpoint: Endpoint): void {
    this.#preferred.set(host, endpoint.base.protocol);
  }
}

/** A server address as users write it ("https://index.docker.io/v1/", "http://reg:5000", "reg:5000") → host. */
export function normalizeServer(server: string | undefined): string {
  const s = (server ?? '').trim();
  if (!s || s === dockerHubAuthKey || /^(https?:\/\/)?(index\.|registry-1\.)?docker\.io(\/v1\/?)?\/?$/.test(s)) return dockerHubHost;
  return s.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}
