// What a registry holds for one reference, without pulling it (dockerd's distribution inspect,
// GET /distribution/{name}/json): the manifest's descriptor and the platforms it serves.
import { InvalidArgument } from '../errors/index.ts';
import type { Reference } from '../image/index.ts';
import { manifestAccept, parseManifest } from './manifest.ts';
import type { RepositoryClient } from './repository.ts';
import { readBody } from './transport.ts';

/** The OCI platform fields dockerd reports (v1.Platform). */
export interface InspectPlatform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

export interface DistributionInspect {
  Descriptor: { mediaType: string; digest: string; size: number };
  /** null when the registry tells none (as dockerd's nil slice). */
  Platforms: InspectPlatform[] | null;
}

function platformOf(v: unknown): InspectPlatform | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const p = v as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === 'string' ? x : '');
  const out: InspectPlatform = { architecture: str(p.architecture), os: str(p.os) };
  if (str(p['os.version'])) out['os.version'] = str(p['os.version']);
  if (Array.isArray(p['os.features']) && p['os.features'].every((f) => typeof f === 'string')) out['os.features'] = p['os.features'] as string[];
  if (str(p.variant)) out.variant = str(p.variant);
  return out;
}

/**
 * The reference's manifest: a list gives the platforms of its entries; an image manifest the
 * platform its config names (dockerd reads the config and leaves the platform out when it cannot).
 */
export async function inspectRemote(repo: RepositoryClient, ref: Reference, signal?: AbortSignal): Promise<DistributionInspect> {
  const wanted = ref.digest ?? ref.tag ?? 'latest';
  const m = await repo.getManifest(wanted, manifestAccept, signal);
  if (ref.digest && m.digest !== ref.digest) throw new InvalidArgument(`manifest verification failed for digest ${ref.digest}`);
  const manifest = parseManifest(m.body, m.contentType);
  const descriptor = { mediaType: manifest.mediaType, digest: m.digest, size: m.body.length };
  let platforms: InspectPlatform[] = [];
  if (manifest.kind === 'index') {
    // every entry, as dockerd lists them (an entry without a platform shows empty fields)
    platforms = manifest.manifests.map((d) => platformOf(d.platform) ?? { architecture: '', os: '' });
  } else {
    try {
      const res = await repo.getBlob(manifest.config.digest, signal);
      const p = platformOf(JSON.parse((await readBody(res, 4 * 1024 * 1024)).toString('utf8')));
      if (p && (p.os || p.architecture)) platforms = [p];
    } catch (err) {
      if (signal?.aborted) throw err;
      // as dockerd: a config it cannot read leaves the platforms out, the descriptor still stands
    }
  }
  return { Descriptor: descriptor, Platforms: platforms.length ? platforms : null };
}
