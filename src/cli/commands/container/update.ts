// update: new resource limits and restart policy for containers, as the docker CLI sends them
// (an UpdateConfig whose zero values change nothing), one container after the other.
import { parseRamInBytes } from '../../../lib/index.ts';
import type { HostConfig } from '../../../types/index.ts';
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonError } from '../../errors.ts';
import { parseCpus, parseMemorySwap } from '../../resource-flags.ts';
import { parseRestart } from './create-request.ts';
import type { update } from './specs.ts';

export const updateContainers: CommandRun<typeof update.flags> = async (ctx, args, flags) => {
  // no flag of update has a default: an empty set means none was given
  if (Object.keys(flags).length === 0) throw new StatusError(1, 'you must provide one or more flags when using this command');
  const bytes = (v: string | undefined) => (v ? parseRamInBytes(v) : 0);
  let restart: HostConfig['RestartPolicy'] = { Name: '' as HostConfig['RestartPolicy']['Name'], MaximumRetryCount: 0 };
  try {
    if (flags.restart) restart = parseRestart(flags.restart);
  } catch (err) {
    // docker update prints a bad policy as any other error: status 1
    throw new StatusError(1, (err as Error).message);
  }
  const body: Partial<HostConfig> & { KernelMemory: number } = {
    BlkioWeight: flags['blkio-weight'] ?? 0,
    CpusetCpus: flags['cpuset-cpus'] ?? '',
    CpusetMems: flags['cpuset-mems'] ?? '',
    CpuShares: flags['cpu-shares'] ?? 0,
    Memory: bytes(flags.memory),
    MemoryReservation: bytes(flags['memory-reservation']),
    MemorySwap: flags['memory-swap'] ? parseMemorySwap(flags['memory-swap']) : 0,
    KernelMemory: bytes(flags['kernel-memory']),
    CpuPeriod: flags['cpu-period'] ?? 0,
    CpuQuota: flags['cpu-quota'] ?? 0,
    CpuRealtimePeriod: flags['cpu-rt-period'] ?? 0,
    CpuRealtimeRuntime: flags['cpu-rt-runtime'] ?? 0,
    NanoCpus: flags.cpus ? parseCpus(flags.cpus) : 0,
    // docker sends a pids limit only when it is not 0
    ...(flags['pids-limit'] ? { PidsLimit: flags['pids-limit'] } : {}),
    RestartPolicy: restart,
  };
  const client = ctx.client();
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const ref of args) {
    try {
      const r = await client.containers.update(ref, body);
      ctx.stdout.write(`${ref}\n`);
      warnings.push(...(r.Warnings ?? []));
    } catch (err) {
      errors.push(daemonError(err));
    }
  }
  if (warnings.length) ctx.stdout.write(`${warnings.join('\n')}\n`);
  if (errors.length) throw new StatusError(1, errors.join('\n'));
};
