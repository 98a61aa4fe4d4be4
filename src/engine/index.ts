// The container engine: containers, their lifecycle, logs and attach.
export { Engine, type EngineDeps } from './engine.ts';
export { EventBus, type EngineEvent, type EngineConfig, type ImageLookup, type ImageRef, type ContainerLayers, type ContainerRuntime } from './context.ts';
export type { Container, WaitCondition } from './container.ts';
export type { AttachOptions, AttachSession, OutputWriter } from './attach.ts';
export type { LogOptions, LogRecord } from './logs.ts';
export type { ListOptions } from './list.ts';
export type { RemoveOptions } from './remove.ts';
export { statusString } from './inspect.ts';
export { mergeImageConfig } from './create.ts';
export { parseLogTime, formatLogTime } from './logs.ts';
export type { ExecCreateRequest, ExecStartOptions } from './exec.ts';
export type { TopResult } from './top.ts';
export { mergeCommitConfig, type CommitOptions, type ContainerCommitter } from './commit.ts';
export type { ContainerExporter } from './export.ts';
export type { ContainerNetworking } from './context.ts';
export type { PathStat, ExtractOptions } from './archive.ts';
export type { ContainerVolumes } from './context.ts';
