// Image references with docker's grammar (distribution/reference) and its normalisation of what
// users type (ParseNormalizedNamed), with dockerd's error messages:
//   busybox              → docker.io/library/busybox
//   user/app:1.0         → docker.io/user/app:1.0
//   localhost:5000/x     → localhost:5000/x
//   name@sha256:<64 hex> → docker.io/library/name@sha256:…
import { InvalidArgument } from '../errors/index.ts';

export interface Reference {
  /** "docker.io", "localhost:5000", "my.reg.io"; "" when the name has no domain part (see parseReference). */
  domain: string;
  /** The repository path, e.g. "library/busybox". */
  path: string;
  tag?: string;
  /** "algorithm:hex", e.g. "sha256:…". */
  digest?: string;
}

export const defaultDomain = 'docker.io';
export const defaultTag = 'latest';
const legacyDefaultDomain = 'index.docker.io';
const officialPrefix = 'library/';
const nameMaxLength = 255;

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const host = `(?:${domainNameComponent}(?:\\.${domainNameComponent})*|\\[(?:[a-fA-F0-9:]+)\\])`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';

const referenceRe = new RegExp(`^((?:${domainAndPort}/)?${remoteName})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const anchoredNameRe = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const anchoredTagRe = new RegExp(`^${tagPattern}$`);
const anchoredDigestRe = new RegExp(`^${digestPattern}$`);
const anchoredIdentifierRe = /^[a-f0-9]{64}$/;
const anchoredRemoteNameRe = new RegExp(`^${remoteName}$`);

// go-digest: the algorithms dockerd registers, with their hex lengths.
const digestHexLength: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const digestGrammarRe = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** A repository path as a registry serves it under /v2/<name>/ ("team/app", no domain). */
export function isRepositoryPath(s: string): boolean {
  return s.length <= nameMaxLength && anchoredRemoteNameRe.test(s);
}

export function isTag(s: string): boolean {
  return anchoredTagRe.test(s);
}

/** go-digest's Digest.Validate, with its messages. */
export function validateDigest(digest: string): void {
  const i = digest.indexOf(':');
  if (i <= 0 || i + 1 === digest.length) throw new InvalidArgument('invalid checksum digest format');
  const algorithm = digest.slice(0, i);
  const hex = digest.slice(i + 1);
  const length = digestHexLength[algorithm];
  if (length === undefined) {
    if (!digestGrammarRe.test(digest)) throw new InvalidArgument('invalid checksum digest format');
    throw new InvalidArgument('unsupported digest algorithm');
  }
  if (hex.length !== length) throw new InvalidArgument('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(hex)) throw new InvalidArgument('invalid checksum digest format');
}

/** distribution/reference Parse: the grammar alone, no defaults. */
function parseStrict(s: string): Reference {
  if (s === '') throw new InvalidArgument('repository name must have at least one component');
  const m = referenceRe.exec(s);
  if (!m) {
    const lower = s.toLowerCase();
    if (lower !== s && referenceRe.test(lower)) throw new InvalidArgument('repository name must be lowercase');
    throw new InvalidArgument('invalid reference format');
  }
  const [, name, tag, digest] = m;
  // A first component that is not a valid domain stays part of the path ("my_reg.io/app").
  const n = anchoredNameRe.exec(name)!;
  const ref: Reference = { domain: n[1] ?? '', path: n[2] };
  if (ref.path.length > nameMaxLength) throw new InvalidArgument(`repository name must not be more than ${nameMaxLength} characters`);
  if (tag) ref.tag = tag;
  if (digest) {
    validateDigest(digest);
    ref.digest = digest;
  }
  return ref;
}

/** splitDockerDomain: where the domain ends and which defaults apply. */
function splitDockerDomain(name: string): [domain: string, remainder: string] {
  const slash = name.indexOf('/');
  if (slash < 0) return [defaultDomain, officialPrefix + name];
  const first = name.slice(0, slash);
  let domain = defaultDomain;
  let remainder = name;
  // localhost, anything with "." or ":", and anything uppercase (not allowed in a path) is a domain.
  if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
    domain = first === legacyDefaultDomain ? defaultDomain : first;
    remainder = name.slice(slash + 1);
  }
  if (domain === defaultDomain && !remainder.includes('/')) remainder = officialPrefix + remainder;
  return [domain, remainder];
}

/**
 * Parses what a user typed, normalised like docker's ParseNormalizedNamed: "busybox" is
 * docker.io/library/busybox, "user/app" docker.io/user/app, and a name may carry a tag, a digest
 * or both. A bare 64-hex string is refused: it would be mistaken for an image ID.
 */
export function parseReference(s: string): Reference {
  if (anchoredIdentifierRe.test(s)) {
    throw new InvalidArgument(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDockerDomain(s);
  // docker checks case up to the first ":", digest included: "(library/app@SHA256)".
  const colon = remainder.indexOf(':');
  const remote = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    throw new InvalidArgument(`invalid reference format: repository name (${remote}) must be lowercase`);
  }
  return parseStrict(`${domain}/${remainder}`);
}

/**
 * docker's ParseDockerRef, the form dockerd stores and pulls: a reference with both a tag and a
 * digest keeps only the digest, one with neither gets "latest".
 */
export function parseDockerRef(s: string): Reference {
  const ref = parseReference(s);
  if (ref.tag !== undefined && ref.digest !== undefined) return { domain: ref.domain, path: ref.path, digest: ref.digest };
  return withDefaultTag(ref);
}

/** "docker.io/library/busybox" */
export function fullName(r: Reference): string {
  return r.domain ? `${r.domain}/${r.path}` : r.path;
}

/** "busybox", "user/app", "localhost:5000/x": docker.io and its "library/" left out. */
export function familiarName(r: Reference): string {
  if (r.domain !== defaultDomain) return fullName(r);
  if (r.path.startsWith(officialPrefix)) {
    const rest = r.path.slice(officialPrefix.length);
    // Only one level: "library/a/b" keeps its prefix.
    if (!rest.includes('/')) return rest;
  }
  return r.path;
}

function suffix(r: Reference): string {
  return (r.tag !== undefined ? `:${r.tag}` : '') + (r.digest !== undefined ? `@${r.digest}` : '');
}

/** "busybox:latest", "user/app@sha256:…" */
export function familiarString(r: Reference): string {
  return familiarName(r) + suffix(r);
}

/** The normalised full string: "docker.io/library/busybox:latest". */
export function referenceString(r: Reference): string {
  return fullName(r) + suffix(r);
}

/** docker's TagNameOnly: adds "latest" to a reference with neither tag nor digest. */
export function withDefaultTag(r: Reference): Reference {
  return r.tag !== undefined || r.digest !== undefined ? r : { ...r, tag: defaultTag };
}

/** The reference with `tag` instead of its own, checked like docker's WithTag. */
export function withTag(r: Reference, tag: string): Reference {
  if (!anchoredTagRe.test(tag)) throw new InvalidArgument('invalid tag format');
  return { ...r, tag };
}

/** The reference with `digest` instead of its own, checked like docker's WithDigest. */
export function withDigest(r: Reference, digest: string): Reference {
  if (!anchoredDigestRe.test(digest)) throw new InvalidArgument('invalid digest format');
  return { ...r, digest };
}

/** True for a full image or container ID: 64 lowercase hex characters. */
export function isFullId(s: string): boolean {
  return anchoredIdentifierRe.test(s);
}

/** True for what may abbreviate an ID: 1 to 64 lowercase hex characters, optionally "sha256:"-prefixed. */
export function isIdPrefix(s: string): boolean {
  return /^(?:sha256:)?[a-f0-9]{1,64}$/.test(s);
}

/**
 * docker's ParseAnyReference for what may name an image by ID: a full 64-hex ID or a valid
 * digest string gives the digest ("sha256:…"); anything else is undefined (parse it as a name).
 */
export function parseIdReference(s: string): string | undefined {
  if (anchoredIdentifierRe.test(s)) return `sha256:${s}`;
  try {
    validateDigest(s);
  } catch {
    return undefined;
  }
  return s;
}
