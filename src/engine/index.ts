// The container engine: containers, their lifecycle, logs and attach.
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
  ContainerNetworking,
  ContainerVolumes,
} from './context.ts';
export type { Container, WaitCondition } from './container.ts';
export type { AttachOptions, AttachSession, OutputWriter } from './attach.ts';
export type { LogOptions, LogRecord } from './logs.ts';
export type { ListOptions } from './list.ts';
export type { RemoveOptions } from './remove.ts';
export type { ContainersPruneReport } from './prune.ts';
export { statusString } from './inspect.ts';
export { mergeImageConfig } from './create.ts';
export { parseLogTime, formatLogTime } from './logs.ts';
export type { ExecCreateRequest, ExecStartOptions } from './exec.ts';
export type { TopResult } from './top.ts';
export { mergeCommitConfig, type CommitOptions } from './commit.ts';
export type { PathStat, ExtractOptions } from './archive.ts';
