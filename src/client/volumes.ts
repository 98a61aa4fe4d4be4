// /volumes/*.
import type { Volume, VolumeCreateBody, VolumeListResponse, VolumesPruneReport } from '../types/index.ts';
import { filtersQuery, segment } from './paths.ts';
import type { Transport } from './transport.ts';

export class Volumes {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  list(filters?: Record<string, string[]>): Promise<VolumeListResponse> {
    return this.#t.get('/volumes', filters === undefined ? undefined : filtersQuery(filters));
  }

  inspect(name: string): Promise<Volume> {
    return this.#t.get(`/volumes/${segment(name)}`);
  }

  create(body: VolumeCreateBody): Promise<Volume> {
    return this.#t.post('/volumes/create', { body });
  }

  async remove(name: string, options: { force: boolean }): Promise<void> {
    await this.#t.request('DELETE', `/volumes/${segment(name)}`, { query: { force: options.force } });
  }

  prune(filters: Record<string, string[]>): Promise<VolumesPruneReport> {
    return this.#t.post('/volumes/prune', { query: filtersQuery(filters) });
  }
}
