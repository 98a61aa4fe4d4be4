// The network's helper programs (ip, iptables-restore, nsenter) through lib's one runner, with
// the time limit every one of them gets: a wedged program must not hold the network lock forever.
import { runProgram, type ProgramResult } from '../lib/index.ts';

export function runCommand(cmd: string, args: readonly string[], input?: string): Promise<ProgramResult> {
  return runProgram(cmd, args, { ...(input !== undefined ? { input } : {}), timeoutMs: 30_000 });
}
