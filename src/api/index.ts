// The Docker Engine API edge: server, routing, and one route file per resource (containers,
// exec, archive, images, registry, networks, volumes, system). Handlers only translate the wire
// format — JSON answers go through json.ts — and the work is done by the backends they are given.
//
// Every route states what it accepts, next to its registration, and nothing reaches its handler
// unchecked:
//
//   router.post('/containers/:id/stop', { query: { t: q.int(), signal: q.string({ check: signalProblem }) }, body: 'none' },
//     async (ctx) => backend.stop(ctx.params.id, { timeout: ctx.query.t }));   // ctx.query.t: number | undefined
//   router.post('/volumes/create', { query: {}, body: go.struct('volume.CreateOptions', { Name: go.string() }) },
//     async (ctx) => backend.create({ name: ctx.body.Name ?? '' }));             // ctx.body.Name: string | undefined
//
// - `query` (query.ts): each parameter the handler uses, read with dockerd's rules (q.bool is
//   BoolValue, q.int is strconv.Atoi, strings refuse NUL); undeclared parameters are ignored.
// - `body`: a schema (src/schema: Go-typed JSON Schema, decoded as dockerd's Go decoder reads
//   JSON, unknown fields ignored), 'stream' for tar uploads, or 'none'. JSON bodies are limited in
//   size and nesting (body.ts) before JSON.parse.
// - A bad request is a 400 naming the field, in dockerd's wording where it has one.
// To accept a new field, add it to the route's schema (shared container shapes live in
// src/schema/docker.ts); the handler's type follows from the schema, no cast needed. A route
// without `{ query, body }` does not typecheck, and router.test.ts checks every registered one.
export { createApiServer, apiVersion, minApiVersion, type ServerInfo, type TlsOptions } from './server.ts';
export { Router, type Handler, type RequestContext, type RouteSpec, type BodySpec } from './router.ts';
export { q, type QueryParam, type QuerySpec } from './query.ts';
export { registerSystemRoutes, registerDiskUsageRoutes, type SystemBackend, type DiskUsageBackend } from './system.ts';
export { registerImageRoutes, registerImageArchiveRoutes, type ImagesBackend, type ImageArchiveBackend } from './images.ts';
export { registerRegistryRoutes, type RegistryBackend } from './registry.ts';
export { registerContainerRoutes, registerContainerSnapshotRoutes, type ContainersBackend, type ContainerSnapshotBackend } from './containers.ts';
export { registerExecRoutes, type ExecBackend } from './exec.ts';
export { registerNetworkRoutes, type NetworksBackend, type NetworkAttachBackend } from './networks.ts';
export { registerVolumeRoutes, type VolumesBackend } from './volumes.ts';
export { registerArchiveRoutes, type ArchiveBackend } from './archive.ts';
export { registerEventRoutes, type EventsBackend } from './events.ts';
export { registerDistributionRoutes, type DistributionBackend } from './distribution.ts';
export { registerPluginRoutes } from './plugins.ts';
export { registerSwarmRoutes } from './swarm.ts';
export { httpStatus } from './errors.ts';
export { frame, streamIds } from './stream.ts';
export { registerBuildRoutes, parseBuildParams, buildSecretsHeader, type BuildBackend, type BuildRequestParams } from './build.ts';
