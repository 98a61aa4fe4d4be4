// The narrow view of the Docker Engine API that compose's executor will need, owned by compose
// (STYLE.md: interfaces belong to their consumer). The execution phase implements it over the
// typed client in src/client, so `berth compose` works against berthd and any dockerd alike;
// tests implement it with a fake that records calls. Types only: nothing here talks to a daemon.
import type { ContainerSummary, JsonMessage, Labels } from '../types/index.ts';
import type { ContainerCreate } from './create-request.ts';
import type { NetworkCreateRequest, ObservedState, VolumeCreateRequest } from './planner.ts';

/** `label=key` or `label=key=value` filters, as the list endpoints take them. */
export type LabelFilter = Readonly<Record<string, string | true>>;

export interface ContainerInspectView {
  Id: string;
  Name: string;
  State: { Status: string; Running: boolean; Paused: boolean; ExitCode: number; Health?: { Status: 'starting' | 'healthy' | 'unhealthy' | 'none' } };
  Config: { Labels: Labels | null; Healthcheck?: { Test?: string[] } | null; Image: string };
  Image: string;
  Mounts: Array<{ Type: string; Name?: string; Source: string; Destination: string; RW: boolean }>;
  NetworkSettings: { Networks: Record<string, { NetworkID: string; IPAddress: string }> };
}

export interface NetworkView {
  Id: string;
  Name: string;
  Labels: Labels | null;
}

export interface VolumeView {
  Name: string;
  Labels: Labels | null;
  Driver: string;
}

export interface ImageView {
  Id: string;
  RepoTags: string[] | null;
  Created: string;
  Config?: { Volumes?: Record<string, unknown> | null } | null;
  /** The time of the last tag (docker's Metadata.LastTagTime). */
  LastTagTime?: string;
}

export interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  time: number;
  timeNano: number;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** The line without its newline (with the timestamp prefix when asked for). */
  text: string;
}

/** Streams of the Engine API (pull/push/build progress, logs, events) as async iterables. */
export interface ComposeEngine {
  apiVersion(): Promise<string>;

  // Containers
  listContainers(options: { all: boolean; labels: LabelFilter }): Promise<ContainerSummary[]>;
  inspectContainer(id: string): Promise<ContainerInspectView>;
  createContainer(request: ContainerCreate): Promise<{ id: string; warnings: string[] }>;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string, options: { timeoutSeconds?: number }): Promise<void>;
  restartContainer(id: string, options: { timeoutSeconds?: number }): Promise<void>;
  killContainer(id: string, options: { signal?: string }): Promise<void>;
  pauseContainer(id: string): Promise<void>;
  unpauseContainer(id: string): Promise<void>;
  removeContainer(id: string, options: { force: boolean; volumes: boolean }): Promise<void>;
  renameContainer(id: string, name: string): Promise<void>;
  /** Resolves with the exit code once the container is not running (condition=not-running). */
  waitContainer(id: string): Promise<{ exitCode: number }>;
  /** PUT /containers/{id}/archive: a tar stream extracted at `path` (secrets from variables, configs). */
  putArchive(id: string, path: string, tar: AsyncIterable<Uint8Array>): Promise<void>;
  getArchive(id: string, path: string): Promise<AsyncIterable<Uint8Array>>;
  logs(id: string, options: { follow: boolean; tail?: string; timestamps: boolean; since?: string; until?: string }): AsyncIterable<LogLine>;
  top(id: string, psArgs?: string): Promise<{ Titles: string[]; Processes: string[][] }>;
  /** exec create + start; attached streams are the executor's business through the client. */
  exec(id: string, options: { cmd: string[]; tty: boolean; interactive: boolean; user?: string; workingDir?: string; env?: string[]; privileged?: boolean }): Promise<{ execId: string }>;

  // Networks
  listNetworks(options: { labels?: LabelFilter; names?: readonly string[] }): Promise<NetworkView[]>;
  createNetwork(request: NetworkCreateRequest): Promise<{ id: string }>;
  removeNetwork(idOrName: string): Promise<void>;
  connectNetwork(network: string, container: string, endpoint: unknown): Promise<void>;
  disconnectNetwork(network: string, container: string, options: { force: boolean }): Promise<void>;

  // Volumes
  listVolumes(options: { labels?: LabelFilter; names?: readonly string[] }): Promise<VolumeView[]>;
  createVolume(request: VolumeCreateRequest): Promise<VolumeView>;
  removeVolume(name: string, options: { force: boolean }): Promise<void>;

  // Images
  inspectImage(ref: string): Promise<ImageView | undefined>;
  pullImage(ref: string, options: { platform?: string }): AsyncIterable<JsonMessage>;
  pushImage(ref: string): AsyncIterable<JsonMessage>;
  /** POST /build with the context as a tar stream. */
  buildImage(context: AsyncIterable<Uint8Array>, options: { tags: string[]; dockerfile: string; buildArgs: Record<string, string>; target?: string; labels?: Labels; cacheFrom?: string[]; network?: string; shmSize?: number; extraHosts?: string[]; noCache?: boolean; pull?: boolean; platform?: string }): AsyncIterable<JsonMessage>;
  removeImage(ref: string, options: { force: boolean }): Promise<void>;

  // Events
  events(options: { labels: LabelFilter; since?: string; until?: string }): AsyncIterable<EngineEvent>;
}

/**
 * Reads what the planner needs (the executor's first step for up/down): the project's containers,
 * networks and volumes by label plus the ones the model names, and the local images it uses.
 */
export type ObserveProject = (engine: ComposeEngine, project: { name: string; networkNames: string[]; volumeNames: string[]; images: string[] }) => Promise<ObservedState>;
