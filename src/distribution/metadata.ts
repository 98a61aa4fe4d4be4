// Which registry blobs hold which local layers, in dockerd's layout under image/overlay2/distribution:
//   v2metadata-by-diffid/sha256/<diffid hex>  [{Digest, SourceRepository, HMAC}] (+ RemoteDiffID:
//                                             the diff id the pushed blob really has, when berth
//                                             had to re-pack the layer)
//   diffid-by-digest/sha256/<digest hex>      the diff id
// Push uses it to skip blobs a registry has and to mount them across repositories.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { readJson, writeFileAtomic, writeJsonAtomic } from '../lib/index.ts';

export interface V2Metadata {
  Digest: string;
  /** "127.0.0.1:5000/team/app" */
  SourceRepository: string;
  HMAC: string;
  RemoteDiffID?: string;
}

const hex = (d: string) => d.replace(/^sha256:/, '');

export class MetadataStore {
  #root: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(root: string) {
    this.#root = root;
  }

  async get(diffId: string): Promise<V2Metadata[]> {
    return (await readJson<V2Metadata[]>(join(this.#root, 'v2metadata-by-diffid', 'sha256', hex(diffId)))) ?? [];
  }

  /** Adds (or moves to the front) a record; writes are serialised. */
  add(diffId: string, record: V2Metadata): Promise<void> {
    const run = async () => {
      const dir = join(this.#root, 'v2metadata-by-diffid', 'sha256');
      const byDigest = join(this.#root, 'diffid-by-digest', 'sha256');
      await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
      await fsp.mkdir(byDigest, { recursive: true, mode: 0o700 });
      const list = (await this.get(diffId)).filter((r) => !(r.Digest === record.Digest && r.SourceRepository === record.SourceRepository));
      list.unshift(record);
      await writeJsonAtomic(join(dir, hex(diffId)), list.slice(0, 50), { durable: false });
      await writeFileAtomic(join(byDigest, hex(record.Digest)), record.RemoteDiffID ?? diffId, { durable: false });
    };
    const p = this.#queue.then(run, run);
    this.#queue = p.catch(() => {});
    return p;
  }
}
