// Was a container killed by the OOM killer? Several witnesses can say so: conmon (it watches
// memory.oom_control / memory.events and leaves an "oom" file), and the cgroup's own OOM-kill
// counter read before the cgroup is removed. Old v1 kernels (before 4.13) have no oom_kill
// counter; there a SIGKILL exit (137) of a cgroup whose memory limit was hit (failcnt > 0) is the
// best evidence left.
export interface OomEvidence {
  exitCode: number;
  /** conmon recorded an OOM event for the container. */
  conmonOom?: boolean;
  /** The cgroup's OOM-kill counter (v1 memory.oom_control oom_kill, v2 memory.events oom_kill), if read. */
  oomKills?: number;
  /** v1 memory.failcnt, for kernels without an oom_kill counter. */
  failcnt?: number;
  /** Whether the kernel has an OOM-kill counter at all. */
  hasOomKillCounter?: boolean;
}

export function oomKilled(e: OomEvidence): boolean {
  if (e.conmonOom) return true;
  if ((e.oomKills ?? 0) > 0) return true;
  return e.hasOomKillCounter === false && e.exitCode === 137 && (e.failcnt ?? 0) > 0;
}
