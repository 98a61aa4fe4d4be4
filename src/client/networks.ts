// /networks/*.
import type {
  NetworkConnectBody,
  NetworkCreateBody,
  NetworkCreateResponse,
  NetworkDisconnectBody,
  NetworkResource,
  NetworksPruneReport,
} from '../types/index.ts';
import { filtersQuery, segment } from './paths.ts';
import type { Transport } from './transport.ts';

export class Networks {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  list(filters?: Record<string, string[]>): Promise<NetworkResource[]> {
    return this.#t.get('/networks', filtersQuery(filters));
  }

  inspect(ref: string): Promise<NetworkResource> {
    return this.#t.get(`/networks/${segment(ref)}`);
  }

  create(body: NetworkCreateBody): Promise<NetworkCreateResponse> {
    return this.#t.post('/networks/create', { body });
  }

  async remove(ref: string): Promise<void> {
    await this.#t.request('DELETE', `/networks/${segment(ref)}`);
  }

  prune(filters: Record<string, string[]>): Promise<NetworksPruneReport> {
    return this.#t.post('/networks/prune', { query: filtersQuery(filters) });
  }

  async connect(ref: string, body: NetworkConnectBody): Promise<void> {
    await this.#t.request('POST', `/networks/${segment(ref)}/connect`, { body });
  }

  async disconnect(ref: string, body: NetworkDisconnectBody): Promise<void> {
    await this.#t.request('POST', `/networks/${segment(ref)}/disconnect`, { body });
  }
}
