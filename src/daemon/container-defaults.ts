// daemon.json's settings for every container, read and checked once at start-up: default ulimits,
// /dev/shm size, IPC and cgroup namespace modes, the seccomp profile (read from its file, as
// dockerd reads it when it starts), no-new-privileges and userns-remap's mappings.
import { readFileSync } from 'node:fs';
import type { ContainerDefaults } from '../engine/index.ts';
import { InvalidArgument } from '../errors/index.ts';
import { parseSeccompProfile } from '../runtime/index.ts';
import type { DaemonConfig } from './config.ts';
import type { UsernsRemap } from './userns-remap.ts';

/** The profile `docker info` names: "builtin", "unconfined" or the file's path. */
export function seccompProfileName(config: Pick<DaemonConfig, 'seccompProfile'>): string {
  return config.seccompProfile || 'builtin';
}

/** dockerd's setupSeccompProfile: undefined for the built-in profile, else "unconfined" or the file's JSON text. */
function daemonSeccompProfile(path: string): string | undefined {
  if (path === '' || path === 'builtin') return undefined;
  if (path === 'unconfined') return path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidArgument(`opening seccomp profile (${path}) failed: ${(err as Error).message}`);
  }
  parseSeccompProfile(text);
  return text;
}

/** `cgroupMode`: dockerd's default cgroup namespace is the host's on cgroup v1, a private one on v2. */
export function containerDefaults(config: DaemonConfig, remap: UsernsRemap | undefined, cgroupMode: 'v1' | 'v2'): ContainerDefaults {
  const seccompProfile = daemonSeccompProfile(config.seccompProfile);
  return {
    ulimits: Object.values(config.defaultUlimits),
    shmSize: config.defaultShmSize,
    ipcMode: config.defaultIpcMode,
    cgroupnsMode: config.defaultCgroupnsMode || (cgroupMode === 'v2' ? 'private' : 'host'),
    ...(seccompProfile !== undefined ? { seccompProfile } : {}),
    noNewPrivileges: config.noNewPrivileges,
    ...(remap ? { idMappings: { uidMappings: remap.uidMappings, gidMappings: remap.gidMappings } } : {}),
  };
}
