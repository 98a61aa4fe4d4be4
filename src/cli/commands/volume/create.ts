// volume create: a named (or anonymous) volume with its driver options and labels.
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonCall } from '../../errors.ts';
import type { create } from './specs.ts';

function keyValues(values: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq === 0) throw new StatusError(125, `invalid argument ${JSON.stringify(v)} for "${flag}" flag: invalid key value pair format`);
    out[eq < 0 ? v : v.slice(0, eq)] = eq < 0 ? '' : v.slice(eq + 1);
  }
  return out;
}

function nonEmpty<K extends string>(key: K, m: Record<string, string>): Partial<Record<K, Record<string, string>>> {
  return Object.keys(m).length ? ({ [key]: m } as Record<K, Record<string, string>>) : {};
}

export const createVolume: CommandRun<typeof create.flags> = async (ctx, args, flags) => {
  const flagName = flags.name;
  if (flagName && args[0] && flagName !== args[0]) {
    throw new StatusError(1, `conflicting options: cannot specify a volume-name through both --name and as a positional arg`);
  }
  const v = await daemonCall(
    ctx.client().volumes.create({
      Name: args[0] ?? flagName ?? '',
      Driver: flags.driver,
      // empty maps are left out, as docker's CLI does (the volume then shows null)
      ...nonEmpty('DriverOpts', keyValues(flags.opt, '-o, --opt')),
      ...nonEmpty('Labels', keyValues(flags.label, '--label')),
    }),
  );
  ctx.stdout.write(`${v.Name}\n`);
};
