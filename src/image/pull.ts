// POST /images/create?fromImage=…: fetching an image by reference. Registries come with the
// distribution subsystem; today the one source is the built-in busybox (see builtin.ts).
import { NotFound } from '../errors/index.ts';
import type { LayerStore } from '../storage/index.ts';
import type { JsonMessage } from '../types/index.ts';
import { createBuiltinBusybox, isBuiltinReference } from './builtin.ts';
import { familiarName, familiarString, parseReference, withDefaultTag, withDigest, withTag } from './reference.ts';
import type { ImageStore } from './store.ts';

export async function pullImage(
  store: ImageStore,
  layers: LayerStore,
  options: { image: string; tag?: string; progress: (m: JsonMessage) => void },
): Promise<void> {
  let ref = parseReference(options.image);
  if (options.tag) ref = options.tag.includes(':') ? withDigest(ref, options.tag) : withTag(ref, options.tag);
  ref = withDefaultTag(ref);
  const shown = familiarString(ref);
  if (!isBuiltinReference(ref)) {
    throw new NotFound(`pull access denied for ${familiarName(ref)}: no registry is configured (only the built-in busybox image is available offline)`);
  }
  const existing = store.find(shown);
  options.progress({ status: `Pulling from ${ref.path}`, id: ref.tag ?? 'latest' });
  const image = await createBuiltinBusybox(store, layers);
  const layerId = image.config.rootfs.diff_ids[0].replace('sha256:', '').slice(0, 12);
  options.progress({ status: 'Pull complete', progressDetail: {}, id: layerId });
  await store.tag(image.id, ref);
  options.progress({
    status: existing && existing.id === image.id ? `Status: Image is up to date for ${shown}` : `Status: Downloaded newer image for ${shown}`,
  });
}
