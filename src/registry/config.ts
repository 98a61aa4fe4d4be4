// config.yml with distribution's keys, so a `registry:2` configuration works as it is
// (storage.filesystem.rootdirectory, storage.delete.enabled, http.addr, http.tls, http.headers,
// auth.htpasswd, auth.token, proxy.*, health, log …), REGISTRY_* environment overrides as
// distribution reads them (REGISTRY_HTTP_ADDR, REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY …), and
// Berth's additions: `access` (per-repository permissions for users and groups), a built-in token
// service (auth.token.signingkey + auth.token.htpasswd) and `ui`. Keys distribution would ignore
// are reported as warnings; features that are not implemented (other storage drivers, redis,
// notifications, Let's Encrypt) are refused, never silently accepted.
import { parse as parseYaml } from 'yaml';
import { InvalidArgument } from '../errors/index.ts';
import { parseGoDuration } from '../lib/index.ts';
import type { AccessConfig, AccessRule } from './auth.ts';

export type AuthConfig =
  | { kind: 'none' }
  | { kind: 'htpasswd'; realm: string; path: string }
  | {
      kind: 'token';
      realm: string;
      service: string;
      issuer: string;
      /** Certificates (and public keys) trusted for tokens of an external service. */
      rootCertBundle?: string;
      /** The built-in token service: the key it signs with (created when missing) … */
      signingKey?: string;
      /** … and the users it authenticates. */
      htpasswd?: string;
      /** Token lifetime in seconds (built-in service). */
      expiration: number;
    };

export interface RegistryConfig {
  addr: string;
  net: 'tcp' | 'unix';
  root: string;
  deleteEnabled: boolean;
  readOnly: boolean;
  relativeUrls: boolean;
  /** http.host: the externally reachable URL used in Location headers (else the request's Host). */
  host?: string;
  /** http.draintimeout: how long shutdown waits for requests in flight. */
  drainMs: number;
  /** Extra headers on every response (http.headers). */
  headers: Record<string, string[]>;
  tls?: { certificate: string; key: string; clientCas: string[]; minimumTls?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' };
  log: { level: 'debug' | 'info' | 'warn' | 'error'; formatter: 'text' | 'json'; fields: Record<string, unknown>; accessLog: boolean };
  auth: AuthConfig;
  access?: AccessConfig;
  proxy?: { remoteUrl: string; username?: string; password?: string; ttlMs: number };
  uploadPurging: { enabled: boolean; ageMs: number; intervalMs: number; dryRun: boolean };
  health: { enabled: boolean; intervalMs: number; threshold: number };
  catalogMaxEntries: number;
  debugAddr?: string;
  ui: { enabled: boolean; title: string };
  /** Keys distribution would ignore, or that are accepted without effect here, for the log. */
  warnings: string[];
}

export const defaultRoot = '/var/lib/berth-registry';
export const defaultAddr = '127.0.0.1:5000';

type Raw = Record<string, unknown>;

const known: Record<string, unknown> = {
  version: true,
  log: { level: true, formatter: true, fields: true, accesslog: { disabled: true }, hooks: 'log hooks are not supported', reportcaller: 'caller reporting is not supported' },
  loglevel: true,
  storage: {
    filesystem: { rootdirectory: true, maxthreads: 'Node.js schedules its own file I/O' },
    delete: { enabled: true },
    cache: { blobdescriptor: true, blobdescriptorsize: 'descriptors are read from the file system' },
    maintenance: { uploadpurging: { enabled: true, age: true, interval: true, dryrun: true }, readonly: { enabled: true } },
    redirect: { disable: true },
    tag: { concurrencylimit: 'tags are read one at a time' },
  },
  http: {
    addr: true,
    net: true,
    prefix: true,
    host: true,
    secret: 'upload state stays in the registry, not in signed URLs',
    relativeurls: true,
    draintimeout: true,
    tls: { certificate: true, key: true, clientcas: true, minimumtls: true, ciphersuites: true, letsencrypt: true },
    headers: true,
    debug: { addr: true, prometheus: true },
    http2: { disabled: true },
  },
  auth: {
    htpasswd: { realm: true, path: true },
    token: { realm: true, service: true, issuer: true, rootcertbundle: true, autoredirect: 'the built-in service always answers on the host the client used', jwks: true, signingkey: true, htpasswd: true, expiration: true },
    silly: true,
    none: true,
  },
  access: { groups: true, rules: true },
  health: { storagedriver: { enabled: true, interval: true, threshold: true }, file: true, http: true, tcp: true },
  proxy: { remoteurl: true, username: true, password: true, ttl: true },
  catalog: { maxentries: true },
  validation: 'manifests are validated by the OCI rules; URL allow/deny lists are not supported',
  compatibility: true,
  notifications: true,
  redis: 'redis is not used (blob descriptors are read from the file system)',
  middleware: true,
  reporting: 'bugsnag/newrelic reporting is not supported',
  ui: { enabled: true, title: true },
};

function unknownKeys(raw: unknown, schema: unknown, path: string, out: string[]): void {
  if (typeof schema === 'string') {
    out.push(`${path.slice(0, -1)} has no effect here: ${schema}`);
    return;
  }
  if (schema === true || !raw || typeof raw !== 'object' || Array.isArray(raw) || typeof schema !== 'object') return;
  for (const [k, v] of Object.entries(raw as Raw)) {
    const sub = (schema as Raw)[k];
    if (sub === undefined) out.push(`unknown configuration key ${path}${k} (ignored)`);
    else unknownKeys(v, sub, `${path}${k}.`, out);
  }
}

function get(raw: Raw, path: string): unknown {
  let v: unknown = raw;
  for (const k of path.split('.')) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Raw)[k];
  }
  return v;
}

