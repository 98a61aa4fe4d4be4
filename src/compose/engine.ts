// The narrow view of the Docker Engine API that compose's executor and commands need, owned by
// compose (STYLE.md: interfaces belong to their consumer). client-engine.ts implements it over
// the typed client in src/client, so `berth compose` works against berthd and any dockerd alike;
// unit tests implement it with fake-engine.ts, a daemon in memory.
import type { ContainerSummary, JsonMessage, Labels, NetworkCreateBody } from '../types/index.ts';
import type { ContainerCreate } from './create-request.ts';
import type { VolumeCreateRequest } from './planner.ts';

/** `label=key` or `label=key=value` filters, as the list endpoints take them. */
export type LabelFilter = Readonly<Record<string, string | true>>;

export interface ContainerInspectView {
  Id: string;
  /** With its leading '/'. */
  Name: string;
  Created: string;
  State: {
    Status: string;
    Running: boolean;
    Paused: boolean;
    Restarting: boolean;
    ExitCode: number;
    StartedAt?: string;
    FinishedAt?: string;
    Health?: { Status: string };
  };
  Config: { Labels: Labels | null; Healthcheck?: { Test?: string[] } | null; Image: string; Tty: boolean; OpenStdin: boolean; Cmd?: string[] | null; Entrypoint?: string[] | null };
  Image: string;
  HostConfig?: { AutoRemove?: boolean; NetworkMode?: string };
  Mounts: Array<{ Type: string; Name?: string; Source: string; Destination: string; RW: boolean }>;
  NetworkSettings: {
    Networks?: Record<string, { NetworkID?: string; IPAddress?: string }> | null;
    Ports?: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null;
  };
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
  Size?: number;
  Config?: { Volumes?: Record<string, unknown> | null } | null;
  /** When the image was last tagged (docker's Metadata.LastTagTime). */
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
  /** The line without its newline (with the daemon's timestamp prefix when asked for). */
  text: string;
}

/** A stream the caller may end early (logs -f, events, attach). */
export interface Stream<T> extends AsyncIterable<T> {
  close(): void;
}

export interface BuildRequest {
  tags: string[];
  dockerfile: string;
  buildArgs: Record<string, string | null>;
  target?: string;
  labels?: Labels;
  cacheFrom?: string[];
  network?: string;
  shmSize?: number;
  extraHosts?: string[];
  noCache?: boolean;
  pull?: boolean;
  platform?: string;
  isolation?: string;
}

/** An error the daemon answered with: its HTTP status and message. */
export class EngineError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export const isNotFound = (err: unknown): boolean => err instanceof EngineError && err.status === 404;
export const isConflict = (err: unknown): boolean => err instanceof EngineError && err.status === 409;

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
  /** PUT /containers/{id}/archive: a tar stream extracted at `path`. */
  putArchive(id: string, path: string, tar: NodeJS.ReadableStream): Promise<void>;
  logs(id: string, options: { follow: boolean; tail?: string; timestamps: boolean; since?: string; until?: string; tty: boolean }): Promise<Stream<LogLine>>;
  /** The container's output from now on (attach, stream=1), resolved once attached. */
  attach(id: string, options: { tty: boolean }): Promise<Stream<LogLine>>;
  top(id: string, psArgs?: string): Promise<{ Titles: string[]; Processes: string[][] }>;
  /** exec create + start, output collected; resolves with its exit code (post_start and pre_stop hooks). */
  execAndWait(id: string, options: { cmd: string[]; user?: string; workingDir?: string; env?: string[]; privileged?: boolean }): Promise<{ exitCode: number; output: string }>;

  // Networks
  listNetworks(options: { labels?: LabelFilter }): Promise<NetworkView[]>;
  createNetwork(request: NetworkCreateBody): Promise<{ id: string }>;
  removeNetwork(idOrName: string): Promise<void>;
  connectNetwork(network: string, container: string, endpoint: unknown): Promise<void>;

  // Volumes
  listVolumes(options: { labels?: LabelFilter }): Promise<VolumeView[]>;
  createVolume(request: VolumeCreateRequest): Promise<VolumeView>;
  removeVolume(name: string, options: { force: boolean }): Promise<void>;

  // Images
  /** undefined when the daemon has no such image. */
  inspectImage(ref: string): Promise<ImageView | undefined>;
  pullImage(ref: string, options: { platform?: string }): Promise<AsyncIterable<JsonMessage>>;
  pushImage(ref: string): Promise<AsyncIterable<JsonMessage>>;
  /** POST /build with the context as a tar stream. */
  buildImage(context: NodeJS.ReadableStream, options: BuildRequest): Promise<AsyncIterable<JsonMessage>>;
  removeImage(ref: string, options: { force: boolean }): Promise<void>;

  // Events
  /**
   * Resolves once the daemon has the subscription in place. Filters are the API's (`type`,
   * `label`…); callers match labels themselves too, since not every daemon copies a container's
   * labels onto all of its events.
   */
  events(options: { filters?: Record<string, string[]>; since?: string; until?: string }): Promise<Stream<EngineEvent>>;
}
