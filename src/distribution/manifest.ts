// Manifests: Docker schema2 and OCI image manifests, manifest lists and OCI indexes; their media
// types, and the platform choice in a list.
import { InvalidArgument, NotFound } from '../errors/index.ts';
import { formatPlatform, type Platform } from '../lib/index.ts';

export const mediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  schema1: 'application/vnd.docker.distribution.manifest.v1+json',
  schema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

export const manifestAccept = [mediaTypes.dockerManifest, mediaTypes.dockerList, mediaTypes.ociManifest, mediaTypes.ociIndex];

const layerTypes = new Set<string>([
  mediaTypes.dockerLayer,
  mediaTypes.dockerForeignLayer,
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
]);

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  urls?: string[];
}

export type Manifest =
  | { kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[] }
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] };

const digestRe = /^sha256:[a-f0-9]{64}$/;

function checkDescriptor(d: Descriptor | undefined, what: string): Descriptor {
  if (!d || typeof d.digest !== 'string' || !digestRe.test(d.digest)) throw new InvalidArgument(`invalid manifest: ${what} has no valid sha256 digest`);
  if (typeof d.size !== 'number' || d.size < 0) throw new InvalidArgument(`invalid manifest: ${what} has no valid size`);
  return d;
}

/** Parses a manifest by its Content-Type (or its own mediaType when the registry sends a generic one). */
export function parseManifest(body: Buffer, contentType: string): Manifest {
  let doc: { schemaVersion?: number; mediaType?: string; config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[] };
  try {
    doc = JSON.parse(body.toString('utf8')) as typeof doc;
  } catch {
    throw new InvalidArgument(`invalid manifest: not JSON (content type ${contentType || 'none'})`);
  }
  let mt = contentType;
  if (!mt || mt === 'application/json' || mt === 'text/plain' || mt === 'application/octet-stream') {
    mt = doc.mediaType ?? (doc.schemaVersion === 1 ? mediaTypes.schema1 : doc.manifests ? mediaTypes.ociIndex : doc.config ? mediaTypes.ociManifest : '');
  }
  if (doc.mediaType && doc.mediaType !== mt && (mt === mediaTypes.ociManifest || mt === mediaTypes.ociIndex)) {
    throw new InvalidArgument(`invalid manifest: mediaType ${doc.mediaType} does not match Content-Type ${mt}`);
  }
  switch (mt) {
    case mediaTypes.dockerManifest:
    case mediaTypes.ociManifest:
      if (!Array.isArray(doc.layers)) throw new InvalidArgument('invalid manifest: no layers');
      return { kind: 'image', mediaType: mt, config: checkDescriptor(doc.config, 'config'), layers: doc.layers.map((l, i) => checkDescriptor(l, `layer ${i}`)) };
    case mediaTypes.dockerList:
    case mediaTypes.ociIndex:
      if (!Array.isArray(doc.manifests)) throw new InvalidArgument('invalid manifest list: no manifests');
      return { kind: 'index', mediaType: mt, manifests: doc.manifests.map((m, i) => checkDescriptor(m, `manifest ${i}`)) };
    case mediaTypes.schema1:
    case mediaTypes.schema1Signed:
      throw new InvalidArgument('support for Docker Image Format v1, schema 1 (a manifest of type ' + mt + ') has been removed; push the image again with a current client');
    default:
      throw new InvalidArgument(`unsupported manifest media type and no default available: ${mt || '(none)'}`);
  }
}

export function checkLayerType(mediaType: string): void {
  if (!layerTypes.has(mediaType)) throw new InvalidArgument(`unsupported media type ${mediaType}`);
}

export function checkConfigType(mediaType: string): void {
  if (mediaType !== mediaTypes.dockerConfig && mediaType !== mediaTypes.ociConfig) {
    throw new InvalidArgument(`Encountered remote "${mediaType}"(unknown) when fetching`);
  }
}

const archAliases: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386' };

/**
 * A parsed `--platform` as pull matches it against a manifest list: arm64/v8 is plain arm64, as
 * registries list it either way and the variant must not narrow the choice.
 */
export function pullPlatform(p: Platform): Platform {
  return p.architecture === 'arm64' && p.variant === 'v8' ? { os: p.os, architecture: p.architecture } : p;
}

function matches(want: Platform, have: Platform | undefined): boolean {
  if (!have) return false;
  const arch = archAliases[have.architecture] ?? have.architecture;
  if (have.os !== want.os || arch !== want.architecture) return false;
  const variant = arch === 'arm64' && have.variant === 'v8' ? undefined : have.variant;
  return want.variant === undefined || want.variant === variant;
}

/** The manifest for `want` in a list: exact variant first, then the first entry of os/arch. */
export function selectManifest(list: Descriptor[], want: Platform): Descriptor {
  const candidates = list.filter((d) => matches(want, d.platform) && d.mediaType !== 'application/vnd.in-toto+json');
  const found = candidates.find((d) => !d.platform?.variant || d.platform.variant === want.variant) ?? candidates[0];
  if (!found) throw new NotFound(`no matching manifest for ${formatPlatform(want)} in the manifest list entries`);
  return found;
}

/** docker's canonical JSON for a manifest it writes: three-space indentation. */
export function marshalManifest(m: unknown): Buffer {
  return Buffer.from(JSON.stringify(m, null, 3));
}
