// Compose built in (issue #13): `berth compose`, on the Compose Specification.
//
// Ownership. src/compose owns the compose model end to end: finding and loading the files
// (loader.ts: -f, COMPOSE_FILE, compose.yaml upwards, .env, -p, profiles), YAML with `!reset`,
// `!override` and `<<` (yaml-source.ts), interpolation (interpolate.ts), the merge rules
// (merge.ts), `extends` and `include` (loader.ts), validation against the specification stated
// in our own schema language (schema.ts, compose-schema.ts, checks.ts), the typed model
// (model.ts, to-model.ts), `config` output (config-output.ts), the config hash (hash.ts),
// compose's labels and names (labels.ts), the create-container request (create-request.ts) and
// the planner (planner.ts). All of it is pure: the file system is a port (io.ts), the daemon's
// state comes in as plain data, and plans go out as plain data.
//
// The execution phase (later) adds the executor and the `berth compose` commands. It needs:
//   - a ComposeEngine (engine.ts), implemented over src/client's typed Engine API client;
//   - to observe the project (ObserveProject) and run a Plan's actions in their `after` order,
//     resolving ContainerRef { createdBy } to the id its create action returned, connecting the
//     extra networks of each ContainerCreate, writing injectedFiles() into created containers,
//     waiting ('wait' actions) by polling inspect (healthy / exited 0 / running), and planning the
//     converge half of `up` again after the image half ran (image ids decide recreation);
//   - a failing action stops the actions that depend on it and reports which service failed,
//     leaving what already started running, as compose does.
export { loadProject, selectServices, withProfiles, normalizeProjectName, invalidProjectName, globMatch, defaultFileNames, defaultOverrideFileNames, type LoadOptions, type LoadedProject } from './loader.ts';
export { nodeFs, memoryFs, type ComposeFs } from './io.ts';
export type * from './model.ts';
export { serviceScale, serviceImage, networksByPriority } from './model.ts';
export { substitute, type Lookup } from './interpolate.ts';
export { parseDotEnv, parseEnvFileText } from './dotenv.ts';
export { splitShellWords } from './shellwords.ts';
export { configYaml, renderProject, configServices, configVolumes, configNetworks, configImages, configProfiles, configHashes } from './config-output.ts';
export { serviceConfigHash, networkConfigHash, volumeConfigHash } from './hash.ts';
export { labels, composeVersion, containerName, serviceLabels, dependsOnLabel, networkLabels, volumeLabels } from './labels.ts';
export { buildCreateRequest, serviceLinks, restartPolicy, healthConfig, injectedFiles, type ContainerCreate, type ContainerCreateBody, type CreateOptions } from './create-request.ts';
export { dependencyOrder, checkDependencyCycles, dependents } from './graph.ts';
export {
  planImages,
  planConverge,
  planUp,
  planDown,
  parseScaleFlags,
  describePlan,
  type Plan,
  type Action,
  type ActionKind,
  type ContainerRef,
  type ObservedState,
  type ObservedContainer,
  type ObservedNetwork,
  type ObservedVolume,
  type ObservedImage,
  type ContainerState,
  type UpOptions,
  type DownOptions,
  type RecreateStrategy,
  type NetworkCreateRequest,
  type VolumeCreateRequest,
} from './planner.ts';
export type { ComposeEngine, ObserveProject, ContainerInspectView, NetworkView, VolumeView, ImageView, EngineEvent, LogLine, LabelFilter } from './engine.ts';
