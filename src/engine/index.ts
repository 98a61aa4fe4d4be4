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
