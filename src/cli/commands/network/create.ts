// network create: a network with its subnets, gateways and ranges checked as docker's CLI checks
// them.
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonCall } from '../../errors.ts';
import type { create } from './specs.ts';

function ipv4(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  return !!m && m.slice(1).every((x) => Number(x) <= 255);
}

function cidrContains(cidr: string, ip: string): boolean {
  const [base, bits] = cidr.split('/');
  const n = (s: string) => s.split('.').reduce((a, b) => a * 256 + Number(b), 0);
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(n(base) / size) * size;
  const v = n(ip.split('/')[0]);
  return v >= start && v < start + size;
}

const keyValues = (items: string[]) => Object.fromEntries(items.map((o) => [o.split('=')[0], o.includes('=') ? o.slice(o.indexOf('=') + 1) : '']));

export const createNetwork: CommandRun<typeof create.flags> = async (ctx, args, flags) => {
  const subnets = flags.subnet ?? [];
  const gateways = flags.gateway ?? [];
  const ranges = flags['ip-range'] ?? [];
  for (const g of gateways) if (!ipv4(g)) throw new StatusError(125, `invalid argument "${g}" for "--gateway" flag: invalid string being converted to IP address: ${g}`);
  if (subnets.length < Math.max(gateways.length, ranges.length)) throw new StatusError(1, 'every ip-range or gateway must have a corresponding subnet');
  const config = subnets.map((s) => ({ Subnet: s }) as { Subnet: string; Gateway?: string; IPRange?: string });
  const check = (s: string) => {
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(s)) throw new StatusError(1, `invalid subnet: invalid CIDR address: ${s}`);
  };
  for (const r of ranges) {
    if (subnets.length) for (const s of subnets) check(s);
    const c = config.find((x) => cidrContains(x.Subnet, r));
    if (!c) throw new StatusError(1, `no matching subnet for range ${r}`);
    c.IPRange = r;
  }
  for (const g of gateways) {
    for (const s of subnets) check(s);
    const c = config.find((x) => cidrContains(x.Subnet, g));
    if (!c) throw new StatusError(1, `no matching subnet for gateway ${g}`);
    c.Gateway = g;
  }
  const r = await daemonCall(
    ctx.client().networks.create({
      Name: args[0],
      CheckDuplicate: true,
      Driver: flags.driver,
      Options: keyValues(flags.opt ?? []),
      IPAM: { Driver: flags['ipam-driver'], Config: config, Options: keyValues(flags['ipam-opt'] ?? []) },
      Internal: !!flags.internal,
      EnableIPv6: !!flags.ipv6,
      Attachable: !!flags.attachable,
      Ingress: !!flags.ingress,
      ...(flags.scope ? { Scope: flags.scope } : {}),
      ConfigOnly: !!flags['config-only'],
      ...(flags['config-from'] ? { ConfigFrom: { Network: flags['config-from'] } } : {}),
      Labels: keyValues(flags.label ?? []),
    }),
  );
  ctx.stdout.write(`${r.Id}\n`);
};
