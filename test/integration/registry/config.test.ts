// `berth registry serve` configured as users configure registry:2: the seeds' config.yml as it
// is written, REGISTRY_* environment overrides, TLS from flags (and client certificates), the
// storage health endpoint, and a configuration it cannot carry out refused at start.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../../helpers/daemon.ts';
import { freePort } from '../distribution/registry-helpers.ts';
import { request, startBerthRegistry } from './helpers.ts';

let base: string;
const stops: Array<() => Promise<void>> = [];

before(() => {
  base = mkdtempSync('/tmp/berth-it-registry-config-');
});
after(async () => {
  for (const s of stops) await s();
  rmSync(base, { recursive: true, force: true });
});

function openssl(args: string[]) {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

function get(url: string, o: https.RequestOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, o, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('configuration', () => {
  it("runs with the seeds' config.yml as written (headers, log fields, health), root and address from flags", async () => {
    const port = await freePort();
    const debugPort = await freePort();
    const seed = `version: 0.1
log:
  accesslog:
    disabled: true
  level: debug
  formatter: text
  fields:
    service: registry
    environment: staging
storage:
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: :5000
  debug:
    addr: 127.0.0.1:${debugPort}
  headers:
    X-Content-Type-Options: [nosniff]
    Access-Control-Allow-Origin: ['http://192.168.80.250']
    Access-Control-Allow-Methods: ['HEAD', 'GET', 'OPTIONS', 'DELETE']
    Access-Control-Expose-Headers: ['Docker-Content-Digest']
  http2:
    disabled: false
health:
  storagedriver:
    enabled: true
    interval: 10s
threshold: 3
`;
    // --root and --addr (added by the helper) override the file; REGISTRY_* would too
    const reg = await startBerthRegistry(base, { name: 'seed', config: seed, port, env: { REGISTRY_STORAGE_DELETE_ENABLED: 'true' } });
    stops.push(() => reg.stop());
    const a = await request(`${reg.url}/v2/`);
    assert.equal(a.status, 200);
    assert.equal(a.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(a.headers.get('access-control-allow-methods'), 'HEAD, GET, OPTIONS, DELETE');
    assert.match(reg.logs(), /unknown configuration key threshold \(ignored\)/);
    // a browser UI on another origin (docker-registry-ui) preflights without credentials
    const preflight = await request(`${reg.url}/v2/team/app/manifests/1`, { method: 'OPTIONS' });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers.get('allow'), 'GET, HEAD, PUT, DELETE');
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://192.168.80.250');
    assert.match(reg.logs(), /service=registry/);
    const health = await request(`http://127.0.0.1:${debugPort}/debug/health`);
    assert.equal(health.status, 200);
    assert.match(readFileSync(join(reg.root, '.health'), 'utf8'), /^\d+$/);
  });

  it('takes REGISTRY_HTTP_ADDR and REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY as distribution does', async () => {
    const port = await freePort();
    const root = join(base, 'env-root');
    const r = spawnSync('sh', ['-c', `timeout 3 ${process.execPath} ${join(repoRoot, 'dist/berth.mjs')} registry serve; true`], {
      encoding: 'utf8',
      env: { ...process.env, REGISTRY_HTTP_ADDR: `127.0.0.1:${port}`, REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: root },
    });
    assert.match(r.stderr, new RegExp(`listening on 127\\.0\\.0\\.1:${port}.*root=${root.replace(/\//g, '\\/')}`));
  });

  it('serves TLS from --tls-cert/--tls-key, and requires client certificates with --tls-client-ca', async () => {
    const dir = join(base, 'tls');
    spawnSync('mkdir', ['-p', dir]);
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'), '-days', '2', '-subj', '/CN=test-ca']);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.csr'), '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    openssl(['x509', '-req', '-in', join(dir, 'server.csr'), '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-out', join(dir, 'server.crt'), '-days', '2', '-copy_extensions', 'copy']);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'client.key'), '-out', join(dir, 'client.csr'), '-subj', '/CN=client']);
    openssl(['x509', '-req', '-in', join(dir, 'client.csr'), '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-out', join(dir, 'client.crt'), '-days', '2']);
    const ca = readFileSync(join(dir, 'ca.crt'));
    const reg = await startBerthRegistry(base, { name: 'tls', args: ['--tls-cert', join(dir, 'server.crt'), '--tls-key', join(dir, 'server.key')] });
    stops.push(() => reg.stop());
    assert.equal((await get(`https://${reg.host}/v2/`, { ca })).status, 200);
    const inspect = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/none/here:1`], { encoding: 'utf8', timeout: 30_000 });
    assert.match(inspect.stderr, /manifest unknown|name unknown|repository name not known/);
    const mtls = await startBerthRegistry(base, { name: 'mtls', args: ['--tls-cert', join(dir, 'server.crt'), '--tls-key', join(dir, 'server.key'), '--tls-client-ca', join(dir, 'ca.crt')] });
    stops.push(() => mtls.stop());
    await assert.rejects(get(`https://${mtls.host}/v2/`, { ca }));
    const withCert = await get(`https://${mtls.host}/v2/`, { ca, cert: readFileSync(join(dir, 'client.crt')), key: readFileSync(join(dir, 'client.key')) });
    assert.equal(withCert.status, 200);
  });

  it('refuses at start what it would not carry out, naming it', () => {
    const run = (config: string) => {
      const file = join(base, `bad-${Math.random().toString(36).slice(2)}.yml`);
      spawnSync('sh', ['-c', `cat > ${file}`], { input: config });
      return spawnSync(process.execPath, [join(repoRoot, 'dist/berth.mjs'), 'registry', 'serve', '--config', file, '--root', join(base, 'never')], { encoding: 'utf8', timeout: 30_000 });
    };
    const s3 = run('storage:\n  s3:\n    region: x\n');
    assert.equal(s3.status, 1);
    assert.match(s3.stderr, /storage driver "s3" is not supported/);
    const missing = run('auth:\n  htpasswd:\n    realm: r\n    path: /nonexistent/htpasswd\n');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /auth.htpasswd.path \/nonexistent\/htpasswd: no such file/);
    const addr = spawnSync(process.execPath, [join(repoRoot, 'dist/berth.mjs'), 'registry', 'serve', '--addr', 'nonsense', '--root', join(base, 'never')], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(addr.status, 1);
    assert.match(addr.stderr, /invalid listen address "nonsense"/);
    assert.ok(!existsSync(join(base, 'never')));
  });
});
