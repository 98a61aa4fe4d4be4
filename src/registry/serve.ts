// Puts a registry together from its configuration and serves it: storage, authentication, the
// pull-through cache, the UI, the storage health check, the purge of abandoned uploads, and the
// HTTP(S) listener (TCP or a unix socket). Used by `berth registry serve` and by berthd.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { promises as fsp, readFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { InvalidArgument } from '../errors/index.ts';
import { createLogger, writeFileAtomic, type Logger } from '../lib/index.ts';
import { AccessPolicy, HtpasswdAuth, Htpasswd, noAuth, TokenAuth, TokenIssuer, type Authenticator } from './auth.ts';
import type { RegistryConfig } from './config.ts';
import { libtrustKeyId, trustFromPem } from './jwt.ts';
import { PullThrough } from './proxy.ts';
import { RegistryApp } from './server.ts';
import { RegistryStorage } from './storage.ts';
import { loadUiAssets } from './ui-assets.ts';

export interface RunningRegistry {
  /** "127.0.0.1:5000", or the socket path. */
  address: string;
  url: string;
  storage: RegistryStorage;
  close(): Promise<void>;
}

/** A logger for the configured formatter: logrus text (Berth's format) or JSON lines. */
export function registryLogger(config: RegistryConfig, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  if (config.log.formatter === 'text') return createLogger({ level: config.log.level, fields: config.log.fields, write });
  const order = { debug: 0, info: 1, warn: 2, error: 3, fatal: 4 } as const;
  const make = (fields: Record<string, unknown>): Logger => {
    const emit = (level: keyof typeof order) => (msg: string, f?: Record<string, unknown>) => {
      if (order[level] < order[logger.level]) return;
      write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields, ...(f ?? {}) })}\n`);
    };
    const logger: Logger = { level: config.log.level, debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error'), child: (f) => make({ ...fields, ...f }) };
    return logger;
  };
  return make(config.log.fields);
}

/** "host:port", ":port" or "port" → listen arguments. */
export function parseAddr(addr: string): { host?: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*))?:?(\d+)$/.exec(addr);
  if (!m) throw new InvalidArgument(`invalid listen address ${JSON.stringify(addr)} (host:port)`);
  const host = m[1] ?? m[2];
  return { ...(host ? { host } : {}), port: Number(m[3]) };
}

/** The built-in token service's key: read, or made (EC P-256) and kept with mode 0600. */
async function signingKey(path: string, log: Logger): Promise<KeyObject> {
  try {
    return createPrivateKey(await fsp.readFile(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new InvalidArgument(`auth.token.signingkey ${path}: ${(err as Error).message}`);
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await fsp.mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
  log.info('created a token signing key', { path });
  return privateKey;
}

async function authFor(config: RegistryConfig, policy: AccessPolicy, log: Logger): Promise<{ auth: Authenticator; issuer?: TokenIssuer }> {
  const a = config.auth;
  if (a.kind === 'none') return { auth: noAuth };
  if (a.kind === 'htpasswd') {
    await fsp.access(a.path).catch(() => {
      throw new InvalidArgument(`auth.htpasswd.path ${a.path}: no such file`);
    });
    return { auth: new HtpasswdAuth({ path: a.path, realm: a.realm, policy }) };
  }
  if (a.signingKey) {
    const key = await signingKey(a.signingKey, log);
    const pub = createPublicKey(key);
    const kid = libtrustKeyId(pub);
    const trust = { keys: new Map([[kid, pub]]), roots: [] };
    const htpasswd = new Htpasswd(a.htpasswd!);
    await fsp.access(a.htpasswd!).catch(() => {
      throw new InvalidArgument(`auth.token.htpasswd ${a.htpasswd}: no such file`);
    });
    return {
      auth: new TokenAuth({ realm: a.realm, service: a.service, issuer: a.issuer, trust }),
      issuer: new TokenIssuer({ service: a.service, issuer: a.issuer, key, kid, expiration: a.expiration, htpasswd, policy }),
    };
  }
  let pem: string;
  try {
    pem = readFileSync(a.rootCertBundle!, 'utf8');
  } catch (err) {
    throw new InvalidArgument(`auth.token.rootcertbundle ${a.rootCertBundle}: ${(err as Error).message}`);
  }
  const trust = trustFromPem(pem);
  if (!trust.keys.size) throw new InvalidArgument(`auth.token.rootcertbundle ${a.rootCertBundle}: no certificates`);
  return { auth: new TokenAuth({ realm: a.realm, service: a.service, issuer: a.issuer, trust }) };
}

export async function startRegistryServer(config: RegistryConfig, o: { log?: Logger } = {}): Promise<RunningRegistry> {
  const log = o.log ?? registryLogger(config);
  for (const w of config.warnings) log.warn(w);
  // everything that can be refused is checked before anything is created
  if (config.net === 'tcp') parseAddr(config.addr);
  if (config.debugAddr) parseAddr(config.debugAddr);
  const policy = new AccessPolicy(config.access);
  const { auth, issuer } = await authFor(config, policy, log);
  await fsp.mkdir(config.root, { recursive: true });
  const storage = new RegistryStorage(config.root);
  const proxy = config.proxy ? new PullThrough(config.proxy, storage, log) : undefined;
  const timers: NodeJS.Timeout[] = [];

  let healthy = true;
  if (config.health.enabled) {
    let failures = 0;
    const probe = join(config.root, '.health');
    const check = async () => {
      try {
        await fsp.writeFile(probe, String(Date.now()));
        await fsp.stat(config.root);
        failures = 0;
        healthy = true;
      } catch (err) {
        failures++;
        if (failures >= config.health.threshold) {
          if (healthy) log.error('storage is unhealthy', { error: (err as Error).message });
          healthy = false;
        }
      }
    };
    await check();
    timers.push(setInterval(() => void check(), config.health.intervalMs));
  }

  if (config.uploadPurging.enabled && !config.readOnly) {
    const purge = async () => {
      const cutoff = Date.now() - config.uploadPurging.ageMs;
      for (const name of await storage.repositories().catch(() => [])) {
        for (const u of await storage.listUploads(name)) {
          if (!u.startedAt || u.startedAt.getTime() >= cutoff) continue;
          log.info(`${config.uploadPurging.dryRun ? 'would purge' : 'purging'} abandoned upload`, { repository: name, uuid: u.uuid });
          if (!config.uploadPurging.dryRun) await storage.removeUpload(name, u.uuid);
        }
      }
    };
    // distribution purges once shortly after start, then every interval
    timers.push(setTimeout(() => void purge().catch((err: unknown) => log.warn('upload purge failed', { error: String(err) })), 60_000));
    timers.push(setInterval(() => void purge().catch((err: unknown) => log.warn('upload purge failed', { error: String(err) })), config.uploadPurging.intervalMs));
  }
  if (proxy) {
    const expire = () => proxy.expire().then((n) => n && log.info('expired cached entries', { count: n }), (err: unknown) => log.warn('cache expiry failed', { error: String(err) }));
    void expire();
    timers.push(setInterval(() => void expire(), Math.min(config.proxy!.ttlMs, 3600_000)));
  }
  for (const t of timers) t.unref();

  const app = new RegistryApp({ config, storage, log, auth, policy, ...(issuer ? { issuer } : {}), ...(proxy ? { proxy } : {}), ...(config.ui.enabled ? { ui: loadUiAssets() } : {}), healthy: () => healthy });
  let server: Server;
  if (config.tls) {
    const t = config.tls;
    const read = (p: string, what: string) => {
      try {
        return readFileSync(p);
      } catch (err) {
        throw new InvalidArgument(`http.tls.${what} ${p}: ${(err as Error).message}`);
      }
    };
    server = https.createServer(
      {
        cert: read(t.certificate, 'certificate'),
        key: read(t.key, 'key'),
        ...(t.clientCas.length ? { ca: t.clientCas.map((c) => read(c, 'clientcas')), requestCert: true, rejectUnauthorized: true } : {}),
        minVersion: t.minimumTls ?? 'TLSv1.2',
      },
      app.handle,
    );
  } else {
    server = http.createServer(app.handle);
  }
  // Uploads of large layers take as long as they take; idle connections still time out.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  let address: string;
  let url: string;
  if (config.net === 'unix') {
    await fsp.rm(config.addr, { force: true });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(config.addr, resolve));
    address = config.addr;
    url = `unix://${config.addr}`;
  } else {
    const { host, port } = parseAddr(config.addr);
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
    const a = server.address() as AddressInfo;
    const shown = a.family === 'IPv6' ? (host ? `[${a.address}]` : '[::]') : a.address;
    address = `${shown}:${a.port}`;
    url = `${config.tls ? 'https' : 'http'}://${host && host !== '0.0.0.0' && host !== '::' ? (a.family === 'IPv6' ? `[${a.address}]` : a.address) : '127.0.0.1'}:${a.port}`;
  }
  let debug: Server | undefined;
  if (config.debugAddr) {
    debug = http.createServer((req, res) => {
      if (req.url === '/debug/health') {
        const body = healthy ? '{}' : JSON.stringify({ 'storagedriver_filesystem': 'storage is unhealthy' });
        res.writeHead(healthy ? 200 : 503, { 'Content-Type': 'application/json; charset=utf-8' }).end(body);
      } else res.writeHead(404).end('404 page not found\n');
    });
    const { host, port } = parseAddr(config.debugAddr);
    await new Promise<void>((resolve, reject) => debug!.once('error', reject).listen(port, host, resolve));
  }
  log.info(`listening on ${address}`, { tls: !!config.tls, root: config.root, auth: config.auth.kind, proxy: config.proxy?.remoteUrl ?? false });
  return {
    address,
    url,
    storage,
    async close() {
      for (const t of timers) clearInterval(t);
      await Promise.all(
        [server, debug].filter((s): s is Server => s !== undefined).map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeIdleConnections();
              setTimeout(() => s.closeAllConnections(), config.drainMs).unref();
            }),
        ),
      );
    },
  };
}
