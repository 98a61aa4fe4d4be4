// Berth's own registry: an OCI distribution server (the server side; the client is
// src/distribution). Loaded lazily — by `berth registry …` and by berthd when daemon.json has a
// `registry` section — so nothing else pays for it.
export { parseConfig, defaultAddr, defaultRoot, type RegistryConfig, type ConfigOverrides } from './config.ts';
export { startRegistryServer, registryLogger, type RunningRegistry } from './serve.ts';
export { RegistryStorage } from './storage.ts';
export { collectGarbage, storageUsage, defaultGraceMs, type GcReport, type RepositoryUsage } from './gc.ts';
export { runRegistryCommand, startConfiguredRegistry, type RegistryCommandFlags } from './command.ts';
