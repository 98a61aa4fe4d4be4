// Distribution: the registry client (Registry HTTP API v2 / OCI distribution spec) — pull, push,
// login and search, with auth (Basic, Bearer tokens), insecure registries and mirrors. It moves
// blobs and manifests and hands them to the image and layer stores; it keeps no image state of
// its own and serves nothing (Berth's registry server is src/registry).
export { DistributionService, type DistributionOptions, type PullRequest, type PushRequest, type SearchResult } from './service.ts';
export { AuthSession, decodeAuthHeader, parseChallenges, type AuthConfig, type Challenge } from './auth.ts';
export { RepositoryClient } from './repository.ts';
export { Registries, normalizeServer, dockerHubAuthKey, type RegistryConfig, type Endpoint } from './endpoints.ts';
export { parseManifest, selectManifest, mediaTypes, type Manifest, type Descriptor } from './manifest.ts';
export { progressBar } from './progress.ts';
export type { DistributionInspect, InspectPlatform } from './inspect.ts';
export { RegistryError } from './transport.ts';
