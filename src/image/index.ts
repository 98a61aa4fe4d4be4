// Images: references, the image store, import, pull and the image service behind /images.
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
