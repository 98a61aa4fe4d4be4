// Tar archives for image layers and cp: a streaming reader and writer (binary-safe PAX xattrs, GNU
// long names), decompression, safe extraction with overlay whiteouts and packing over a Tree port
// (plain paths under a root, or descriptors in a live container), overlay change lists, and a
// catalog of malicious archives that every consumer is tested against.
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
export { applyLayer, extractTar, BreakoutError, cleanEntryName, type ApplyOptions, type ExtractOptions, type IdMapper } from './extract.ts';
export { packDirectory, packTreeEntry, deviceNumbers, type PackOptions, type PackTreeOptions } from './pack.ts';
export { PathTree, openPathTree, type Tree, type TreeDir, type TreeSyscalls } from './tree.ts';
export { FdTree, closeLookup, type FdNode, type FdTreeOptions, type Lookup } from './fd-tree.ts';
export { changes, type Change, type ChangesOptions } from './changes.ts';
export { opaqueMarker, whiteoutPrefix, whiteoutMetaPrefix } from './whiteout.ts';
export { tarAttacks, type TarAttack } from './attacks.ts';