function str(raw: Raw, path: string): string | undefined {
  const v = get(raw, path);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw new InvalidArgument(`configuration: ${path} must be a string`);
  return String(v);
}

function bool(raw: Raw, path: string, dflt: boolean): boolean {
  const v = get(raw, path);
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new InvalidArgument(`configuration: ${path} must be true or false`);
}

function duration(raw: Raw, path: string, dflt: number): number {
  const v = get(raw, path);
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'number') return v / 1e6; // yaml numbers are nanoseconds, as Go's time.Duration
  try {
    return Number(parseGoDuration(String(v)) / 1_000_000n);
  } catch (err) {
    throw new InvalidArgument(`configuration: ${path}: ${(err as Error).message}`);
  }
}

/** REGISTRY_HTTP_ADDR=… → raw.http.addr (distribution's environment overrides). */
export function applyEnv(raw: Raw, env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('REGISTRY_') || value === undefined) continue;
    const path = name.slice(9).toLowerCase().split('_');
    let node = raw;
    for (const k of path.slice(0, -1)) {
      if (!node[k] || typeof node[k] !== 'object') node[k] = {};
      node = node[k] as Raw;
    }
    const parsed = parseYaml(value) as unknown;
    node[path[path.length - 1]] = parsed === null ? value : parsed;
  }
}

export interface ConfigOverrides {
  addr?: string;
  root?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string[];
  deleteEnabled?: boolean;
}

