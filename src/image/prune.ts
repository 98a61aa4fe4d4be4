// POST /images/prune: dockerd's ImagesPrune. Dangling images (no tag) by default; with
// dangling=false every image no container uses. `until` and `label` filters narrow the set;
// images that cannot go (children, conflicts) are skipped, not errors.
import { InvalidArgument } from '../errors/index.ts';
import { parseTimestamp } from '../lib/index.ts';
import type { LayerStore } from '../storage/index.ts';
import type { DeleteResponseItem } from '../types/index.ts';
import { referenceString } from './reference.ts';
import type { ImageStore } from './store.ts';
import type { ImageUsers } from './users.ts';

export interface PruneReport {
  ImagesDeleted: DeleteResponseItem[] | null;
  SpaceReclaimed: number;
}

const pruneFilterKeys = new Set(['dangling', 'label', 'label!', 'until']);

function labelsMatch(labels: Record<string, string>, want: string[], notWant: string[]): boolean {
  const has = (expr: string) => {
    const eq = expr.indexOf('=');
    return eq < 0 ? expr in labels : labels[expr.slice(0, eq)] === expr.slice(eq + 1);
  };
  return want.every(has) && !notWant.some(has);
}

export async function pruneImages(
  deps: { service: { store: ImageStore; remove(nameOrId: string, o: { force: boolean; prune: boolean }): Promise<DeleteResponseItem[]> }; layers: LayerStore; users: ImageUsers },
  filters: Map<string, string[]>,
): Promise<PruneReport> {
  for (const key of filters.keys()) if (!pruneFilterKeys.has(key)) throw new InvalidArgument(`invalid filter '${key}'`);
  let danglingOnly = true;
  for (const v of filters.get('dangling') ?? []) {
    if (['false', '0'].includes(v.toLowerCase())) danglingOnly = false;
    else if (!['true', '1'].includes(v.toLowerCase())) throw new InvalidArgument(`invalid filter 'dangling=${v}'`);
  }
  let untilNs: bigint | undefined;
  for (const v of filters.get('until') ?? []) untilNs = parseTimestamp(v, new Date());
  const store = deps.service.store;
  const users = deps.users;
  // Sizes first: once deleted, a layer's size is gone with it.
  const layerSizes = new Map<string, number>();
  for (const image of store.list()) if (image.topLayer) for (const l of deps.layers.chain(image.topLayer)) layerSizes.set(l.chainId, l.size);

  let candidates = store.list().filter((i) => !danglingOnly || store.children(i.id).length === 0);
  candidates = candidates.filter((i) => {
    const created = BigInt(Date.parse(i.config.created ?? '') || 0) * 1_000_000n;
    if (untilNs !== undefined && created > untilNs) return false;
    return labelsMatch(i.config.config?.Labels ?? {}, filters.get('label') ?? [], filters.get('label!') ?? []);
  });
  // Children before their parents, so that a chain can go in one pass.
  candidates.sort((a, b) => store.children(a.id).length - store.children(b.id).length);

  const deleted: DeleteResponseItem[] = [];
  for (const image of candidates) {
    if (!store.get(image.id)) continue;
    if (users.containersUsingImage(image.id).length > 0) continue;
    const refs = store.references(image.id);
    const names: string[] = [];
    if (refs.length > 0) {
      const hasTag = refs.some((r) => r.tag !== undefined && !r.digest);
      if (danglingOnly && hasTag) continue;
      names.push(...refs.map(referenceString));
    } else names.push(image.id);
    for (const name of names) {
      try {
        deleted.push(...(await deps.service.remove(name, { force: false, prune: true })));
      } catch {
        // a conflict (a child image, a container) keeps the image: not an error for prune
      }
    }
  }
  let reclaimed = 0;
  for (const d of deleted) if (d.Deleted) reclaimed += layerSizes.get(d.Deleted) ?? 0;
  return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
}
