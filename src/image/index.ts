// Images: references, the image store, import, pull and the image service behind /images.
export { ImageStore, type Image } from './store.ts';
export { ImageService, engineVersion, type ImageUsers, type ImageServiceOptions } from './service.ts';
export { createBuiltinBusybox, isBuiltinReference } from './builtin.ts';
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
  type Reference,
} from './reference.ts';
