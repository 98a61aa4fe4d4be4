// Garbage collection's mark and sweep on a fake store: what is kept, what goes, and the push
// that races it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestOf } from './digest.ts';
import { collectGarbage, storageUsage, type GcStore } from './gc.ts';
import type { StoredManifest } from './storage.ts';

const oci = 'application/vnd.oci.image.manifest.v1+json';
const index = 'application/vnd.oci.image.index.v1+json';

class FakeStore implements GcStore {
  blobs = new Map<string, { size: number; mtimeMs: number; body?: Buffer }>();
  repos = new Map<string, { tags: Map<string, string>; revisions: Map<string, number>; layers: Set<string>; referrers: Map<string, string[]> }>();
  now = 1_000_000;
  /** Called inside deleteBlobIfIdle just before the blob is moved aside (a racing push's touch). */
  beforeAside?: (digest: string, blob: { mtimeMs: number }) => void;

  repo(name: string) {
    let r = this.repos.get(name);
    if (!r) this.repos.set(name, (r = { tags: new Map(), revisions: new Map(), layers: new Set(), referrers: new Map() }));
    return r;
  }
  blob(content: string, mtimeMs = 0): string {
    const body = Buffer.from(content);
    const d = digestOf(body);
    this.blobs.set(d, { size: body.length, mtimeMs, body });
    return d;
  }
  manifest(name: string, doc: Record<string, unknown>, o: { tag?: string; mtimeMs?: number } = {}): string {
    const d = this.blob(JSON.stringify(doc), o.mtimeMs ?? 0);
    const r = this.repo(name);
    r.revisions.set(d, o.mtimeMs ?? 0);
    if (o.tag) r.tags.set(o.tag, d);
    const subject = (doc.subject as { digest?: string } | undefined)?.digest;
    if (subject) r.referrers.set(subject, [...(r.referrers.get(subject) ?? []), d]);
    return d;
  }
  image(name: string, layers: string[], o: { tag?: string; mtimeMs?: number; subject?: string } = {}): string {
    const config = this.blob(`config of ${layers.join()}`);
    const r = this.repo(name);
    for (const l of [config, ...layers]) r.layers.add(l);
    const desc = (d: string) => ({ mediaType: 'application/octet-stream', digest: d, size: this.blobs.get(d)!.size });
    return this.manifest(name, { schemaVersion: 2, mediaType: oci, config: desc(config), layers: layers.map(desc), ...(o.subject ? { subject: desc(o.subject) } : {}) }, o);
  }

  async repositories() {
    return [...this.repos.keys()].sort();
  }
  async tagTargets(name: string) {
    return new Map(this.repo(name).tags);
  }
  async revisions(name: string) {
    return [...this.repo(name).revisions.keys()];
  }
  async revisionTime(name: string, digest: string) {
    return this.repo(name).revisions.get(digest);
  }
  async getManifest(name: string, digest: string): Promise<StoredManifest | undefined> {
    if (!this.repo(name).revisions.has(digest)) return undefined;
    const body = this.blobs.get(digest)?.body;
    return body ? { digest, body, mediaType: (JSON.parse(body.toString()) as { mediaType: string }).mediaType } : undefined;
  }
  async referrers(name: string, subject: string) {
    return (this.repo(name).referrers.get(subject) ?? []).map((digest) => ({ digest }));
  }
  async *allBlobs() {
    for (const [digest, b] of [...this.blobs]) yield { digest, size: b.size, mtimeMs: b.mtimeMs };
  }
  async deleteBlobIfIdle(digest: string, since: number) {
    const b = this.blobs.get(digest);
    if (!b) return false;
    this.beforeAside?.(digest, b);
    this.blobs.delete(digest);
    if (b.mtimeMs >= since) {
      this.blobs.set(digest, b);
      return false;
    }
    return true;
  }
  async deleteManifest(name: string, digest: string) {
    const r = this.repo(name);
    for (const [t, d] of r.tags) if (d === digest) r.tags.delete(t);
    return r.revisions.delete(digest);
  }
  async layerLinks(name: string) {
    return [...this.repo(name).layers];
  }
}

