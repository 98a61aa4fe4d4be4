// The Engine API client used by the berth CLI (and later compose and the web dashboard).
export { Client, ApiError, ConnectionError, clientApiVersion, type ClientOptions, type RequestOptions } from './client.ts';
export { demux, jsonMessages } from './streams.ts';
