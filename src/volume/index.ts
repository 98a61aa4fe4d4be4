// Volumes: the local driver (data under <data-root>/volumes/<name>/_data) and docker's mount
// specification parsers (-v, --mount, --tmpfs, --volumes-from) the container engine resolves.
// It knows which containers use a volume only through its users port, never their records.
export {
  VolumeService,
  anonymousLabel,
  splitMountOptions,
  type VolumeView,
  type VolumeUsers,
  type VolumeEvents,
  type CreateVolumeOptions,
  type VolumeServiceDeps,
} from './service.ts';
export {
  parseBind,
  parseMountSpec,
  parseVolumesFrom,
  validateTmpfs,
  validateVolumeName,
  validMountMode,
  volumesFromReadWrite,
  tmpfsOptionString,
  defaultPropagation,
  type MountPointRecord,
} from './parse.ts';
