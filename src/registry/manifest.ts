// Manifests as the registry receives them: which kind a body is (docker schema2 or OCI image
// manifest, manifest list or OCI index, with any artifactType and custom config/layer media
// types), the descriptors it refers to, and its subject. Pure: the store checks existence.
import { mediaTypes } from '../distribution/index.ts';
import { apiError } from './errors.ts';
import { checkDigest } from './routes.ts';

/** Registries should accept manifests up to 4 MiB (OCI distribution spec); larger ones get 413. */
export const maxManifestSize = 4 * 1024 * 1024;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { architecture?: string; os?: string; variant?: string };
}

export interface ParsedManifest {
  mediaType: string;
  kind: 'image' | 'index';
  /** Blobs the repository must hold: the config and the layers (foreign layers with urls excepted). */
  blobs: Descriptor[];
  /** Manifests the repository must hold (the entries of an index). */
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  configMediaType?: string;
  annotations?: Record<string, string>;
}

const imageTypes = new Set<string>([mediaTypes.dockerManifest, mediaTypes.ociManifest]);
const indexTypes = new Set<string>([mediaTypes.dockerList, mediaTypes.ociIndex]);
const foreignLayerTypes = new Set(['application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'application/vnd.oci.image.layer.nondistributable.v1.tar', 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd']);

export const manifestMediaTypes = [...imageTypes, ...indexTypes];

function invalid(reason: string): never {
  throw apiError('MANIFEST_INVALID', { detail: reason });
}

function descriptor(v: unknown, where: string): Descriptor {
  if (!v || typeof v !== 'object') invalid(`${where}: not a descriptor`);
  const d = v as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') invalid(`${where}: mediaType missing`);
  if (typeof d.digest !== 'string') invalid(`${where}: digest missing`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) invalid(`${where}: invalid size`);
  try {
    checkDigest(d.digest);
  } catch {
    invalid(`${where}: invalid digest ${JSON.stringify(d.digest)}`);
  }
  if (d.urls !== undefined && (!Array.isArray(d.urls) || d.urls.some((u) => typeof u !== 'string'))) invalid(`${where}: invalid urls`);
  return d as unknown as Descriptor;
}

/**
 * Parses a manifest body sent with `contentType`: its kind, references and subject. A body
 * whose own mediaType contradicts the Content-Type, an unknown manifest type, or a malformed
 * descriptor is MANIFEST_INVALID.
 */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    invalid('manifest is not valid JSON');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) invalid('manifest is not a JSON object');
  const header = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const own = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const generic = header === '' || header === 'application/json' || header === 'application/octet-stream';
  const mediaType = generic ? (own ?? (Array.isArray(doc.manifests) ? mediaTypes.ociIndex : mediaTypes.ociManifest)) : header;
  if (own && own !== mediaType) invalid(`mediaType ${own} does not match Content-Type ${mediaType}`);
  if (doc.schemaVersion === 1 || mediaType === mediaTypes.schema1 || mediaType === mediaTypes.schema1Signed) {
    throw apiError('MANIFEST_INVALID', { message: 'manifest invalid', detail: 'schema1 manifests are not supported' });
  }
  if (!imageTypes.has(mediaType) && !indexTypes.has(mediaType)) invalid(`unrecognized manifest content type ${mediaType}`);
  if (doc.schemaVersion !== 2) invalid('schemaVersion must be 2');
  const out: ParsedManifest = { mediaType, kind: imageTypes.has(mediaType) ? 'image' : 'index', blobs: [], manifests: [] };
  if (doc.subject !== undefined) out.subject = descriptor(doc.subject, 'subject');
  if (typeof doc.artifactType === 'string') out.artifactType = doc.artifactType;
  if (doc.annotations && typeof doc.annotations === 'object') out.annotations = doc.annotations as Record<string, string>;
  if (out.kind === 'image') {
    if (!doc.config) invalid('config missing');
    const config = descriptor(doc.config, 'config');
    out.configMediaType = config.mediaType;
    if (!Array.isArray(doc.layers)) {
      if (mediaType === mediaTypes.dockerManifest) invalid('layers missing');
    }
    const layers = Array.isArray(doc.layers) ? doc.layers.map((l, i) => descriptor(l, `layers[${i}]`)) : [];
    out.blobs = [config, ...layers.filter((l) => !(foreignLayerTypes.has(l.mediaType) && l.urls?.length))];
  } else {
    if (!Array.isArray(doc.manifests)) invalid('manifests missing');
    out.manifests = doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`));
  }
  return out;
}

/** The artifact type a referrers entry shows: artifactType, else the config's media type (OCI 1.1). */
export function referrerArtifactType(m: ParsedManifest): string | undefined {
  return m.artifactType ?? (m.kind === 'image' ? m.configMediaType : undefined);
}