/** Parses config.yml text (empty: defaults), environment overrides, then command-line overrides. */
export function parseConfig(text: string, o: { env?: NodeJS.ProcessEnv; overrides?: ConfigOverrides } = {}): RegistryConfig {
  let raw: Raw;
  try {
    raw = (text.trim() ? parseYaml(text) : {}) as Raw;
  } catch (err) {
    throw new InvalidArgument(`configuration: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidArgument('configuration: not a YAML mapping');
  applyEnv(raw, o.env ?? {});
  const warnings: string[] = [];
  unknownKeys(raw, known, '', warnings);
  const ov = o.overrides ?? {};

  // storage
  const storage = (get(raw, 'storage') ?? {}) as Raw;
  for (const driver of Object.keys(storage)) {
    if (['filesystem', 'delete', 'cache', 'maintenance', 'redirect', 'tag'].includes(driver)) continue;
    throw new InvalidArgument(`configuration: storage driver ${JSON.stringify(driver)} is not supported (only filesystem)`);
  }
  const cache = str(raw, 'storage.cache.blobdescriptor');
  if (cache !== undefined && cache !== 'inmemory') throw new InvalidArgument(`configuration: storage.cache.blobdescriptor ${JSON.stringify(cache)} is not supported (only inmemory)`);
  if (get(raw, 'notifications.endpoints')) throw new InvalidArgument('configuration: notifications are not supported');
  if (get(raw, 'middleware')) throw new InvalidArgument('configuration: middleware is not supported');
  if (get(raw, 'http.tls.letsencrypt')) throw new InvalidArgument("configuration: http.tls.letsencrypt is not supported; give a certificate and key");
  if (bool(raw, 'compatibility.schema1.enabled', false)) throw new InvalidArgument('configuration: schema1 manifests are not supported');
  const prefix = str(raw, 'http.prefix');
  if (prefix && prefix !== '/') throw new InvalidArgument('configuration: http.prefix is not supported');

  // log
  const level = (str(raw, 'log.level') ?? str(raw, 'loglevel') ?? 'info').toLowerCase();
  const levels = { debug: 'debug', info: 'info', warn: 'warn', warning: 'warn', error: 'error', fatal: 'error', panic: 'error' } as const;
  if (!(level in levels)) throw new InvalidArgument(`configuration: invalid log level ${JSON.stringify(level)}`);
  const formatter = (str(raw, 'log.formatter') ?? 'text').toLowerCase();
  if (!['text', 'json', 'logstash'].includes(formatter)) throw new InvalidArgument(`configuration: unsupported logging formatter ${JSON.stringify(formatter)}`);

  // http
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries((get(raw, 'http.headers') ?? {}) as Raw)) headers[k] = (Array.isArray(v) ? v : [v]).map(String);
  const certificate = ov.tlsCert ?? str(raw, 'http.tls.certificate');
  const key = ov.tlsKey ?? str(raw, 'http.tls.key');
  if ((certificate === undefined) !== (key === undefined)) throw new InvalidArgument('configuration: http.tls needs both certificate and key');
  const clientCasRaw = ov.tlsClientCa ?? get(raw, 'http.tls.clientcas');
  const clientCas = (Array.isArray(clientCasRaw) ? clientCasRaw : clientCasRaw ? [clientCasRaw] : []).map(String);
  const minimumTlsRaw = str(raw, 'http.tls.minimumtls');
  const tlsVersions = { tls10: 'TLSv1', tls11: 'TLSv1.1', tls12: 'TLSv1.2', tls13: 'TLSv1.3' } as const;
  if (minimumTlsRaw && !(minimumTlsRaw in tlsVersions)) throw new InvalidArgument(`configuration: unknown minimum TLS level ${JSON.stringify(minimumTlsRaw)}`);
  if (get(raw, 'http.tls.ciphersuites')) warnings.push('http.tls.ciphersuites is ignored: Node.js chooses the cipher suites');
  const net = str(raw, 'http.net') ?? 'tcp';
  if (net !== 'tcp' && net !== 'unix') throw new InvalidArgument(`configuration: http.net ${JSON.stringify(net)} is not supported (tcp or unix)`);
  if (certificate && !bool(raw, 'http.http2.disabled', false)) warnings.push('HTTP/2 is not offered: TLS connections use HTTP/1.1');

  // auth
  const auth = (get(raw, 'auth') ?? {}) as Raw;
  const kinds = Object.keys(auth).filter((k) => auth[k] !== null && auth[k] !== undefined);
  if (kinds.length > 1) throw new InvalidArgument(`configuration: auth must name exactly one type, got ${kinds.join(', ')}`);
  let authConfig: AuthConfig = { kind: 'none' };
  if (kinds[0] === 'htpasswd') {
    const path = str(raw, 'auth.htpasswd.path');
    if (!path) throw new InvalidArgument('configuration: auth.htpasswd.path is required');
    authConfig = { kind: 'htpasswd', realm: str(raw, 'auth.htpasswd.realm') ?? 'basic-realm', path };
  } else if (kinds[0] === 'token') {
    const t = (name: string) => str(raw, `auth.token.${name}`);
    const signingKey = t('signingkey');
    const rootCertBundle = t('rootcertbundle');
    if (!signingKey && !rootCertBundle) throw new InvalidArgument('configuration: auth.token needs rootcertbundle (an external token service) or signingkey (the built-in one)');
    if (signingKey && !t('htpasswd')) throw new InvalidArgument('configuration: auth.token.htpasswd is required with signingkey (the users of the built-in token service)');
    if (get(raw, 'auth.token.jwks')) throw new InvalidArgument('configuration: auth.token.jwks is not supported; use rootcertbundle');
    const realm = t('realm');
    if (!realm && !signingKey) throw new InvalidArgument('configuration: auth.token.realm is required');
    const expiration = Number(t('expiration') ?? 300);
    if (!(expiration > 0)) throw new InvalidArgument('configuration: auth.token.expiration must be a positive number of seconds');
    authConfig = {
      kind: 'token',
      realm: realm ?? '',
      service: t('service') ?? 'berth-registry',
      issuer: t('issuer') ?? 'berth-registry',
      ...(rootCertBundle ? { rootCertBundle } : {}),
      ...(signingKey ? { signingKey, htpasswd: t('htpasswd')! } : {}),
      expiration,
    };
  } else if (kinds[0] === 'silly') {
    throw new InvalidArgument('configuration: auth.silly is not supported (it is for development only); use htpasswd or token');
  } else if (kinds[0] !== undefined && kinds[0] !== 'none') {
    throw new InvalidArgument(`configuration: unknown auth type ${JSON.stringify(kinds[0])}`);
  }

  // access rules
  let access: AccessConfig | undefined;
  const accessRaw = get(raw, 'access') as Raw | undefined;
  if (accessRaw) {
    const groups: Record<string, string[]> = {};
    for (const [g, members] of Object.entries((accessRaw.groups ?? {}) as Raw)) {
      if (!Array.isArray(members)) throw new InvalidArgument(`configuration: access.groups.${g} must be a list of users`);
      groups[g] = members.map(String);
    }
    const rulesRaw = accessRaw.rules ?? [];
    if (!Array.isArray(rulesRaw)) throw new InvalidArgument('configuration: access.rules must be a list');
    const rules: AccessRule[] = rulesRaw.map((r: Raw, i: number) => {
      if (!r || typeof r.repository !== 'string') throw new InvalidArgument(`configuration: access.rules[${i}].repository is required`);
      const actions = (Array.isArray(r.actions) ? r.actions : [r.actions]).map(String);
      for (const a of actions) if (!['pull', 'push', 'delete', '*'].includes(a)) throw new InvalidArgument(`configuration: access.rules[${i}]: unknown action ${JSON.stringify(a)}`);
      for (const g of (r.groups as string[] | undefined) ?? []) if (!groups[g]) throw new InvalidArgument(`configuration: access.rules[${i}]: unknown group ${JSON.stringify(g)}`);
      return {
        repository: r.repository,
        actions,
        ...(r.users ? { users: (r.users as unknown[]).map(String) } : {}),
        ...(r.groups ? { groups: (r.groups as unknown[]).map(String) } : {}),
        ...(r.anonymous ? { anonymous: r.anonymous === true } : {}),
      };
    });
    access = { groups, rules };
    if (authConfig.kind === 'none') throw new InvalidArgument('configuration: access rules need an auth section (htpasswd or token)');
    if (authConfig.kind === 'token' && !authConfig.signingKey) throw new InvalidArgument('configuration: access rules apply to htpasswd or the built-in token service; an external token service grants access itself');
  }

  // proxy
  let proxy: RegistryConfig['proxy'];
  const remoteUrl = str(raw, 'proxy.remoteurl');
  if (remoteUrl) {
    let u: URL;
    try {
      u = new URL(remoteUrl);
    } catch {
      throw new InvalidArgument(`configuration: proxy.remoteurl ${JSON.stringify(remoteUrl)} is not a URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidArgument(`configuration: proxy.remoteurl must be http or https`);
    const username = str(raw, 'proxy.username');
    const password = str(raw, 'proxy.password');
    proxy = { remoteUrl: u.origin, ...(username ? { username } : {}), ...(password ? { password } : {}), ttlMs: duration(raw, 'proxy.ttl', 7 * 24 * 3600 * 1000) };
  }

  const maxEntries = Number(get(raw, 'catalog.maxentries') ?? 1000);
  if (!Number.isInteger(maxEntries) || maxEntries <= 0) throw new InvalidArgument('configuration: catalog.maxentries must be a positive integer');

  const uiEnabled = bool(raw, 'ui.enabled', true);
  let host = str(raw, 'http.host');
  if (host) {
    try {
      host = new URL(host).origin;
    } catch {
      throw new InvalidArgument(`configuration: http.host ${JSON.stringify(host)} is not a URL (https://registry.example.com)`);
    }
  }
  const debugAddr = str(raw, 'http.debug.addr');
  if (get(raw, 'http.debug.prometheus.enabled')) throw new InvalidArgument('configuration: http.debug.prometheus is not supported');

  return {
    addr: ov.addr ?? str(raw, 'http.addr') ?? defaultAddr,
    net,
    root: ov.root ?? str(raw, 'storage.filesystem.rootdirectory') ?? defaultRoot,
    deleteEnabled: ov.deleteEnabled ?? bool(raw, 'storage.delete.enabled', false),
    readOnly: bool(raw, 'storage.maintenance.readonly.enabled', false),
    relativeUrls: bool(raw, 'http.relativeurls', false),
    ...(host ? { host } : {}),
    drainMs: duration(raw, 'http.draintimeout', 5000),
    headers,
    ...(certificate && key ? { tls: { certificate, key, clientCas, ...(minimumTlsRaw ? { minimumTls: tlsVersions[minimumTlsRaw as keyof typeof tlsVersions] } : {}) } } : {}),
    log: { level: levels[level as keyof typeof levels], formatter: formatter === 'text' ? 'text' : 'json', fields: (get(raw, 'log.fields') ?? {}) as Record<string, unknown>, accessLog: !bool(raw, 'log.accesslog.disabled', false) },
    auth: authConfig,
    ...(access ? { access } : {}),
    ...(proxy ? { proxy } : {}),
    uploadPurging: {
      enabled: bool(raw, 'storage.maintenance.uploadpurging.enabled', true),
      ageMs: duration(raw, 'storage.maintenance.uploadpurging.age', 168 * 3600 * 1000),
      intervalMs: duration(raw, 'storage.maintenance.uploadpurging.interval', 24 * 3600 * 1000),
      dryRun: bool(raw, 'storage.maintenance.uploadpurging.dryrun', false),
    },
    health: {
      enabled: bool(raw, 'health.storagedriver.enabled', false),
      intervalMs: duration(raw, 'health.storagedriver.interval', 10_000),
      threshold: Number(get(raw, 'health.storagedriver.threshold') ?? 1),
    },
    catalogMaxEntries: maxEntries,
    ...(debugAddr ? { debugAddr } : {}),
    ui: { enabled: uiEnabled, title: str(raw, 'ui.title') ?? 'Berth registry' },
    warnings,
  };
}
