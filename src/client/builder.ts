// /build/prune: the build cache (builds themselves are client.images.build).
import type { BuildCachePruneReport } from '../types/index.ts';
import { filtersQuery } from './paths.ts';
import type { Transport } from './transport.ts';

export class Builder {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Without `all`, only the cache no tagged image uses; `keepStorage` in bytes (0: none kept). */
  prune(options: { all: boolean; filters: Record<string, string[]>; keepStorage?: number }): Promise<BuildCachePruneReport> {
    return this.#t.post('/build/prune', { query: { all: options.all || undefined, ...filtersQuery(options.filters), 'keep-storage': options.keepStorage } });
  }
}
