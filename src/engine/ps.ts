// The host's process table, for GET /containers/{id}/top: dockerd runs the host's `ps` with the
// caller's options and keeps the rows of the container's pids (top.ts). A port, so that top's
// parsing and selection are tested without the host's processes; ps.contract.ts holds the real
// table and the fake to the same behaviour.
import { SystemError } from '../errors/index.ts';
import { ProgramError, execProgram } from '../lib/index.ts';

export interface ProcessTable {
  /** ps's output for these options; rejects with SystemError("ps: …") when ps refuses them. */
  ps(args: readonly string[]): Promise<string>;
}

/** The host's procps `ps`. */
export class HostProcessTable implements ProcessTable {
  async ps(args: readonly string[]): Promise<string> {
    try {
      return (await execProgram('ps', args)).stdout;
    } catch (err) {
      const detail = err instanceof ProgramError ? err.stderr.trim() || err.message : (err as Error).message;
      throw new SystemError(`ps: ${detail}`, { cause: err });
    }
  }
}

export interface FakeProcess {
  pid: number;
  ppid: number;
  user: string;
  /** The command line, as ps's CMD/COMMAND column shows it. */
  args: string;
}

/**
 * A fixed process table answering the forms top is used with: `-ef`, `aux` and `-o <columns>`
 * (pid, ppid, user, comm, args); anything else is refused, as ps refuses what it does not know.
 */
export class FakeProcessTable implements ProcessTable {
  readonly processes: FakeProcess[];
  /** The argument lists asked for, in order. */
  readonly calls: string[][] = [];

  constructor(processes: FakeProcess[]) {
    this.processes = processes;
  }

  async ps(args: readonly string[]): Promise<string> {
    this.calls.push([...args]);
    const table = (titles: string[], row: (p: FakeProcess) => string[]) =>
      [titles, ...this.processes.map(row)].map((cols) => cols.join('   ')).join('\n') + '\n';
    const key = args.join(' ');
    if (key === '-ef') return table(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], (p) => [p.user, `${p.pid}`, `${p.ppid}`, '0', '10:00', '?', '00:00:00', p.args]);
    if (key === 'aux') {
      return table(['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TTY', 'STAT', 'START', 'TIME', 'COMMAND'], (p) => [p.user, `${p.pid}`, '0.0', '0.0', '1000', '100', '?', 'S', '10:00', '0:00', p.args]);
    }
    if (args.length === 2 && args[0] === '-o') {
      const columns: Record<string, [string, (p: FakeProcess) => string]> = {
        pid: ['PID', (p) => `${p.pid}`],
        ppid: ['PPID', (p) => `${p.ppid}`],
        user: ['USER', (p) => p.user],
        comm: ['COMMAND', (p) => p.args.split(' ')[0].split('/').at(-1)!],
        args: ['COMMAND', (p) => p.args],
      };
      const chosen = args[1].split(',').map((c) => columns[c]);
      if (chosen.every((c) => c)) return table(chosen.map((c) => c![0]), (p) => chosen.map((c) => c![1](p)));
    }
    throw new SystemError(`ps: error: unsupported option: ${key}`);
  }
}
