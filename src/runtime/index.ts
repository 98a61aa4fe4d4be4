// The container runtime: OCI bundles, runc under conmon, attach sockets; the spec parts a
// HostConfig governs (resources, security, devices) and the default seccomp profile. It turns a
// checked HostConfig into a spec and runs it; deciding what is allowed (validation, defaults,
// restart policy) is the engine's, and it keeps no container records.
export { RuntimeError, runcMessage } from './errors.ts';
export { ConmonRuntime, type ConmonLogTarget, type CreateOptions, type ExitStatus, type RuntimeOptions } from './conmon.ts';
export { AttachConnection, type OutputStream } from './attach.ts';
export type { ExecHandle, ExecOptions, OciProcess } from './exec.ts';
export type { ProbeOptions, ProbeResult } from './probe.ts';
export {
  buildSpec,
  serializeSpec,
  parseSpec,
  effectiveCapabilities,
  normalizeCapabilities,
  defaultCapabilities,
  allCapabilities,
  availableCapabilities,
  defaultMaskedPaths,
  defaultReadonlyPaths,
  type OciSpec,
  type OciMount,
  type OciRlimit,
  type IdMapping,
  type SpecInput,
  type NamespaceChoice,
  type ShmChoice,
  type SeccompChoice,
} from './spec.ts';
export {
  specFromHostConfig,
  resourcesFromHostConfig,
  updateResources,
  parseSecurityOpt,
  parseDeviceCgroupRule,
  rlimits,
  type HostSpecEnvironment,
  type HostConfigSpec,
  type GovernedHostConfig,
  type SecurityOptions,
  type WeightDevice,
  type ThrottleDevice,
} from './host-config.ts';
export { resolveDevices, devicesFromMapping, hostDevices, type OciDevice, type ResolvedDevices } from './devices.ts';
export {
  seccompForSpec,
  parseSeccompProfile,
  goArch,
  parseKernelVersion,
  type DockerSeccompProfile,
  type DockerSeccompRule,
  type OciSeccomp,
  type SeccompTarget,
} from './seccomp.ts';
export { defaultSeccompProfile } from './seccomp-default.ts';
export { subIdRanges, idMappings, hostId, containerIdOf, idMappers, overflowId, nextSubIdStart, type SubIdRange } from './userns.ts';
export { networkSysctls, writeNetnsSysctls } from './netns-sysctl.ts';
