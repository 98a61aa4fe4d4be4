// GET /system/df, put together from the subsystems that own each part: images and layers from the
// image service, containers from the engine, volumes from the volume service, the build cache from
// the build service.
import type { BuildCache, ContainerSummary, DiskUsage as DiskUsageWire, ImageSummary, VolumeUsage } from '../types/index.ts';

export interface DiskUsageSources {
  images: { diskUsage(): { LayersSize: number; Images: ImageSummary[] } };
  containers: { diskUsage(): Promise<ContainerSummary[]> };
  volumes: { diskUsage(): Promise<VolumeUsage[]> };
  buildCache: { diskUsage(): Promise<BuildCache[]> };
}

/** The answer of GET /system/df. */
export type DiskUsageReport = DiskUsageWire;

export class DiskUsage {
  readonly #sources: DiskUsageSources;

  constructor(sources: DiskUsageSources) {
    this.#sources = sources;
  }

  /** The parts named in `types` (container, image, volume, build-cache), in dockerd's key order. */
  async diskUsage(types: ReadonlySet<string>): Promise<DiskUsageReport> {
    const out: DiskUsageReport = {};
    if (types.has('image')) Object.assign(out, this.#sources.images.diskUsage());
    if (types.has('container')) out.Containers = await this.#sources.containers.diskUsage();
    if (types.has('volume')) out.Volumes = await this.#sources.volumes.diskUsage();
    if (types.has('build-cache')) out.BuildCache = await this.#sources.buildCache.diskUsage();
    return out;
  }
}
