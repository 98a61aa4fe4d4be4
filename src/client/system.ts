// /version, /info, /system/df, /events.
import type { DiskUsage, SystemInfo, SystemVersion } from '../types/index.ts';
import { filtersQuery } from './paths.ts';
import type { ApiResponse, Transport } from './transport.ts';

/** A message of GET /events (dockerd's events.Message). */
export interface EventMessage {
  status?: string;
  id?: string;
  from?: string;
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: string;
  time: number;
  timeNano: number;
}

export interface EventsOptions {
  /** Unix time ("seconds[.nanoseconds]") or anything the daemon takes (RFC 3339, durations). */
  since?: string;
  until?: string;
  filters?: Record<string, string[]>;
}

export class System {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  version(): Promise<SystemVersion> {
    return this.#t.get('/version');
  }

  info(): Promise<SystemInfo> {
    return this.#t.get('/info');
  }

  diskUsage(): Promise<DiskUsage> {
    return this.#t.get('/system/df');
  }

  /** POST /build/prune: the build cache (`all`: not only what no build can reuse). */
  pruneBuildCache(options: { all: boolean; filters?: Record<string, string[]> }): Promise<{ CachesDeleted: string[] | null; SpaceReclaimed: number }> {
    return this.#t.post('/build/prune', { query: { all: options.all, ...filtersQuery(options.filters) } });
  }

  /** GET /events: one JSON message per line; `since`/`until` are unix times "seconds.nanoseconds". */
  events(options: EventsOptions = {}): Promise<ApiResponse> {
    return this.#t.stream('GET', '/events', { query: { since: options.since, until: options.until, ...filtersQuery(options.filters) } });
  }
}
