// port: a container's published ports, all or one.
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonCall } from '../../errors.ts';
import type { port } from './specs.ts';

/** Natural order as docker sorts port lines ("80/tcp" before "443/tcp"). */
function naturalLess(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}

export const listPorts: CommandRun<typeof port.flags> = async (ctx, args) => {
  const c = await daemonCall(ctx.client().containers.inspect(args[0]));
  const ports = c.NetworkSettings.Ports ?? {};
  const join = (ip: string, p: string) => (ip.includes(':') ? `[${ip}]:${p}` : `${ip}:${p}`);
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
};
