// Tar archives for image layers: a streaming reader and writer (binary-safe PAX xattrs, GNU long
// names), decompression, safe layer extraction with overlay whiteouts, directory packing, overlay
// change lists, and a catalog of malicious archives for tests.
export {
  completeHeader,
  TarFormatError,
  type EntryType,
  type TarHeader,
  type TarHeaderInit,
} from './header.ts';
export { readTar, type ReadTarOptions, type TarEntry, type TarSegments } from './reader.ts';
export { createTarPacker, type TarBody, type TarPacker } from './writer.ts';
export { decompress, detectCompression, type Compression } from './compress.ts';
export { applyLayer, BreakoutError, cleanEntryName, type ApplyOptions } from './extract.ts';
export { packDirectory, deviceNumbers, type PackOptions } from './pack.ts';
export { changes, type Change, type ChangesOptions } from './changes.ts';
export { opaqueMarker, whiteoutPrefix, whiteoutMetaPrefix } from './whiteout.ts';
export { tarAttacks, type TarAttack } from './attacks.ts';
