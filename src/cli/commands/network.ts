// Network commands: network create/ls/inspect/rm/prune/connect/disconnect, and port.
import type { Command } from '../command.ts';
import { StatusError } from '../command.ts';
import { inspectEach, makeRow, printRows } from '../format.ts';
import { goTimeString, truncateId, confirm } from '../util.ts';
import { validFilter, filterMap } from '../flags.ts';
import { daemonError, daemonCall } from './container.ts';

const enc = encodeURIComponent;

interface NetworkResource {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  EnableIPv6: boolean;
  Internal: boolean;
  Labels: Record<string, string> | null;
}

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

const createCommand: Command = {
  name: 'create',
  usage: '[OPTIONS] NETWORK',
  description: 'Create a network',
  minArgs: 1,
  maxArgs: 1,
  flags: {
    attachable: { type: 'bool', usage: 'Enable manual container attachment' },
    'aux-address': { type: 'stringArray', usage: 'Auxiliary IPv4 or IPv6 addresses used by Network driver', valueName: 'map' },
    'config-from': { type: 'string', usage: 'The network from which to copy the configuration' },
    'config-only': { type: 'bool', usage: 'Create a configuration only network' },
    driver: { type: 'string', short: 'd', usage: 'Driver to manage the Network', default: 'bridge' },
    gateway: { type: 'stringSlice', usage: 'IPv4 or IPv6 Gateway for the master subnet', valueName: 'ipSlice' },
    ingress: { type: 'bool', usage: 'Create swarm routing-mesh network' },
    internal: { type: 'bool', usage: 'Restrict external access to the network' },
    'ip-range': { type: 'stringSlice', usage: 'Allocate container ip from a sub-range', valueName: 'ipNetSlice' },
    'ipam-driver': { type: 'string', usage: 'IP Address Management Driver', default: 'default' },
    'ipam-opt': { type: 'stringArray', usage: 'Set IPAM driver specific options', valueName: 'map' },
    ipv6: { type: 'bool', usage: 'Enable or disable IPv6 address assignment' },
    label: { type: 'stringArray', usage: 'Set metadata on a network', valueName: 'list' },
    opt: { type: 'stringArray', short: 'o', usage: 'Set driver specific options', valueName: 'map' },
    scope: { type: 'string', usage: "Control the network's scope" },
    subnet: { type: 'stringSlice', usage: 'Subnet in CIDR format that represents a network segment', valueName: 'strings' },
  },
  async run(ctx, args, flags) {
    const list = (k: string) => (flags[k] as string[] | undefined) ?? [];
    const kv = (items: string[]) => Object.fromEntries(items.map((o) => [o.split('=')[0], o.includes('=') ? o.slice(o.indexOf('=') + 1) : '']));
    const subnets = list('subnet');
    const gateways = list('gateway');
    const ranges = list('ip-range');
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
    const labels = kv(list('label'));
    const body = {
      Name: args[0],
      CheckDuplicate: true,
      Driver: flags.driver as string,
      Options: kv(list('opt')),
      IPAM: { Driver: flags['ipam-driver'] as string, Config: config, Options: kv(list('ipam-opt')) },
      Internal: !!flags.internal,
      EnableIPv6: !!flags.ipv6,
      Attachable: !!flags.attachable,
      Ingress: !!flags.ingress,
      ...(flags.scope ? { Scope: flags.scope as string } : {}),
      ConfigOnly: !!flags['config-only'],
      ...(flags['config-from'] ? { ConfigFrom: { Network: flags['config-from'] as string } } : {}),
      Labels: labels,
    };
    const r = await daemonCall(ctx.client().post<{ Id: string }>('/networks/create', { body }));
    ctx.stdout.write(`${r.Id}\n`);
  },
};

const lsHeaders: Record<string, string> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv6: 'IPV6',
  IPv4: 'IPV4',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};

