// Images. Owns the image store (imagedb, repositories.json), references, tags, import, load and
// save, commit, and pull/push as the image service behind /images. Layer content belongs to
// src/storage and registries to src/distribution; containers are known only through the
// ImageUsers port (who still uses an image), never by their records.
export { ImageStore, type Image } from './store.ts';
export { ImageService, type ImageServiceOptions } from './service.ts';
export type { ImageUsers } from './users.ts';
export { engineVersion } from './version.ts';
export { BuiltinBusyboxSource, createBuiltinBusybox, isBuiltinReference } from './builtin.ts';
export type { PullOptions, ImageSource, RegistrySource } from './source.ts';
export { selectSources, type ImageSources } from './pull.ts';
export {
  parseReference,
  familiarName,
  familiarString,
  fullName,
  withDefaultTag,
  referenceString,
  parseDockerRef,
  withTag,
  withDigest,
  isFullId,
  isIdPrefix,
  parseIdReference,
  defaultTag,
  isRepositoryPath,
  isTag,
  validateDigest,
  type Reference,
} from './reference.ts';
export { selectImages, saveImages, type TarExportDeps } from './tarexport/save.ts';
export { loadImages, sweepTransferTemp, type LoadOptions } from './tarexport/load.ts';
export { commitImage, emptyLayerDiffId, type CommitRequest } from './commit.ts';
export { pruneImages, type PruneReport } from './prune.ts';
export { imageDiskUsage } from './usage.ts';
