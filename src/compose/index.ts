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
// Execution runs through a ComposeEngine (engine.ts), implemented over src/client's typed Engine
// API client (client-engine.ts) and, for tests, over a daemon in memory (fake-engine.ts):
// observe.ts reads the project's state, the executor (executor.ts) carries out a plan's actions
// as soon as what they wait for is done, with compose's progress lines (progress.ts); up.ts,
// down.ts and lifecycle.ts are the commands' operations, logs.ts the `name  | line` output;
// support.ts refuses the keys Berth does not carry out. A Session (session.ts) bundles what an
// operation works with; the CLI (src/cli/commands/compose) builds it from its flags.
export { loadProject, loadModel, selectServices, withProfiles, normalizeProjectName, invalidProjectName, globMatch, defaultFileNames, defaultOverrideFileNames, type LoadOptions, type LoadedProject } from './loader.ts';
export { nodeFs, memoryFs, type ComposeFs } from './io.ts';
export type * from './model.ts';
export { serviceScale, serviceImage, networksByPriority } from './model.ts';
export { substitute, extractVariables, type Lookup, type TemplateVariable } from './interpolate.ts';
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
  type VolumeCreateRequest,
} from './planner.ts';
export { EngineError, isNotFound, isConflict, type ComposeEngine, type ContainerInspectView, type NetworkView, type VolumeView, type ImageView, type EngineEvent, type LogLine, type LabelFilter, type Stream, type BuildRequest } from './engine.ts';
export { clientEngine, type ClientEngineOptions } from './client-engine.ts';
export { observeProject, observedContainer, projectContainers } from './observe.ts';
export { executePlan, ActionError, containerEventName, networkEventName, volumeEventName, type ExecContext, type ExecResult, type BuildAction, type PullAction } from './executor.ts';
export { createProgress, type ProgressWriter, type ProgressEvent, type ProgressMode, type Output } from './progress.ts';
export { progressOn, warn, type Session } from './session.ts';
export { LogConsumer, shortName, pumpLogs, showLogs, type LogsOptions } from './logs.ts';
export { ensureImages, createProject, upProject, type UpRequest } from './up.ts';
export { downProject, type DownRequest } from './down.ts';
export { startProject, stopProject, restartProject, killProject, pauseProject, unpauseProject, removeStopped, checkServices } from './lifecycle.ts';
export { projectFromContainers } from './from-containers.ts';
export { prepareRun, oneOffService, type RunOverrides, type RunOptions } from './run.ts';
export { checkSupported, checkBuildSupported, supportWarnings } from './support.ts';
