// The images part of GET /system/df: every top-level image with how many containers use it and
// how much of it is shared with other images, and the bytes of all layers together.
import type { LayerStore } from '../storage/index.ts';
import type { ImageSummary } from '../types/index.ts';
import type { ImageStore } from './store.ts';
import type { ImageUsers } from './users.ts';

export function imageDiskUsage(deps: {
  service: { store: ImageStore; list(o: { all: boolean; filters: Map<string, string[]> }): ImageSummary[] };
  layers: LayerStore;
  users: ImageUsers;
}): { LayersSize: number; Images: ImageSummary[] } {
  const store = deps.service.store;
  const chains = new Map<string, Array<{ chainId: string; size: number }>>();
  const layerUsers = new Map<string, number>();
  const layerSize = new Map<string, number>();
  for (const image of store.list()) {
    const chain = image.topLayer ? deps.layers.chain(image.topLayer) : [];
    chains.set(image.id, chain);
    for (const l of chain) {
      layerUsers.set(l.chainId, (layerUsers.get(l.chainId) ?? 0) + 1);
      layerSize.set(l.chainId, l.size);
    }
  }
  const users = deps.users;
  const images = deps.service.list({ all: false, filters: new Map() }).map((summary) => {
    const chain = chains.get(summary.Id) ?? [];
    const shared = chain.filter((l) => (layerUsers.get(l.chainId) ?? 0) > 1).reduce((n, l) => n + l.size, 0);
    return { ...summary, SharedSize: shared, Containers: users.containersUsingImage(summary.Id).length };
  });
  let total = 0;
  for (const s of layerSize.values()) total += s;
  return { LayersSize: total, Images: images };
}
