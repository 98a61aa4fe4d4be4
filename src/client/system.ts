// /version, /info, /system/df, /events.
import type { IncomingMessage } from 'node:http';
import type { DiskUsage, SystemInfo, SystemVersion } from '../types/index.ts';
import { filtersQuery } from './paths.ts';
import type { Transport } from './transport.ts';

/** One message of GET /events (api/types/events.Message). */
export interface EventMessage {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope?: string;
  /** Seconds since the epoch. */
  time: number;
  /** Nanoseconds since the epoch. */
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

  /** The event stream: one JSON message a line (see jsonLines), until `until` or the caller destroys it. */
  events(options: EventsOptions = {}): Promise<IncomingMessage> {
    return this.#t.stream('GET', '/events', {
      query: { since: options.since, until: options.until, ...filtersQuery(options.filters) },
    });
  }
}
