// GET /containers/{id}/top: the host's `ps` with the caller's options, keeping the rows whose PID
// belongs to the container (as the runtime lists them), as dockerd does.
import { Conflict, SystemError } from '../errors/index.ts';
import type { ContainerTopResponse } from '../types/index.ts';
import type { Container } from './container.ts';
import { announce } from './announce.ts';
import type { ContainerRuntime, EngineContext } from './context.ts';
import type { ProcessTable } from './ps.ts';

/** Splits `ps` output into titles and the container's rows; the last column keeps its spaces. */
export function parsePsOutput(output: string, pids: ReadonlySet<number>): ContainerTopResponse {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new SystemError('ps produced no output');
  const titles = lines[0]!.trim().split(/\s+/);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex < 0) throw new SystemError(`Couldn't find PID field in ps output`);
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    const pid = Number(fields[pidIndex]);
    if (!Number.isInteger(pid)) throw new SystemError(`Unexpected pid '${fields[pidIndex]}': invalid ps output`);
    if (!pids.has(pid)) continue;
    const row = fields.slice(0, titles.length - 1);
    row.push(fields.slice(titles.length - 1).join(' '));
    processes.push(row);
  }
  return { Titles: titles, Processes: processes };
}

export async function topContainer(
  deps: { runtime: Pick<ContainerRuntime, 'pids'>; ps: ProcessTable } & Pick<EngineContext, 'events'>,
  c: Container,
  psArgs: string,
): Promise<ContainerTopResponse> {
  if (!c.state.Running) throw new Conflict(`Container ${c.id} is not running`);
  if (c.state.Restarting) throw new Conflict(`Container ${c.id} is restarting, wait until the container is running`);
  const args = psArgs.trim() ? psArgs.trim().split(/\s+/) : ['-ef'];
  const pids = new Set(await deps.runtime.pids(c.id));
  const result = parsePsOutput(await deps.ps.ps(args), pids);
  announce(deps, c, 'top');
  return result;
}
