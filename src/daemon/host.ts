// The machine berthd governs containers on, measured once at start-up: what its cgroups can
// limit (from the Cgroups port), its CPUs and memory, its architecture and kernel, whether the
// kernel filters system calls and has cgroup namespaces. The container engine validates and
// builds specs against these facts; `docker info` reports them.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import type { Cgroups } from '../cgroups/index.ts';
import type { HostFacts } from '../engine/index.ts';
import { goArch, parseKernelVersion } from '../runtime/index.ts';
import { parseMemTotal } from '../stats/index.ts';

/** CONFIG_SECCOMP: the kernel shows a "Seccomp:" line in /proc/<pid>/status only when it has it. */
function seccompAvailable(): boolean {
  try {
    return /^Seccomp:/m.test(readFileSync('/proc/self/status', 'utf8'));
  } catch {
    return false;
  }
}

export async function probeHost(cgroups: Pick<Cgroups, 'features'>): Promise<HostFacts> {
  return {
    features: await cgroups.features(),
    // The CPUs this process may run on (sched_getaffinity), as Go's runtime.NumCPU counts them.
    numCpus: os.availableParallelism(),
    arch: goArch(),
    kernel: parseKernelVersion(os.release()),
    seccompAvailable: seccompAvailable(),
    cgroupNamespaces: existsSync('/proc/self/ns/cgroup'),
    machineMemory: parseMemTotal(readFileSync('/proc/meminfo', 'utf8')),
  };
}
