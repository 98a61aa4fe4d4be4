// The Docker Engine API edge: server, routing, and one route file per resource (containers,
// exec, archive, images, registry, networks, volumes, system). Handlers only translate the wire
// format — JSON answers go through json.ts — and the work is done by the backends they are given.
export { createApiServer, apiVersion, minApiVersion, type ServerInfo, type TlsOptions } from './server.ts';
export { Router, type Handler, type RequestContext } from './router.ts';
export { registerEventRoutes, type EventsBackend } from './events.ts';
export { registerSystemRoutes, registerDiskUsageRoutes, type SystemBackend, type DiskUsageBackend } from './system.ts';
export { registerImageRoutes, registerImageArchiveRoutes, type ImagesBackend, type ImageArchiveBackend } from './images.ts';
export { registerRegistryRoutes, type RegistryBackend } from './registry.ts';
export { registerContainerRoutes, registerContainerSnapshotRoutes, type ContainersBackend, type ContainerSnapshotBackend } from './containers.ts';
export { registerExecRoutes, type ExecBackend } from './exec.ts';
export { registerNetworkRoutes, type NetworksBackend, type NetworkAttachBackend } from './networks.ts';
export { registerVolumeRoutes, type VolumesBackend } from './volumes.ts';
export { registerArchiveRoutes, type ArchiveBackend } from './archive.ts';
export { registerDistributionRoutes, type DistributionBackend } from './distribution.ts';
export { registerPluginRoutes } from './plugins.ts';
export { registerSwarmRoutes } from './swarm.ts';
export { httpStatus } from './errors.ts';
export { frame, streamIds } from './stream.ts';
export type { VolumeUsage } from '../types/index.ts';