const lsCommand: Command = {
  name: 'ls',
  usage: '[OPTIONS]',
  description: 'List networks',
  aliases: ['network ls', 'network list'],
  maxArgs: 0,
  flags: {
    filter: { type: 'stringArray', short: 'f', usage: "Provide filter values (e.g. 'driver=bridge')", valueName: 'filter', validate: validFilter },
    format: { type: 'string', usage: 'Format output using a custom template' },
    'no-trunc': { type: 'bool', usage: 'Do not truncate the output' },
    quiet: { type: 'bool', short: 'q', usage: 'Only display network IDs' },
  },
  async run(ctx, _args, flags) {
    const filters = filterMap(flags.filter as string[] | undefined);
    const list = await daemonCall(ctx.client().get<NetworkResource[]>('/networks', Object.keys(filters).length ? { filters: JSON.stringify(filters) } : {}));
    const trunc = !flags['no-trunc'];
    list.sort((a, b) => a.Name.localeCompare(b.Name));
    const rows = list.map((n) => {
      const labels = n.Labels ?? {};
      return makeRow('networkContext', {
        ID: trunc ? truncateId(n.Id) : n.Id,
        Name: n.Name,
        Driver: n.Driver,
        Scope: n.Scope,
        IPv6: String(n.EnableIPv6),
        IPv4: 'true',
        Internal: String(n.Internal),
        Labels: Object.entries(labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
        Label: (name: string) => labels[name] ?? '',
        CreatedAt: goTimeString(Math.floor(Date.parse(n.Created) / 1000)),
      });
    });
    printRows(ctx, rows, { format: flags.format as string | undefined, quiet: !!flags.quiet, quietField: 'ID', defaultTable: 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}', headers: lsHeaders });
  },
};

const inspectCommand: Command = {
  name: 'inspect',
  usage: '[OPTIONS] NETWORK [NETWORK...]',
  description: 'Display detailed information on one or more networks',
  minArgs: 1,
  flags: {
    format: { type: 'string', short: 'f', usage: 'Format output using a custom template' },
    verbose: { type: 'bool', short: 'v', usage: 'Verbose output for diagnostics' },
  },
  async run(ctx, args, flags) {
    return inspectEach(ctx, args, (a) => ctx.client().get(`/networks/${enc(a)}`), { format: flags.format as string | undefined, errorText: (_a, err) => daemonError(err) });
  },
};

const rmCommand: Command = {
  name: 'rm',
  usage: 'NETWORK [NETWORK...]',
  description: 'Remove one or more networks',
  aliases: ['network rm', 'network remove'],
  minArgs: 1,
  flags: { force: { type: 'bool', short: 'f', usage: 'Do not error if the network does not exist' } },
  async run(ctx, args, flags) {
    let failed = false;
    for (const a of args) {
      try {
        await ctx.client().request('DELETE', `/networks/${enc(a)}`);
        ctx.stdout.write(`${a}\n`);
      } catch (err) {
        if (flags.force && /not found/.test((err as Error).message)) continue;
        failed = true;
        ctx.stderr.write(`${daemonError(err)}\n`);
      }
    }
    return failed ? 1 : 0;
  },
};

const pruneCommand: Command = {
  name: 'prune',
  usage: '[OPTIONS]',
  description: 'Remove all unused networks',
  maxArgs: 0,
  flags: {
    filter: { type: 'stringArray', usage: "Provide filter values (e.g. 'until=<timestamp>')", valueName: 'filter', validate: validFilter },
    force: { type: 'bool', short: 'f', usage: 'Do not prompt for confirmation' },
  },
  async run(ctx, _args, flags) {
    const filters = filterMap(flags.filter as string[] | undefined);
    if (!flags.force && !(await confirm(ctx, 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?'))) {
      throw new StatusError(1, 'network prune has been cancelled');
    }
    const r = await daemonCall(ctx.client().post<{ NetworksDeleted: string[] | null }>('/networks/prune', { query: { filters: JSON.stringify(filters) } }));
    if (r.NetworksDeleted?.length) ctx.stdout.write(`Deleted Networks:\n${r.NetworksDeleted.map((n) => `${n}\n`).join('')}\n`);
  },
};

const connectCommand: Command = {
  name: 'connect',
  usage: '[OPTIONS] NETWORK CONTAINER',
  description: 'Connect a container to a network',
  minArgs: 2,
  maxArgs: 2,
  flags: {
    alias: { type: 'stringSlice', usage: 'Add network-scoped alias for the container', valueName: 'strings' },
    'driver-opt': { type: 'stringSlice', usage: 'driver options for the network', valueName: 'strings' },
    ip: { type: 'string', usage: 'IPv4 address (e.g., "172.30.100.104")' },
    ip6: { type: 'string', usage: 'IPv6 address (e.g., "2001:db8::33")' },
    link: { type: 'stringArray', usage: 'Add link to another container', valueName: 'list' },
    'link-local-ip': { type: 'stringSlice', usage: 'Add a link-local address for the container', valueName: 'strings' },
  },
  async run(ctx, args, flags) {
    const aliases = (flags.alias as string[] | undefined) ?? [];
    const links = (flags.link as string[] | undefined) ?? [];
    const ip = flags.ip as string | undefined;
    const body = {
      Container: args[1],
      EndpointConfig: {
        ...(ip ? { IPAMConfig: { IPv4Address: ip } } : {}),
        ...(aliases.length ? { Aliases: aliases } : {}),
        ...(links.length ? { Links: links } : {}),
      },
    };
    await daemonCall(ctx.client().request('POST', `/networks/${enc(args[0])}/connect`, { body }));
  },
};

const disconnectCommand: Command = {
  name: 'disconnect',
  usage: '[OPTIONS] NETWORK CONTAINER',
  description: 'Disconnect a container from a network',
  minArgs: 2,
  maxArgs: 2,
  flags: { force: { type: 'bool', short: 'f', usage: 'Force the container to disconnect from a network' } },
  async run(ctx, args, flags) {
    await daemonCall(ctx.client().request('POST', `/networks/${enc(args[0])}/disconnect`, { body: { Container: args[1], Force: !!flags.force } }));
  },
};

export const networkSubcommands: Command[] = [
  connectCommand,
  createCommand,
  disconnectCommand,
  inspectCommand,
  lsCommand,
  { ...lsCommand, name: 'list' },
  pruneCommand,
  rmCommand,
  { ...rmCommand, name: 'remove' },
];

/** Natural order as docker sorts port lines ("80/tcp" before "443/tcp"). */
function naturalLess(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}

export const portCommand: Command = {
  name: 'port',
  usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
  description: 'List port mappings or a specific mapping for the container',
  aliases: ['container port'],
  minArgs: 1,
  maxArgs: 2,
  flags: {},
  async run(ctx, args) {
    const c = await daemonCall(ctx.client().get<{ NetworkSettings: { Ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> } }>(`/containers/${enc(args[0])}/json`));
    const ports = c.NetworkSettings.Ports ?? {};
    const join = (ip: string, port: string) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
    const out: string[] = [];
    if (args[1]) {
      const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(args[1]);
      if (!m) throw new StatusError(1, `invalid port: ${args[1]}`);
      const frontends = ports[`${m[1]}/${m[2] ?? 'tcp'}`];
      if (!frontends || frontends.length === 0) throw new StatusError(1, `no public port '${args[1]}' published for ${args[0]}`);
      for (const f of frontends) out.push(join(f.HostIp, f.HostPort));
    } else {
      for (const [from, frontends] of Object.entries(ports)) for (const f of frontends ?? []) out.push(`${from} -> ${join(f.HostIp, f.HostPort)}`);
    }
    out.sort(naturalLess);
    if (out.length) ctx.stdout.write(out.join('\n') + '\n');
  },
};
