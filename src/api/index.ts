// The Docker Engine API edge: server, routing, and one route file per resource. Handlers only
// translate the wire format; the work is done by the backends they are given.
export { createApiServer, apiVersion, minApiVersion, type ServerInfo, type TlsOptions } from './server.ts';
export { Router, type Handler, type RequestContext } from './router.ts';
export { registerSystemRoutes, type SystemBackend } from './system.ts';
export { registerImageRoutes, registerRegistryRoutes, type ImagesBackend, type RegistryBackend } from './images.ts';
export { registerContainerRoutes, type ContainersBackend } from './containers.ts';
export { registerTransferRoutes, type TransferBackend, type VolumeUsage } from './transfer.ts';
export { registerExecRoutes, type ExecBackend } from './exec.ts';
export { registerNetworkRoutes, type NetworksBackend } from './networks.ts';
export { registerVolumeRoutes, type VolumesBackend } from './volumes.ts';
export { registerArchiveRoutes, type ArchiveBackend } from './archive.ts';
export { httpStatus } from './errors.ts';
export { frame, streamIds } from './stream.ts';
export { registerBuildRoutes, parseBuildParams, buildSecretsHeader, type BuildBackend, type BuildRequestParams } from './build.ts';
