// The OCI/AUFS whiteout names a layer tar uses, and the overlayfs attribute they map to.
export const whiteoutPrefix = '.wh.';
/** AUFS metadata (".wh..wh.plnk", ".wh..wh.aufs"): never a file of the image. */
export const whiteoutMetaPrefix = '.wh..wh.';
/** Marks its directory opaque: nothing below it in lower layers shows through. */
export const opaqueMarker = '.wh..wh..opq';
export const overlayOpaqueXattr = 'trusted.overlay.opaque';

/** Whether an xattr belongs to overlayfs itself: never taken from an archive nor put into one. */
export function isOverlayXattr(name: string): boolean {
  return name.startsWith('trusted.overlay.') || name.startsWith('user.overlay.');
}
