// Seccomp profiles in Docker's format (rules with includes/excludes by capability, architecture
// and kernel version, and an archMap) and their conversion to the OCI `linux.seccomp` runc
// loads, as dockerd converts them: rules whose conditions the container does not meet are
// dropped, the architectures are those of the host's entry in the archMap.
import { InvalidArgument } from '../errors/index.ts';

export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

export interface SeccompFilter {
  caps?: string[];
  /** Go architecture names ("amd64", "arm64", "s390x"…). */
  arches?: string[];
  /** "major.minor". */
  minKernel?: string;
}

/** A rule of a Docker-format profile. */
export interface DockerSeccompRule {
  names?: string[];
  /** Old single-name form, still accepted. */
  name?: string;
  action: string;
  errnoRet?: number;
  args?: SeccompArg[] | null;
  comment?: string;
  includes?: SeccompFilter;
  excludes?: SeccompFilter;
}

/** Docker's seccomp profile format (`--security-opt seccomp=profile.json`). */
export interface DockerSeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: Array<{ architecture: string; subArchitectures: string[] | null }>;
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: DockerSeccompRule[] | null;
}

export interface OciSeccompSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[];
}

/** OCI runtime-spec `linux.seccomp`. */
export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: OciSeccompSyscall[];
}

/** What the conversion depends on: the host's architecture and kernel, the container's bounding set. */
export interface SeccompTarget {
  /** Go's name for the architecture (goArch()). */
  arch: string;
  kernel: { major: number; minor: number };
  capabilities: readonly string[];
}

/** Go's GOARCH for Node's process.arch. */
export function goArch(nodeArch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', s390x: 's390x', s390: 's390', ppc64: 'ppc64le', ppc: 'ppc', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle', mips64el: 'mips64le' };
  return map[nodeArch] ?? nodeArch;
}

/** libseccomp's name for each Go architecture (moby's goToNative). */
const nativeArch: Record<string, string> = {
  '386': 'SCMP_ARCH_X86',
  amd64: 'SCMP_ARCH_X86_64',
  arm: 'SCMP_ARCH_ARM',
  arm64: 'SCMP_ARCH_AARCH64',
  mips64: 'SCMP_ARCH_MIPS64',
  mips64le: 'SCMP_ARCH_MIPSEL64',
  mipsn32: 'SCMP_ARCH_MIPS64N32',
  mipsn32le: 'SCMP_ARCH_MIPSEL64N32',
  ppc: 'SCMP_ARCH_PPC',
  ppc64: 'SCMP_ARCH_PPC64',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  riscv64: 'SCMP_ARCH_RISCV64',
  s390: 'SCMP_ARCH_S390',
  s390x: 'SCMP_ARCH_S390X',
  loong64: 'SCMP_ARCH_LOONGARCH64',
};

/** The running kernel's major.minor, from os.release() ("6.18.44-fc-v1272"). */
export function parseKernelVersion(release: string): { major: number; minor: number } {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) throw new InvalidArgument(`invalid kernel version: ${release}`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

function kernelAtLeast(kernel: { major: number; minor: number }, min: string): boolean {
  const m = /^(\d+)\.(\d+)$/.exec(min);
  if (!m) throw new InvalidArgument(`invalid kernel version: ${min}`);
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return kernel.major > major || (kernel.major === major && kernel.minor >= minor);
}

/**
 * Parses a profile as dockerd's LoadProfile does (the API carries its JSON text, which the docker
 * CLI read from the user's file).
 */
export function parseSeccompProfile(text: string): DockerSeccompProfile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgument(`Decoding seccomp profile failed: ${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidArgument('Decoding seccomp profile failed: the profile is not a JSON object');
  return v as DockerSeccompProfile;
}

/** dockerd's setupSeccomp: the OCI section for one container, or undefined for "no filter". */
export function seccompForSpec(profile: DockerSeccompProfile, target: SeccompTarget): OciSeccomp | undefined {
  const rules = profile.syscalls ?? [];
  if (!profile.defaultAction && rules.length === 0) return undefined;
  if (profile.architectures?.length && profile.archMap?.length) {
    throw new InvalidArgument("both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'");
  }
  const architectures = [...(profile.architectures ?? [])];
  const native = nativeArch[target.arch];
  for (const a of profile.archMap ?? []) {
    if (a.architecture === native) architectures.push(a.architecture, ...(a.subArchitectures ?? []));
  }
  const bounding = new Set(target.capabilities);
  const syscalls: OciSeccompSyscall[] = [];
  for (const rule of rules) {
    let names = rule.names ?? [];
    if (rule.name) {
      if (names.length) throw new InvalidArgument("both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'");
      names = [rule.name];
    }
    const ex = rule.excludes;
    if (ex) {
      if (ex.arches?.includes(target.arch)) continue;
      if (ex.caps?.some((c) => bounding.has(c))) continue;
      if (ex.minKernel && kernelAtLeast(target.kernel, ex.minKernel)) continue;
    }
    const inc = rule.includes;
    if (inc) {
      if (inc.arches?.length && !inc.arches.includes(target.arch)) continue;
      if (inc.caps?.some((c) => !bounding.has(c))) continue;
      if (inc.minKernel && !kernelAtLeast(target.kernel, inc.minKernel)) continue;
    }
    syscalls.push({
      names,
      action: rule.action,
      ...(rule.errnoRet !== undefined ? { errnoRet: rule.errnoRet } : {}),
      ...(rule.args?.length ? { args: rule.args.map((a) => ({ index: a.index, value: a.value, ...(a.valueTwo ? { valueTwo: a.valueTwo } : {}), op: a.op })) } : {}),
    });
  }
  return {
    defaultAction: profile.defaultAction,
    ...(profile.defaultErrnoRet !== undefined ? { defaultErrnoRet: profile.defaultErrnoRet } : {}),
    ...(architectures.length ? { architectures } : {}),
    ...(profile.flags?.length ? { flags: profile.flags } : {}),
    ...(profile.listenerPath ? { listenerPath: profile.listenerPath } : {}),
    ...(profile.listenerMetadata ? { listenerMetadata: profile.listenerMetadata } : {}),
    syscalls,
  };
}
