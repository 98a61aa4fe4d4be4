// Garbage collection, mark and sweep, safe while the registry serves pushes:
//   mark   every manifest of every repository (with --delete-untagged: those a tag reaches,
//          through indexes, plus their referrers, plus manifests younger than the grace period,
//          which may be the children of an index still being pushed), and every blob they name;
//   sweep  every blob neither marked nor touched since `start - grace`.
// A push links its manifest and then touches the blobs it names (storage.putManifest); the sweep
// moves a blob aside before a last look at its mtime. So a manifest linked after the mark read
// its repository has touched its blobs after `start` (they are spared) or finds one gone (its
// push fails and is undone): no blob of a manifest whose push succeeded is ever deleted. The
// grace period spares blobs uploaded for a manifest that has not arrived yet.
import type { Logger } from '../lib/index.ts';
import { parseManifest, type ParsedManifest } from './manifest.ts';
import type { StoredManifest } from './storage.ts';

/** What garbage collection needs of the storage (RegistryStorage; a fake in the tests). */
export interface GcStore {
  repositories(): Promise<string[]>;
  tagTargets(name: string): Promise<Map<string, string>>;
  revisions(name: string): Promise<string[]>;
  revisionTime(name: string, digest: string): Promise<number | undefined>;
  getManifest(name: string, digest: string): Promise<StoredManifest | undefined>;
  referrers(name: string, subject: string): Promise<Array<{ digest: string }>>;
  allBlobs(): AsyncIterable<{ digest: string; size: number; mtimeMs: number }>;
  deleteBlobIfIdle(digest: string, since: number): Promise<boolean>;
  deleteManifest(name: string, digest: string): Promise<boolean>;
}

export interface GcOptions {
  dryRun?: boolean;
  deleteUntagged?: boolean;
  /** Blobs and untagged manifests younger than this are kept (default 1 hour). */
  graceMs?: number;
  now?: () => number;
  log?: Logger;
}

export interface GcReport {
  markedBlobs: number;
  deletedManifests: Array<{ name: string; digest: string }>;
  deletedBlobs: Array<{ digest: string; size: number }>;
  freedBytes: number;
}

export const defaultGraceMs = 60 * 60 * 1000;

export async function collectGarbage(store: GcStore, o: GcOptions = {}): Promise<GcReport> {
  const now = o.now ?? Date.now;
  const start = now();
  const since = start - (o.graceMs ?? defaultGraceMs);
  const marked = new Set<string>();
  const report: GcReport = { markedBlobs: 0, deletedManifests: [], deletedBlobs: [], freedBytes: 0 };

  for (const name of await store.repositories()) {
    const parsed = new Map<string, ParsedManifest | undefined>();
    const load = async (digest: string) => {
      if (!parsed.has(digest)) {
        const m = await store.getManifest(name, digest);
        let p: ParsedManifest | undefined;
        try {
          p = m ? parseManifest(m.body, m.mediaType) : undefined;
        } catch {
          p = undefined;
        }
        parsed.set(digest, p);
      }
      return parsed.get(digest);
    };
    const revisions = await store.revisions(name);
    let keep: Set<string>;
    if (o.deleteUntagged) {
      keep = new Set();
      const queue = [...(await store.tagTargets(name)).values()];
      for (const d of revisions) if ((await store.revisionTime(name, d) ?? 0) >= since) queue.push(d);
      while (queue.length) {
        const d = queue.pop()!;
        if (keep.has(d)) continue;
        keep.add(d);
        const p = await load(d);
        for (const child of p?.manifests ?? []) queue.push(child.digest);
        // artifacts about a kept manifest (signatures, SBOMs) stay with it
        for (const r of await store.referrers(name, d)) queue.push(r.digest);
      }
      for (const d of revisions) {
        if (keep.has(d)) continue;
        o.log?.info(`${o.dryRun ? 'would delete' : 'deleting'} untagged manifest`, { repository: name, digest: d });
        report.deletedManifests.push({ name, digest: d });
        if (!o.dryRun) await store.deleteManifest(name, d);
      }
    } else {
      keep = new Set(revisions);
    }
    for (const d of keep) {
      marked.add(d);
      const p = await load(d);
      for (const b of p?.blobs ?? []) marked.add(b.digest);
    }
  }
  report.markedBlobs = marked.size;

  for await (const blob of store.allBlobs()) {
    if (marked.has(blob.digest) || blob.mtimeMs >= since) continue;
    if (o.dryRun) {
      o.log?.info('would delete blob', { digest: blob.digest, size: blob.size });
      report.deletedBlobs.push({ digest: blob.digest, size: blob.size });
      report.freedBytes += blob.size;
      continue;
    }
    if (await store.deleteBlobIfIdle(blob.digest, since)) {
      o.log?.info('blob deleted', { digest: blob.digest, size: blob.size });
      report.deletedBlobs.push({ digest: blob.digest, size: blob.size });
      report.freedBytes += blob.size;
    }
  }
  return report;
}

export interface RepositoryUsage {
  name: string;
  tags: number;
  manifests: number;
  blobs: number;
  /** Bytes of every blob and manifest the repository links. */
  size: number;
  /** Of those, bytes that other repositories link too. */
  shared: number;
}

/** Storage used per repository, and by the whole store (each blob counted once). */
export async function storageUsage(store: GcStore & { layerLinks(name: string): Promise<string[]> }, only?: string[]): Promise<{ repositories: RepositoryUsage[]; totalBytes: number; blobs: number }> {
  const sizes = new Map<string, number>();
  let totalBytes = 0;
  for await (const b of store.allBlobs()) {
    sizes.set(b.digest, b.size);
    totalBytes += b.size;
  }
  const names = await store.repositories();
  const linked = new Map<string, Set<string>>();
  const owners = new Map<string, number>();
  const counts = new Map<string, { tags: number; manifests: number }>();
  for (const name of names) {
    const revisions = await store.revisions(name);
    const set = new Set([...(await store.layerLinks(name)), ...revisions].filter((d) => sizes.has(d)));
    linked.set(name, set);
    for (const d of set) owners.set(d, (owners.get(d) ?? 0) + 1);
    counts.set(name, { tags: (await store.tagTargets(name)).size, manifests: revisions.length });
  }
  const repositories = names
    .filter((n) => !only?.length || only.includes(n))
    .map((name) => {
      const set = linked.get(name)!;
      let size = 0;
      let shared = 0;
      for (const d of set) {
        size += sizes.get(d)!;
        if (owners.get(d)! > 1) shared += sizes.get(d)!;
      }
      return { name, ...counts.get(name)!, blobs: set.size, size, shared };
    });
  return { repositories, totalBytes, blobs: sizes.size };
}
