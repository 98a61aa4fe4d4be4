// Tar archives: a streaming reader and writer (binary-safe PAX, GNU long names), decompression,
// safe layer extraction with overlay whiteouts, directory packing and overlay change lists.
export { readTar, type TarEntry } from './reader.ts';
export { createTarPacker, type TarPacker } from './writer.ts';
export { encodeHeader, decodeBlock, parsePax, TarFormatError, type TarHeader, type EntryType } from './header.ts';
export { decompress, detectCompression, type Compression } from './compress.ts';
export { applyLayer, cleanEntryName, BreakoutError, whiteoutPrefix, opaqueMarker, type ApplyOptions } from './extract.ts';
export { packDirectory, deviceNumbers, type PackOptions } from './pack.ts';
export { changes, type Change } from './changes.ts';
