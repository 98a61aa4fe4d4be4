// POST /images/create?fromImage=…: fetching an image by reference. Registries are the
// distribution subsystem's (a port here, wired by the daemon); the built-in busybox (see
// builtin.ts) answers docker.io/library/busybox:latest offline, unless docker.io has mirrors.
import { NotFound } from '../errors/index.ts';
import type { LayerStore } from '../storage/index.ts';
import type { JsonMessage } from '../types/index.ts';
import { createBuiltinBusybox, isBuiltinReference } from './builtin.ts';
import { familiarName, familiarString, parseReference, withDefaultTag, withDigest, withTag } from './reference.ts';
import type { ImageStore } from './store.ts';

export interface PullOptions {
  image: string;
  tag?: string;
  platform?: string;
  /** X-Registry-Auth as the client sent it. */
  registryAuth?: string;
  progress: (m: JsonMessage) => void;
  signal?: AbortSignal;
}

/** What image needs of a registry client (the distribution subsystem provides it). */
export interface RegistryPuller {
  pull(options: PullOptions & { signal: AbortSignal }): Promise<void>;
  /** True when docker.io has mirrors to ask before the built-in busybox. */
  hasMirrors(): boolean;
}

export async function pullImage(store: ImageStore, layers: LayerStore, options: PullOptions, registry?: RegistryPuller): Promise<void> {
  let ref = parseReference(options.image);
  if (options.tag) ref = options.tag.includes(':') ? withDigest(ref, options.tag) : withTag(ref, options.tag);
  const builtin = isBuiltinReference(ref);
  if (registry && !(builtin && !registry.hasMirrors())) {
    try {
      await registry.pull({ ...options, signal: options.signal ?? new AbortController().signal });
      return;
    } catch (err) {
      if (!builtin) throw err;
      // a mirror that cannot serve busybox: the built-in one still can
    }
  }
  ref = withDefaultTag(ref);
  const shown = familiarString(ref);
  if (!builtin) {
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
