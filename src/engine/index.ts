// The container engine. Owns containers: their records under containers/<id>, the lifecycle
// verbs, exec, logs, attach, cp/export, restart policies and healthchecks, and the events those
// verbs cause. It reaches images, layers, networks, volumes and the runtime only through the
// ports it declares in context.ts (and `ps` through the ProcessTable port); it never runs runc,
// iptables or mount itself, and never speaks HTTP (src/api does).
export { Engine, type EngineDeps } from './engine.ts';
export { ContainerStore } from './store.ts';
export { HostProcessTable, type ProcessTable } from './ps.ts';
export type {
  EngineConfig,
  EnginePublisher,
  ImageCommitter,
  ImageLookup,
  ImageRef,
  ContainerLayers,
  ContainerRuntime,
  ContainerLogs,
  ContainerNetworking,
  ContainerVolumes,
  ContainerCgroups,
  ContainerDefaults,
  HostFacts,
  ProcFiles,
} from './context.ts';
export type { Container, WaitCondition } from './container.ts';
export type { AttachOptions, AttachSession, OutputWriter } from './attach.ts';
export type { LogOptions, LogRecord } from './logs.ts';
export type { ListOptions } from './list.ts';
export type { RemoveOptions } from './remove.ts';
export type { ContainersPruneReport } from './prune.ts';
export { statusString } from './inspect.ts';
export { mergeImageConfig } from './create.ts';
export type { ExecStartOptions } from './exec.ts';
export type { StatsOptions } from './stats.ts';
export type { HostConfigRequest } from './host-config-validate.ts';
export { mergeCommitConfig, type CommitOptions } from './commit.ts';
export type { ExtractOptions } from './archive.ts';
