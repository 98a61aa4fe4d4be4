// Who may do what. Requests need access ("repository:<name>:pull,push"); an authenticator turns
// the Authorization header into a user and the access granted, or a 401 challenge:
//   none      everyone may do everything (distribution without an auth section)
//   htpasswd  HTTP Basic against bcrypt entries; users get what the access rules grant them
//   token     Bearer JWTs from a token service (ours, built in, or an external one trusted
//             through rootcertbundle); a token carries its own grants
// Access rules (the `access` section) give users and groups pull/push/delete per repository
// pattern; without rules, every authenticated user may do everything, as in distribution.
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import bcrypt from 'bcryptjs';
import { apiError } from './errors.ts';
import { JwtError, signJwt, verifyJwt, type TrustStore } from './jwt.ts';

export interface Access {
  type: string;
  name: string;
  actions: string[];
}

/** "repository:team/app:pull,push" → its parts (the name may hold colons: "repository:host:5000/x:pull"). */
export function parseScope(scope: string): Access | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  const type = scope.slice(0, first).replace(/\(.*\)$/, '');
  return { type, name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean) };
}

export function scopeString(a: Access): string {
  return `${a.type}:${a.name}:${a.actions.join(',')}`;
}

/** The access a request needs, as distribution computes it from the method. */
export function requiredAccess(method: string, name: string | undefined, o: { catalog?: boolean; mountFrom?: string } = {}): Access[] {
  if (o.catalog) return [{ type: 'registry', name: 'catalog', actions: ['*'] }];
  if (!name) return [];
  switch (method) {
    case 'GET':
    case 'HEAD':
      return [{ type: 'repository', name, actions: ['pull'] }];
    case 'DELETE':
      return [{ type: 'repository', name, actions: ['delete'] }];
    default: {
      const out: Access[] = [{ type: 'repository', name, actions: ['pull', 'push'] }];
      if (o.mountFrom) out.push({ type: 'repository', name: o.mountFrom, actions: ['pull'] });
      return out;
    }
  }
}

/** Whether `granted` covers every action of `needed` ("*" grants every action). */
export function covers(granted: Access[], needed: Access[]): boolean {
  return needed.every((n) =>
    n.actions.every((action) => granted.some((g) => g.type === n.type && g.name === n.name && (g.actions.includes(action) || g.actions.includes('*')))),
  );
}

export interface AccessRule {
  repository: string;
  users?: string[];
  groups?: string[];
  /** Applies to requests without credentials too. */
  anonymous?: boolean;
  actions: string[];
}

export interface AccessConfig {
  groups?: Record<string, string[]>;
  rules?: AccessRule[];
}

/** A repository pattern: `*` matches within one path component, `**` across components. */
export function patternMatches(pattern: string, name: string): boolean {
  const re = pattern
    .split('**')
    .map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
    .join('.*');
  return new RegExp(`^${re}$`).test(name);
}

export class AccessPolicy {
  #groups: Record<string, string[]>;
  #rules: AccessRule[] | undefined;

  constructor(config: AccessConfig | undefined) {
    this.#groups = config?.groups ?? {};
    this.#rules = config?.rules;
  }

  get hasRules(): boolean {
    return this.#rules !== undefined;
  }

