// What the daemon has of a project, as the planner takes it: its containers (by label, one-off
// ones included), its networks and volumes (by label, and those a declared one names), and the
// local images its services use. Several list calls, made at once.
import type { ContainerSummary } from '../types/index.ts';
import type { ComposeEngine } from './engine.ts';
import { labels } from './labels.ts';
import { serviceImage, type ComposeProject } from './model.ts';
import type { ContainerState, ObservedContainer, ObservedImage, ObservedState } from './planner.ts';

export function observedContainer(c: ContainerSummary): ObservedContainer {
  return {
    id: c.Id,
    name: (c.Names?.[0] ?? '').replace(/^\//, ''),
    state: c.State as ContainerState,
    labels: c.Labels ?? {},
    created: c.Created,
    networks: Object.keys(c.NetworkSettings?.Networks ?? {}),
    mounts: (c.Mounts ?? []).map((m) => ({ type: m.Type, ...(m.Name ? { name: m.Name } : {}), destination: m.Destination })),
  };
}

/** The project's containers (one-off ones too, unless `oneOff` is false), oldest first. */
export async function projectContainers(engine: ComposeEngine, projectName: string, options: { all: boolean; oneOff?: boolean; services?: readonly string[] }): Promise<ContainerSummary[]> {
  const list = await engine.listContainers({ all: options.all, labels: { [labels.project]: projectName, ...(options.oneOff === false ? { [labels.oneoff]: 'False' } : {}) } });
  const wanted = options.services && options.services.length > 0 ? new Set(options.services) : undefined;
  return list.filter((c) => !wanted || wanted.has(c.Labels?.[labels.service] ?? ''));
}

export async function observeProject(engine: ComposeEngine, project: ComposeProject): Promise<ObservedState> {
  const imageRefs = [...new Set(Object.values(project.services).map((s) => serviceImage(s, project.name)))];
  const [containers, networks, volumes, images] = await Promise.all([
    projectContainers(engine, project.name, { all: true }),
    engine.listNetworks({}),
    engine.listVolumes({}),
    Promise.all(imageRefs.map(async (ref) => [ref, await engine.inspectImage(ref)] as const)),
  ]);
  const networkNames = new Set(Object.values(project.networks).map((n) => n.name));
  const volumeNames = new Set(Object.values(project.volumes).map((v) => v.name));
  const observedImages: Record<string, ObservedImage> = {};
  for (const [ref, image] of images) {
    if (!image) continue;
    const tagged = image.LastTagTime ? Date.parse(image.LastTagTime) : Number.NaN;
    observedImages[ref] = { id: image.Id, ...(Number.isFinite(tagged) && tagged > 0 ? { lastTagTime: tagged } : {}) };
  }
  return {
    containers: containers.map(observedContainer),
    networks: networks
      .filter((n) => n.Labels?.[labels.project] === project.name || networkNames.has(n.Name))
      .map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} })),
    volumes: volumes.filter((v) => v.Labels?.[labels.project] === project.name || volumeNames.has(v.Name)).map((v) => ({ name: v.Name, labels: v.Labels ?? {} })),
    images: observedImages,
  };
}
