// Which endpoint of the distribution API a request path names. Repository names contain slashes,
// so the path is matched from its end; the raw path is used as sent (never percent-decoded or
// normalised), and a name outside the spec's grammar ("../x", "A", "a//b") is NAME_INVALID before
// it can reach the file system.
import { isRepositoryPath, isTag, validateDigest } from '../image/index.ts';
import { apiError } from './errors.ts';

export type Route =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; reference: string; isDigest: boolean }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'upload-start'; name: string }
  | { kind: 'upload'; name: string; uuid: string }
  | { kind: 'referrers'; name: string; digest: string };

const patterns: Array<[RegExp, (name: string, arg: string) => Route]> = [
  [/^(.+)\/tags\/list$/, (name) => ({ kind: 'tags', name })],
  [/^(.+)\/manifests\/([^/]+)$/, (name, reference) => ({ kind: 'manifest', name, reference, isDigest: reference.includes(':') })],
  [/^(.+)\/blobs\/uploads\/$/, (name) => ({ kind: 'upload-start', name })],
  [/^(.+)\/blobs\/uploads\/([^/]+)$/, (name, uuid) => ({ kind: 'upload', name, uuid })],
  [/^(.+)\/blobs\/([^/]+)$/, (name, digest) => ({ kind: 'blob', name, digest })],
  [/^(.+)\/referrers\/([^/]+)$/, (name, digest) => ({ kind: 'referrers', name, digest })],
];

const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The route of a /v2/ path (without its query), undefined when it is none of the API's. */
export function matchRoute(pathname: string): Route | undefined {
  if (pathname === '/v2/' || pathname === '/v2') return { kind: 'base' };
  if (!pathname.startsWith('/v2/')) return undefined;
  const rest = pathname.slice(4);
  if (rest === '_catalog') return { kind: 'catalog' };
  for (const [re, make] of patterns) {
    const m = re.exec(rest);
    if (!m) continue;
    const route = make(m[1], m[2]);
    checkRoute(route);
    return route;
  }
  return undefined;
}

/** Throws the spec's error for an invalid name, tag, digest or upload id in a matched route. */
function checkRoute(route: Route): void {
  if ('name' in route && !isRepositoryPath(route.name)) throw apiError('NAME_INVALID', { detail: { name: route.name } });
  switch (route.kind) {
    case 'manifest':
      if (route.isDigest) checkDigest(route.reference, 'MANIFEST_INVALID');
      else if (!isTag(route.reference)) throw apiError('TAG_INVALID', { message: 'invalid tag', detail: { Tag: route.reference } });
      break;
    case 'blob':
    case 'referrers':
      checkDigest(route.digest, 'DIGEST_INVALID');
      break;
    case 'upload':
      if (!uuidRe.test(route.uuid)) throw apiError('BLOB_UPLOAD_UNKNOWN');
      break;
    default:
  }
}

export function checkDigest(digest: string, code: 'DIGEST_INVALID' | 'MANIFEST_INVALID' = 'DIGEST_INVALID'): void {
  try {
    validateDigest(digest);
  } catch (err) {
    throw apiError(code, { message: code === 'DIGEST_INVALID' ? 'invalid digest' : 'invalid manifest digest', detail: { digest, reason: (err as Error).message } });
  }
}

export function isUploadId(s: string): boolean {
  return uuidRe.test(s);
}