  /** The actions `user` (undefined: anonymous) has on a repository. */
  actions(user: string | undefined, repository: string): string[] {
    if (!this.#rules) return user === undefined ? [] : ['pull', 'push', 'delete'];
    const out = new Set<string>();
    for (const r of this.#rules) {
      if (!patternMatches(r.repository, repository)) continue;
      const applies =
        r.anonymous === true ||
        (user !== undefined && ((r.users ?? []).some((u) => u === user || u === '*') || (r.groups ?? []).some((g) => (this.#groups[g] ?? []).includes(user))));
      if (applies) for (const a of r.actions) out.add(a);
    }
    if (out.has('*')) return ['pull', 'push', 'delete'];
    return [...out];
  }

  /** What of `requested` the user is granted (the catalog to any authenticated user; it is filtered by pull). */
  grant(user: string | undefined, requested: Access[]): Access[] {
    const out: Access[] = [];
    for (const r of requested) {
      if (r.type === 'registry' && r.name === 'catalog') {
        if (user !== undefined || this.#rules?.some((x) => x.anonymous)) out.push({ ...r, actions: r.actions.filter((a) => a === '*') });
        continue;
      }
      if (r.type !== 'repository') continue;
      const allowed = this.actions(user, r.name);
      const actions = r.actions.filter((a) => allowed.includes(a) || (a === '*' && allowed.length === 3));
      if (actions.length) out.push({ ...r, actions });
    }
    return out;
  }
}

// --- htpasswd ------------------------------------------------------------------------------

/** An htpasswd file of bcrypt entries, re-read when it changes; verified passwords are cached. */
export class Htpasswd {
  readonly path: string;
  #entries = new Map<string, string>();
  #mtime = -1;
  #verified = new Map<string, string>();

  constructor(path: string) {
    this.path = path;
  }

  async #load(): Promise<void> {
    const st = await fsp.stat(this.path);
    if (st.mtimeMs === this.#mtime) return;
    const entries = new Map<string, string>();
    for (const line of (await fsp.readFile(this.path, 'utf8')).split('\n')) {
      const t = line.trim();
      if (!t || t.startsWith('#')) continue;
      const i = t.indexOf(':');
      if (i > 0) entries.set(t.slice(0, i), t.slice(i + 1));
    }
    this.#entries = entries;
    this.#verified.clear();
    this.#mtime = st.mtimeMs;
  }

  async verify(user: string, password: string): Promise<boolean> {
    await this.#load();
    const hash = this.#entries.get(user);
    if (!hash || !/^\$2[aby]?\$/.test(hash)) return false;
    // bcrypt costs tens of milliseconds a check: a client sends its credentials with every request
    const key = createHash('sha256').update(`${user}\0${password}\0${hash}`).digest('hex');
    if (this.#verified.get(user) === key) return true;
    const ok = await bcrypt.compare(password, hash);
    if (ok) this.#verified.set(user, key);
    return ok;
  }
}

export function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const text = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) return undefined;
  return { user: text.slice(0, i), password: text.slice(i + 1) };
}

// --- authenticators ------------------------------------------------------------------------

export interface AuthResult {
  user: string | undefined;
  /** What the request may do (checked against what it needs by the caller). */
  granted: Access[];
}

export interface Authenticator {
  /** Resolves who sent the request and what they may do; throws UNAUTHORIZED (with its challenge) when credentials are wrong. */
  authenticate(authorization: string | undefined, needed: Access[]): Promise<AuthResult>;
  /** The WWW-Authenticate challenge for a request needing `needed` (origin: this server's scheme://host). */
  challenge(needed: Access[], error?: string, origin?: string): string;
}

export const noAuth: Authenticator = {
  async authenticate(_authorization, needed) {
    return { user: undefined, granted: needed };
  },
  challenge: () => '',
};

export class HtpasswdAuth implements Authenticator {
  #file: Htpasswd;
  #realm: string;
  #policy: AccessPolicy;

  constructor(o: { path: string; realm: string; policy: AccessPolicy }) {
    this.#file = new Htpasswd(o.path);
    this.#realm = o.realm;
    this.#policy = o.policy;
  }

  get file(): Htpasswd {
    return this.#file;
  }

  async authenticate(authorization: string | undefined, needed: Access[]): Promise<AuthResult> {
    const basic = parseBasic(authorization);
    if (!basic) return { user: undefined, granted: this.#policy.grant(undefined, needed) };
    if (!(await this.#file.verify(basic.user, basic.password))) {
      throw apiError('UNAUTHORIZED', { message: 'authentication required' });
    }
    return { user: basic.user, granted: this.#policy.grant(basic.user, needed) };
  }

  challenge(_needed?: Access[]): string {
    return `Basic realm=${JSON.stringify(this.#realm)}`;
  }
}

export interface TokenAuthOptions {
  realm: string;
  service: string;
  issuer: string;
  trust: TrustStore;
  /** Seconds of clock skew tolerated on exp/nbf. */
  leeway?: number;
}

/** Bearer tokens: verifies signature, issuer, audience and times; the token's access claims are the grants. */
export class TokenAuth implements Authenticator {
  #o: TokenAuthOptions;

  constructor(o: TokenAuthOptions) {
    this.#o = o;
  }

  async authenticate(authorization: string | undefined, _needed: Access[]): Promise<AuthResult> {
    if (!authorization || !/^bearer /i.test(authorization)) return { user: undefined, granted: [] };
    let claims: Record<string, unknown>;
    try {
      claims = verifyJwt(authorization.slice(7).trim(), this.#o.trust).claims;
      checkClaims(claims, this.#o);
    } catch (err) {
      if (!(err instanceof JwtError)) throw err;
      throw apiError('UNAUTHORIZED', { message: err.message });
    }
    const access = Array.isArray(claims.access) ? (claims.access as Access[]).filter((a) => a && typeof a.type === 'string' && typeof a.name === 'string' && Array.isArray(a.actions)) : [];
    return { user: typeof claims.sub === 'string' && claims.sub ? claims.sub : undefined, granted: access };
  }

  challenge(needed: Access[], error?: string, origin?: string): string {
    // The built-in service's realm defaults to this server, as the client reached it.
    const realm = this.#o.realm || `${origin ?? 'http://localhost'}/auth/token`;
    const params = [`realm=${JSON.stringify(realm)}`, `service=${JSON.stringify(this.#o.service)}`];
    if (needed.length) params.push(`scope=${JSON.stringify(needed.map(scopeString).join(' '))}`);
    if (error) params.push(`error=${JSON.stringify(error)}`);
    return `Bearer ${params.join(',')}`;
  }
}

function checkClaims(claims: Record<string, unknown>, o: TokenAuthOptions): void {
  const now = Date.now() / 1000;
  const leeway = o.leeway ?? 60;
  if (claims.iss !== o.issuer) throw new JwtError('token issuer does not match');
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(o.service)) throw new JwtError('token audience does not match');
  if (typeof claims.exp !== 'number' || claims.exp + leeway < now) throw new JwtError('token has expired');
  if (typeof claims.nbf === 'number' && claims.nbf - leeway > now) throw new JwtError('token is not valid yet');
}

// --- the built-in token service --------------------------------------------------------------

export interface TokenIssuerOptions {
  service: string;
  issuer: string;
  key: KeyObject;
  kid: string;
  /** Token lifetime in seconds. */
  expiration: number;
  htpasswd: Htpasswd;
  policy: AccessPolicy;
}

/** Issues tokens as docker's token spec describes (GET with Basic, or the OAuth2 password grant). */
export class TokenIssuer {
  #o: TokenIssuerOptions;

  constructor(o: TokenIssuerOptions) {
    this.#o = o;
  }

  /** Authenticates (undefined credentials: anonymous) and signs a token for the granted part of `scopes`. */
  async issue(credentials: { user: string; password: string } | undefined, service: string | null, scopes: string[]): Promise<{ token: string; expiresIn: number; issuedAt: string }> {
    if (service !== null && service !== this.#o.service) throw apiError('DENIED', { status: 400, message: `unknown service ${JSON.stringify(service)}` });
    if (credentials && !(await this.#o.htpasswd.verify(credentials.user, credentials.password))) {
      throw apiError('UNAUTHORIZED', { message: 'incorrect username or password' });
    }
    const requested = scopes.flatMap((s) => s.split(' ')).map(parseScope).filter((a): a is Access => a !== undefined);
    const access = this.#o.policy.grant(credentials?.user, requested);
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: this.#o.issuer,
      sub: credentials?.user ?? '',
      aud: this.#o.service,
      exp: now + this.#o.expiration,
      nbf: now - 5,
      iat: now,
      jti: randomBytes(16).toString('hex'),
      access,
    };
    return { token: signJwt(claims, this.#o.key, { kid: this.#o.kid }), expiresIn: this.#o.expiration, issuedAt: new Date(now * 1000).toISOString() };
  }
}
