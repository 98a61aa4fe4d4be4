// IPv4 address management, pure: CIDR parsing with Go's net.ParseCIDR rules, subnet overlap, the
// default pools dockerd chooses from, and a per-network allocator (gateway, --ip-range, requested
// addresses). No I/O: the network service rebuilds allocations from its records at start.
import { Conflict, InvalidArgument } from '../errors/index.ts';

export interface Cidr {
  /** The network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
}

export function parseIp(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p, i) => p > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith('0')))) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** "10.1.2.3/24" → the address and its prefix (the address is kept, not masked). */
export function parseCidrAddress(s: string): { ip: number; prefix: number } | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s);
  if (!m) return undefined;
  const ip = parseIp(m[1]);
  const prefix = Number(m[2]);
  if (ip === undefined || prefix > 32) return undefined;
  return { ip, prefix };
}

/** A subnet in CIDR notation; throws dockerd's "invalid CIDR address" otherwise. */
export function parseCidr(s: string): Cidr {
  const a = parseCidrAddress(s);
  if (!a) throw new InvalidArgument(`invalid CIDR address: ${s}`);
  return { base: (a.ip & mask(a.prefix)) >>> 0, prefix: a.prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefix}`;
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function contains(c: Cidr, ip: number): boolean {
  return ((ip & mask(c.prefix)) >>> 0) === c.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b.base) || contains(b, a.base);
}

/**
 * dockerd's default address pools: 172.17–31.0.0/16, then 192.168.0.0/16 in /20s. The first
 * that overlaps neither a host route nor another network is taken.
 */
export function defaultPools(): Cidr[] {
  const pools: Cidr[] = [];
  for (let b = 17; b <= 31; b++) pools.push({ base: parseIp(`172.${b}.0.0`)!, prefix: 16 });
  for (let c = 0; c < 256; c += 16) pools.push({ base: parseIp(`192.168.${c}.0`)!, prefix: 20 });
  return pools;
}

export function pickFreePool(taken: readonly Cidr[], pools: readonly Cidr[] = defaultPools()): Cidr {
  const free = pools.find((p) => !taken.some((t) => overlaps(p, t)));
  if (!free) throw new InvalidArgument('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
  return free;
}

/** The MAC address dockerd derives from an IPv4 address: 02:42 and the address's four bytes. */
export function macForIp(ip: number): string {
  const bytes = [0x02, 0x42, ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export interface PoolConfig {
  subnet: Cidr;
  gateway: number;
  /** Dynamic allocation stays inside this range (--ip-range); requested addresses may be anywhere in the subnet. */
  range?: Cidr;
}

/** docker network create's IPAM checks, with dockerd's messages. */
export function poolConfig(input: { subnet: string; gateway?: string; ipRange?: string }): PoolConfig {
  let subnet: Cidr;
  try {
    subnet = parseCidr(input.subnet);
  } catch (err) {
    throw new InvalidArgument(`Invalid subnet ${input.subnet} : ${(err as Error).message}`);
  }
  if (subnet.prefix > 30) throw new InvalidArgument(`Invalid subnet ${input.subnet} : the subnet is too small`);
  let range: Cidr | undefined;
  if (input.ipRange) {
    range = parseCidr(input.ipRange);
    if (!contains(subnet, range.base) || range.prefix < subnet.prefix) throw new InvalidArgument(`no matching subnet for range ${input.ipRange}`);
  }
  let gateway: number;
  if (input.gateway) {
    const g = parseIp(input.gateway.replace(/\/\d+$/, ''));
    if (g === undefined) throw new InvalidArgument(`invalid gateway address ${input.gateway}`);
    if (!contains(subnet, g)) throw new InvalidArgument(`no matching subnet for gateway ${input.gateway}`);
    gateway = g;
  } else gateway = subnet.base + 1;
  return { subnet, gateway, ...(range ? { range } : {}) };
}

/** The addresses of one network: the gateway, the network and broadcast addresses are never handed out. */
export class AddressPool {
  readonly config: PoolConfig;
  #used = new Set<number>();

  constructor(config: PoolConfig) {
    this.config = config;
  }

  get subnet(): Cidr {
    return this.config.subnet;
  }

  #reserved(ip: number): boolean {
    const { subnet, gateway } = this.config;
    return ip === subnet.base || ip === subnet.base + cidrSize(subnet) - 1 || ip === gateway;
  }

  /** Takes `requested` when given (an error when taken or outside), else the lowest free address. */
  allocate(requested?: string): number {
    if (requested) {
      const ip = parseIp(requested);
      if (ip === undefined) throw new InvalidArgument(`invalid IPv4 address: ${requested}`);
      if (!contains(this.config.subnet, ip)) {
        throw new InvalidArgument(`no configured subnet or ip-range contain the IP address ${requested}`);
      }
      if (this.#used.has(ip) || this.#reserved(ip)) throw new Conflict('Address already in use');
      this.#used.add(ip);
      return ip;
    }
    const r = this.config.range ?? this.config.subnet;
    const end = r.base + cidrSize(r);
    for (let ip = r.base; ip < end; ip++) {
      if (this.#reserved(ip) || this.#used.has(ip)) continue;
      this.#used.add(ip);
      return ip;
    }
    throw new Unavailable(`no available IPv4 addresses on this network's address pools: ${formatCidr(this.config.subnet)}`);
  }

  /** Marks an address in use again after a restart; false when it already was. */
  claim(ip: number): boolean {
    if (this.#used.has(ip)) return false;
    this.#used.add(ip);
    return true;
  }

  release(ip: number): void {
    this.#used.delete(ip);
  }

  inUse(ip: number): boolean {
    return this.#used.has(ip);
  }

  get usedCount(): number {
    return this.#used.size;
  }
}

class Unavailable extends Conflict {}
