// The Engine API client used by the berth CLI (and later compose and the web dashboard): typed
// namespaces per resource over one HTTP transport. It depends on nothing but the wire types of
// src/types, and must not learn anything berthd-specific.
export { Client } from './client.ts';
export { ApiError, ConnectionError, clientApiVersion, type ApiResponse, type ClientOptions, type TlsOptions } from './transport.ts';
export type { AttachOptions, CommitOptions, LogsOptions, StopOptions, WaitCondition } from './containers.ts';
export type { BuildOptions, ImportOptions } from './images.ts';
export type { EventMessage, EventsOptions } from './system.ts';
export { encodeRegistryAuth } from './registry.ts';
export { demux, jsonLines, jsonMessages } from './streams.ts';
