// Real and fake registries for the distribution tests, all on 127.0.0.1 with random ports:
// Debian's docker-registry (distribution 2.8) without auth, with htpasswd Basic auth, or with
// token auth against a small token server written here; and helpers to put images in them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, createSign, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { inNetns } from '../../helpers/netns.ts';

export interface RunningRegistry {
  host: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

async function waitHttp(url: string, child: ChildProcess, logs: () => string, tls = false): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`registry exited: ${logs()}`);
    try {
      if (tls) {
        // any answer, even a TLS one to our plain request, means it listens
        await new Promise<void>((resolve, reject) => http.get(url, (res) => (res.resume(), resolve())).on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNREFUSED' ? reject(e) : resolve())));
        return;
      }
      const res = await fetch(url);
      await res.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`registry did not start: ${logs()}`);
}

async function waitInNetns(netns: string, url: string, child: ChildProcess, logs: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`registry exited: ${logs()}`);
    const [cmd, args] = inNetns(netns, 'curl', ['-s', '-o', '/dev/null', url]);
    if (spawnSync(cmd, args).status === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`registry did not start: ${logs()}`);
}

export type RegistryAuth = { kind: 'none' } | { kind: 'htpasswd'; user: string; password: string } | { kind: 'token'; realm: string; certPath: string };

/** Starts docker-registry with a filesystem store under `base`. */
export async function startRegistry(base: string, auth: RegistryAuth = { kind: 'none' }, o: { tls?: boolean; /** serve on this namespace's loopback (see test/helpers/netns.ts) */ netns?: string } = {}): Promise<RunningRegistry> {
  const port = await freePort();
  const dir = join(base, `registry-${port}`);
  mkdirSync(join(dir, 'data'), { recursive: true });
  let authYaml = '';
  if (auth.kind === 'htpasswd') {
    const r = spawnSync('htpasswd', ['-Bbn', auth.user, auth.password], { encoding: 'utf8' });
    writeFileSync(join(dir, 'htpasswd'), r.stdout);
    authYaml = `auth:\n  htpasswd:\n    realm: basic-realm\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (auth.kind === 'token') {
    authYaml = `auth:\n  token:\n    realm: ${auth.realm}\n    service: berth-test-registry\n    issuer: berth-test-issuer\n    rootcertbundle: ${auth.certPath}\n`;
  }
  let tlsYaml = '';
  if (o.tls) {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
    tlsYaml = `  tls:\n    certificate: ${join(dir, 'tls.crt')}\n    key: ${join(dir, 'tls.key')}\n`;
  }
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${tlsYaml}${authYaml}`,
  );
  const [cmd, args] = o.netns ? inNetns(o.netns, 'docker-registry', ['serve', join(dir, 'config.yml')]) : ['docker-registry', ['serve', join(dir, 'config.yml')]];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  if (o.netns) await waitInNetns(o.netns, `http://127.0.0.1:${port}/v2/`, child, () => out);
  else await waitHttp(`http://127.0.0.1:${port}/v2/`, child, () => out, o.tls);
  return {
    host: `127.0.0.1:${port}`,
    port,
    dir,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/**
 * A token server for distribution's token auth: RS256 JWTs carrying the signing certificate in
 * x5c (the registry trusts it through rootcertbundle). Grants what `grant` allows the user.
 */
export async function startTokenServer(
  base: string,
  users: Record<string, string>,
  grant: (user: string | undefined, scope: { type: string; name: string; actions: string[] }) => string[] = (u, s) => (u ? s.actions : s.actions.filter((a) => a === 'pull')),
): Promise<{ realm: string; certPath: string; requests: string[]; stop(): Promise<void> }> {
  const dir = join(base, `token-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=berth-test-token'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  const key = readFileSync(keyPath, 'utf8');
  const der = Buffer.from(readFileSync(certPath, 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.search);
    let user: string | undefined;
    const authz = req.headers.authorization;
    if (authz?.startsWith('Basic ')) {
      const [u, ...p] = Buffer.from(authz.slice(6), 'base64').toString('utf8').split(':');
      if (users[u] !== p.join(':')) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }] }));
        return;
      }
      user = u;
    }
    const access = url.searchParams.getAll('scope').flatMap((s) => {
      const [type, name, actions] = s.split(':');
      const granted = grant(user, { type, name, actions: actions.split(',') });
      return granted.length ? [{ type, name, actions: granted }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [der.toString('base64')] };
    const claims = { iss: 'berth-test-issuer', sub: user ?? '', aud: url.searchParams.get('service'), exp: now + 600, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const signing = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(signing).sign(key);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: `${signing}.${b64url(signature)}`, expires_in: 600 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    certPath,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A minimal ustar archive of regular files (enough for test layers). */
export function tarOf(files: Record<string, string | Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const h = Buffer.alloc(512);
    h.write(name, 0, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write('00000000000\0', 136);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    parts.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export interface BuiltLayer {
  blob: Buffer;
  diffId: string;
  mediaType: string;
}

export function gzipLayer(tar: Buffer, oci = false): BuiltLayer {
  return { blob: gzipSync(tar), diffId: sha256(tar), mediaType: oci ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.docker.image.rootfs.diff.tar.gzip' };
}

export function zstdLayer(tar: Buffer): BuiltLayer {
  const r = spawnSync('zstd', ['-q', '-c'], { input: tar });
  if (r.status !== 0) throw new Error('zstd failed');
  return { blob: r.stdout, diffId: sha256(tar), mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' };
}

export function imageConfig(layers: BuiltLayer[], o: { architecture?: string; cmd?: string[] } = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: o.architecture ?? 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: o.cmd ?? ['sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'test' })),
    }),
  );
}

export function manifestOf(config: Buffer, layers: BuiltLayer[], oci = false): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: oci ? 'application/vnd.oci.image.manifest.v1+json' : 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256(config) },
      layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.blob.length, digest: sha256(l.blob) })),
    }),
  );
}

/** Uploads a blob to a registry without auth (monolithic POST+PUT). */
export async function putBlob(host: string, repo: string, blob: Buffer): Promise<void> {
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`upload start: ${start.status}`);
  const loc = new URL(start.headers.get('location')!, `http://${host}`);
  loc.searchParams.set('digest', sha256(blob));
  const put = await fetch(loc, { method: 'PUT', body: blob, headers: { 'Content-Type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`upload put: ${put.status} ${await put.text()}`);
}

export async function putManifest(host: string, repo: string, ref: string, body: Buffer, mediaType: string): Promise<string> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, { method: 'PUT', body, headers: { 'Content-Type': mediaType } });
  if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${await res.text()}`);
  return sha256(body);
}

/** Pushes a whole image (layers, config, manifest) to an unauthenticated registry. */
export async function pushImage(host: string, repo: string, tag: string, layers: BuiltLayer[], o: { oci?: boolean; architecture?: string; cmd?: string[] } = {}): Promise<{ digest: string; manifest: Buffer; config: Buffer }> {
  for (const l of layers) await putBlob(host, repo, l.blob);
  const config = imageConfig(layers, o);
  await putBlob(host, repo, config);
  const manifest = manifestOf(config, layers, o.oci);
  const digest = await putManifest(host, repo, tag, manifest, o.oci ? 'application/vnd.oci.image.manifest.v1+json' : 'application/vnd.docker.distribution.manifest.v2+json');
  return { digest, manifest, config };
}
