// What the daemon does with registries on the client's behalf besides pull and push: log in
// (POST /auth) and search. Credentials for pull and push travel in X-Registry-Auth.
import type { AuthConfig, AuthResponse, ImageSearchResult } from '../types/index.ts';
import type { Transport } from './transport.ts';

/** The X-Registry-Auth header for a set of credentials ("{}" for none, as docker sends). */
export function encodeRegistryAuth(auth: AuthConfig | Record<string, never>): string {
  return Buffer.from(JSON.stringify(auth)).toString('base64url');
}

export class Registry {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  login(auth: AuthConfig): Promise<AuthResponse> {
    return this.#t.post('/auth', { body: auth });
  }

  search(term: string, options: { limit?: number } = {}): Promise<ImageSearchResult[]> {
    return this.#t.get('/images/search', { term, ...(options.limit ? { limit: options.limit } : {}) });
  }
}
