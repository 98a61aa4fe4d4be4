// go-units' ParseUlimit, shared by the CLI (--ulimit) and the daemon (--default-ulimit): the
// names setrlimit knows and "soft[:hard]" values, with go-units' messages.
import { InvalidArgument } from '../errors/index.ts';

export interface UlimitValue {
  Name: string;
  Soft: number;
  Hard: number;
}

const ulimitNames = new Set(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

/** strconv.ParseInt(s, 10, 64) with Go's message. */
function goInt(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new InvalidArgument(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n >= 1n << 63n || n < -(1n << 63n)) throw new InvalidArgument(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return Number(n);
}

/** "nofile=1024[:2048]"; the hard limit defaults to the soft one, -1 is unlimited. */
export function parseUlimit(val: string): UlimitValue {
  const eq = val.indexOf('=');
  if (eq < 0) throw new InvalidArgument(`invalid ulimit argument: ${val}`);
  const name = val.slice(0, eq);
  if (!ulimitNames.has(name)) throw new InvalidArgument(`invalid ulimit type: ${name}`);
  const values = val.slice(eq + 1).split(':');
  if (values.length > 2) throw new InvalidArgument(`too many limit value arguments - ${val.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const hard = values.length === 2 ? goInt(values[1]) : undefined;
  const soft = goInt(values[0]);
  const h = hard ?? soft;
  if (h !== -1 && soft > h) throw new InvalidArgument(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${h}`);
  return { Name: name, Soft: soft, Hard: h };
}