describe('garbage collection', () => {
  it('keeps what manifests name and deletes the rest; --dry-run deletes nothing', async () => {
    const s = new FakeStore();
    const shared = s.blob('shared layer');
    const kept = s.image('a', [shared, s.blob('layer a')], { tag: '1' });
    s.image('b', [shared], { tag: '1' });
    const orphan = s.blob('orphan layer');
    const dry = await collectGarbage(s, { dryRun: true, graceMs: 0, now: () => s.now });
    assert.deepEqual(dry.deletedBlobs.map((b) => b.digest), [orphan]);
    assert.ok(s.blobs.has(orphan));
    const report = await collectGarbage(s, { graceMs: 0, now: () => s.now });
    assert.deepEqual(report.deletedBlobs.map((b) => b.digest), [orphan]);
    assert.equal(report.freedBytes, 'orphan layer'.length);
    assert.ok(!s.blobs.has(orphan));
    assert.ok(s.blobs.has(shared) && s.blobs.has(kept));
  });

  it('--delete-untagged drops untagged manifests and their blobs, but keeps index children and referrers of kept ones', async () => {
    const s = new FakeStore();
    const old = s.image('a', [s.blob('old layer')]);
    const child = s.image('a', [s.blob('child layer')]);
    const idx = s.manifest('a', { schemaVersion: 2, mediaType: index, manifests: [{ mediaType: oci, digest: child, size: s.blobs.get(child)!.size }] }, { tag: 'multi' });
    const sig = s.image('a', [s.blob('signature')], { subject: idx });
    const report = await collectGarbage(s, { deleteUntagged: true, graceMs: 0, now: () => s.now });
    assert.deepEqual(report.deletedManifests, [{ name: 'a', digest: old }]);
    assert.ok(!s.blobs.has(old));
    assert.ok(!s.blobs.has(digestOf('old layer')));
    for (const d of [child, idx, sig, digestOf('child layer'), digestOf('signature')]) assert.ok(s.blobs.has(d), d);
  });

  it('spares blobs and untagged manifests younger than the grace period (a push in progress)', async () => {
    const s = new FakeStore();
    const fresh = s.blob('just uploaded', s.now - 1000);
    const young = s.image('a', [s.blob('young layer', s.now - 1000)], { mtimeMs: s.now - 1000 });
    const report = await collectGarbage(s, { deleteUntagged: true, graceMs: 60_000, now: () => s.now });
    assert.deepEqual(report.deletedBlobs, []);
    assert.deepEqual(report.deletedManifests, []);
    assert.ok(s.blobs.has(fresh) && s.blobs.has(young));
  });

  it('puts back a blob that a racing push touched after the collection began', async () => {
    const s = new FakeStore();
    const layer = s.blob('layer being referenced');
    // the push linked its manifest after the mark read the repository, and touches the layer
    s.beforeAside = (d, b) => {
      if (d === layer) b.mtimeMs = s.now + 5;
    };
    const report = await collectGarbage(s, { graceMs: 0, now: () => s.now });
    assert.ok(s.blobs.has(layer));
    assert.ok(!report.deletedBlobs.some((b) => b.digest === layer));
  });
});

describe('storage usage', () => {
  it('counts each repository\'s blobs and what it shares with others', async () => {
    const s = new FakeStore();
    const shared = s.blob('x'.repeat(100));
    s.image('a', [shared, s.blob('y'.repeat(10))], { tag: '1' });
    s.image('b', [shared], { tag: '1' });
    const u = await storageUsage(s);
    const a = u.repositories.find((r) => r.name === 'a')!;
    assert.equal(a.tags, 1);
    assert.equal(a.manifests, 1);
    assert.equal(a.blobs, 4);
    assert.equal(a.shared, 100);
    assert.equal(u.blobs, s.blobs.size);
    assert.deepEqual((await storageUsage(s, ['b'])).repositories.map((r) => r.name), ['b']);
  });
});
