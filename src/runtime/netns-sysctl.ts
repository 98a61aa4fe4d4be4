// Network sysctls of a container whose root lives in a user namespace of its own: the kernel lets
// only the owner of a network namespace write its /proc/sys/net, and Berth makes the container's
// network namespace outside that user namespace. So berthd writes them, from a child process in
// that network namespace (berthd itself never enters a namespace: DESIGN.md), before runc starts.
import { InvalidArgument } from '../errors/index.ts';
import { ProgramError, execProgram } from '../lib/index.ts';

/** Splits out the sysctls that belong to the network namespace. */
export function networkSysctls(sysctls: Record<string, string> | undefined): { net: Record<string, string>; rest: Record<string, string> } {
  const net: Record<string, string> = {};
  const rest: Record<string, string> = {};
  for (const [k, v] of Object.entries(sysctls ?? {})) (k.startsWith('net.') ? net : rest)[k] = v;
  return { net, rest };
}

export async function writeNetnsSysctls(netnsPath: string, sysctls: Record<string, string>): Promise<void> {
  const entries = Object.entries(sysctls);
  if (entries.length === 0) return;
  try {
    await execProgram('nsenter', [`--net=${netnsPath}`, '--', 'sysctl', '-q', '-w', ...entries.map(([k, v]) => `${k}=${v}`)]);
  } catch (err) {
    const reason = err instanceof ProgramError ? err.stderr.trim() : (err as Error).message;
    throw new InvalidArgument(`cannot set the container's network sysctls: ${reason}`, { cause: err });
  }
}
