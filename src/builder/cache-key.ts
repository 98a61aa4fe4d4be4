// Build cache keys, pure and deterministic. A step hits the cache when its parent (image or
// layer), its instruction after expansion, the build-arg values it sees and — for COPY/ADD — the
// files it reads are the same. Files count by content and metadata (type, mode, owner, link
// target, size, device numbers, xattrs) but not by time: touching a file without changing it
// keeps the cache, as BuildKit's content-based checksums do.
import { createHash } from 'node:crypto';

export type FileType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface FileRecord {
  /** Relative to the source root, slash-separated ("src/main.ts"). */
  path: string;
  type: FileType;
  /** Permission bits with setuid/setgid/sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Regular files: size in bytes. */
  size?: number;
  /** Regular files: sha256 of the content, hex. */
  contentDigest?: string;
  /** Symlinks: the target as stored; hard links: the path linked to. */
  linkTarget?: string;
  devMajor?: number;
  devMinor?: number;
  /** Extended attributes, values base64. */
  xattrs?: Readonly<Record<string, string>>;
}

const normalizePath = (p: string) => p.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');

function recordLine(r: FileRecord): string {
  // A fixed field order; absent fields are null so that no two records collide.
  const xattrs = r.xattrs ? Object.keys(r.xattrs).sort().map((k) => [k, r.xattrs![k]]) : null;
  return JSON.stringify([
    normalizePath(r.path),
    r.type,
    r.mode & 0o7777,
    r.uid,
    r.gid,
    r.type === 'file' ? (r.size ?? null) : null,
    r.type === 'file' ? (r.contentDigest ?? null) : null,
    r.linkTarget ?? null,
    r.devMajor ?? null,
    r.devMinor ?? null,
    xattrs,
  ]);
}

/**
 * The digest of the files a step reads, in any order given (they are sorted by path, bytewise).
 * Two records for one path are an error: the caller walked something twice.
 */
export function sourcesDigest(records: Iterable<FileRecord>): string {
  const list = [...records].map((r) => ({ key: Buffer.from(normalizePath(r.path)), line: recordLine(r) }));
  list.sort((a, b) => Buffer.compare(a.key, b.key));
  const hash = createHash('sha256');
  for (let i = 0; i < list.length; i++) {
    if (i > 0 && Buffer.compare(list[i - 1].key, list[i].key) === 0) throw new Error(`sourcesDigest: ${list[i].key.toString()} listed twice`);
    hash.update(list[i].line).update('\n');
  }
  return `sha256:${hash.digest('hex')}`;
}

export interface StepCacheInput {
  /** The image (or layer chain) the step runs on; "" for scratch. */
  parent: string;
  /** The step after expansion: StepPlan.cacheText. */
  step: string;
  /** `KEY=value` build args the step sees (StepPlan.buildArgsInUse). */
  buildArgs?: readonly string[];
  /** COPY/ADD: sourcesDigest of the files read (from every source, context or stage). */
  sources?: string;
}

/** The cache key of one step: "sha256:<hex>". */
export function stepCacheKey(input: StepCacheInput): string {
  const doc = JSON.stringify({
    v: 1,
    parent: input.parent,
    step: input.step,
    buildArgs: [...(input.buildArgs ?? [])].sort(),
    sources: input.sources ?? null,
  });
  return `sha256:${createHash('sha256').update(doc).digest('hex')}`;
}

/**
 * The source hash dockerd puts in a COPY/ADD history entry: "file:<hex>" or "dir:<hex>" for one
 * source, "multi:<hex>" over several. (dockerd hashes tar headers; Berth hashes the same facts
 * through sourcesDigest, so the text has dockerd's shape, not its exact value.)
 */
export function historySourceHash(sources: ReadonlyArray<{ kind: 'file' | 'dir'; digest: string }>): string {
  const one = (s: { kind: string; digest: string }) => `${s.kind}:${s.digest.replace(/^sha256:/, '')}`;
  if (sources.length === 1) return one(sources[0]);
  return `multi:${createHash('sha256').update(sources.map(one).join(',')).digest('hex')}`;
}
