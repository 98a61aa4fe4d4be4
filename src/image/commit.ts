// The image half of `docker commit`: a container's changes, as a layer tar, registered on top of
// its image's layers, and a child image config that records the container (dockerd's
// NewChildImage). The container half (pausing, merging the config) is the engine's.
import type { Readable } from 'node:stream';
import type { LayerStore } from '../storage/index.ts';
import { emptyContainerConfig, type ContainerConfig, type HistoryEntry, type ImageConfig } from '../types/index.ts';
import { engineVersion } from './version.ts';
import type { Image, ImageStore } from './store.ts';
import { parseReference, referenceString, withDefaultTag, withTag } from './reference.ts';

/** The diff id of an archive with no entries (two zero blocks): a commit that changed nothing. */
export const emptyLayerDiffId = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

export interface CommitRequest {
  /** The image the container was created from; undefined for a scratch container. */
  parentImageId?: string;
  /** The container's changes as an uncompressed layer tar. */
  diff: Readable;
  containerId: string;
  /** The container's own config, recorded as container_config. */
  containerConfig: ContainerConfig;
  /** The new image's config. */
  config: ContainerConfig;
  author?: string;
  comment?: string;
  repo?: string;
  tag?: string;
}

export async function commitImage(deps: { images: ImageStore; layers: LayerStore }, req: CommitRequest): Promise<{ image: Image; ref?: string }> {
  const parent = req.parentImageId ? deps.images.get(req.parentImageId) : undefined;
  const ref = req.repo ? withDefaultTag(req.tag ? withTag(parseReference(req.repo), req.tag) : parseReference(req.repo)) : undefined;
  const layer = await deps.layers.register(req.diff, parent?.topLayer ? { parent: parent.topLayer } : {});
  deps.layers.retain(layer.chainId);
  try {
    const empty = layer.diffId === emptyLayerDiffId;
    const created = new Date().toISOString();
    const history: HistoryEntry = {
      created,
      ...(req.author ? { author: req.author } : {}),
      created_by: (req.containerConfig.Cmd ?? []).join(' '),
      ...(req.comment ? { comment: req.comment } : {}),
      ...(empty ? { empty_layer: true } : {}),
    };
    const base = parent?.config;
    const config: ImageConfig = {
      architecture: base?.architecture ?? 'amd64',
      ...(base?.variant ? { variant: base.variant } : {}),
      os: base?.os ?? 'linux',
      ...(base?.['os.version'] ? { 'os.version': base['os.version'] } : {}),
      config: { ...emptyContainerConfig(), ...req.config },
      container: req.containerId,
      container_config: { ...emptyContainerConfig(), ...req.containerConfig },
      created,
      docker_version: engineVersion,
      ...(req.author ? { author: req.author } : {}),
      // as dockerd: the message goes into the history entry only (inspect's Comment stays empty)
      history: [...(base?.history ?? []), history],
      rootfs: { type: 'layers', diff_ids: [...(base?.rootfs.diff_ids ?? []), ...(empty ? [] : [layer.diffId])] },
    };
    const image = await deps.images.create(Buffer.from(JSON.stringify(config)), parent ? { parent: parent.id } : {});
    if (ref) await deps.images.tag(image.id, ref);
    return { image, ...(ref ? { ref: referenceString(ref) } : {}) };
  } finally {
    // The image holds its top layer now; an empty layer nobody holds goes away.
    await deps.layers.release(layer.chainId);
  }
}
