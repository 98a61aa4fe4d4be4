// Registry authentication: the credentials a client sends (X-Registry-Auth, POST /auth), the
// WWW-Authenticate challenge, HTTP Basic and Bearer tokens from the challenge's realm.
import type { IncomingMessage } from 'node:http';
import { InvalidArgument, SystemError, Unauthorized } from '../errors/index.ts';
import { errorFrom, goMethod, header, readBody, send, RegistryError } from './transport.ts';
import type { Endpoint } from './endpoints.ts';

/** docker's registry.AuthConfig as the API carries it. */
export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** X-Registry-Auth: base64url (or plain base64) JSON; empty or "{}" means anonymous. */
export function decodeAuthHeader(value: string | undefined): AuthConfig | undefined {
  if (!value) return undefined;
  let parsed: AuthConfig;
  try {
    parsed = JSON.parse(Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as AuthConfig;
  } catch {
    throw new InvalidArgument('invalid X-Registry-Auth header');
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  if (!parsed.username && parsed.auth) {
    const [u, ...p] = Buffer.from(parsed.auth, 'base64').toString('utf8').split(':');
    parsed.username = u;
    parsed.password = p.join(':');
  }
  return parsed.username || parsed.identitytoken || parsed.registrytoken ? parsed : undefined;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (several challenges may share one header). */
export function parseChallenges(values: string | string[] | undefined): Challenge[] {
  const out: Challenge[] = [];
  for (const v of Array.isArray(values) ? values : values ? [values] : []) {
    const re = /\s*([A-Za-z][\w-]*)(?:\s+|$)((?:[\w-]+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^,\s]*)\s*,?\s*)*)/y;
    let m: RegExpExecArray | null;
    while (re.lastIndex < v.length && (m = re.exec(v)) !== null) {
      const params: Record<string, string> = {};
      for (const p of m[2].matchAll(/([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
        params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
      }
      out.push({ scheme: m[1].toLowerCase(), params });
      if (m[0] === '') break;
    }
  }
  return out;
}

/**
 * The credentials of one registry endpoint: learns the challenge from the first 401 and then
 * answers it, caching bearer tokens per scope.
 */
export class AuthSession {
  readonly endpoint: Endpoint;
  #auth: AuthConfig | undefined;
  #challenge: Challenge | undefined;
  #tokens = new Map<string, { token: string; expires: number }>();

  constructor(endpoint: Endpoint, auth: AuthConfig | undefined) {
    this.endpoint = endpoint;
    this.#auth = auth;
  }

  get hasChallenge(): boolean {
    return this.#challenge !== undefined;
  }

  /** Records the challenge of a 401 answer; false when there is none to answer. */
  learn(res: IncomingMessage): boolean {
    const c = parseChallenges(res.headers['www-authenticate']);
    const chosen = c.find((x) => x.scheme === 'bearer') ?? c.find((x) => x.scheme === 'basic');
    if (!chosen) return false;
    this.#challenge = chosen;
    return true;
  }

  /** The Authorization header for a request needing `scopes`, if a challenge asks for one. */
  async authorization(method: string, url: URL, scopes: string[], signal?: AbortSignal): Promise<string | undefined> {
    const c = this.#challenge;
    if (!c) return undefined;
    if (c.scheme === 'basic') {
      // dockerd reports this one as a plain error (500), not a 401 the docker CLI would answer
      // with a login prompt.
      if (!this.#auth?.username) throw new SystemError(`${goMethod(method)} "${url.href}": no basic auth credentials`);
      return `Basic ${Buffer.from(`${this.#auth.username}:${this.#auth.password ?? ''}`).toString('base64')}`;
    }
    if (this.#auth?.registrytoken) return `Bearer ${this.#auth.registrytoken}`;
    const key = scopes.slice().sort().join(' ');
    const cached = this.#tokens.get(key);
    if (cached && cached.expires > Date.now()) return `Bearer ${cached.token}`;
    const token = await this.fetchToken(c, scopes, signal);
    this.#tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  async fetchToken(c: Challenge, scopes: string[], signal?: AbortSignal): Promise<{ token: string; expires: number }> {
    const realm = c.params.realm;
    if (!realm) throw new Unauthorized('unauthorized: the registry sent a bearer challenge without a realm');
    const url = new URL(realm);
    if (c.params.service) url.searchParams.set('service', c.params.service);
    for (const s of scopes) url.searchParams.append('scope', s);
    if (this.#auth?.username) url.searchParams.set('account', this.#auth.username);
    const headers: Record<string, string> = {};
    if (this.#auth?.username) headers.Authorization = `Basic ${Buffer.from(`${this.#auth.username}:${this.#auth.password ?? ''}`).toString('base64')}`;
    const res = await send('GET', url, { headers, insecureTls: this.endpoint.insecureTls, ...(signal ? { signal } : {}) });
    if ((res.statusCode ?? 0) !== 200) {
      const err = await errorFrom(res, 'GET', url);
      if (res.statusCode === 401 || res.statusCode === 403) {
        throw new Unauthorized(err.code ? err.message : 'unauthorized: incorrect username or password', { cause: err });
      }
      throw err;
    }
    const body = JSON.parse((await readBody(res)).toString('utf8')) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError('authorization server did not include a token in the response', { status: 200, transient: false, kind: 'unauthorized' });
    const lifetime = Math.max(60, body.expires_in ?? 60);
    return { token, expires: Date.now() + (lifetime - 10) * 1000 };
  }

  /** Login: GET /v2/ and answer its challenge with the credentials; throws when refused. */
  async login(signal?: AbortSignal): Promise<void> {
    const url = new URL('/v2/', this.endpoint.base);
    let res = await send('GET', url, { insecureTls: this.endpoint.insecureTls, ...(signal ? { signal } : {}) });
    if (res.statusCode === 200) return void res.resume();
    if (res.statusCode !== 401 || !this.learn(res)) throw await errorFrom(res, 'GET', url);
    res.resume();
    const c = this.#challenge!;
    if (c.scheme === 'bearer') {
      await this.fetchToken(c, [], signal);
      return;
    }
    const authorization = await this.authorization('GET', url, [], signal);
    res = await send('GET', url, { headers: { Authorization: authorization! }, insecureTls: this.endpoint.insecureTls, ...(signal ? { signal } : {}) });
    res.resume();
    if (res.statusCode === 200) return;
    throw new Unauthorized(`login attempt to ${url.href} failed with status: ${res.statusCode} ${header(res.headers, 'status') ?? statusText(res.statusCode ?? 0)}`);
  }
}

function statusText(status: number): string {
  return ({ 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' } as Record<number, string>)[status] ?? '';
}
