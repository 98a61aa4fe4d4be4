import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from './config.ts';
import { RegistryApiError } from './errors.ts';
import { parseManifest, referrerArtifactType } from './manifest.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof RegistryApiError ? err.code : String(err);
  }
  return 'ok';
};
const desc = (c: string, mediaType = 'application/octet-stream') => ({ mediaType, digest: d(c), size: 10 });

describe('manifests', () => {
  it('reads docker and OCI images, indexes, artifacts and subjects', () => {
    const docker = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: desc('a'), layers: [desc('b')] })), 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(docker.kind, 'image');
    assert.deepEqual(docker.blobs.map((b) => b.digest), [d('a'), d('b')]);
    const artifact = parseManifest(
      Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.example.sbom', config: desc('e', 'application/vnd.oci.empty.v1+json'), layers: [desc('f', 'application/spdx+json')], subject: desc('c') })),
      'application/vnd.oci.image.manifest.v1+json',
    );
    assert.equal(artifact.subject?.digest, d('c'));
    assert.equal(referrerArtifactType(artifact), 'application/vnd.example.sbom');
    // an OCI manifest without its own mediaType keeps the Content-Type
    const bare = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, config: desc('a', 'application/vnd.example.config'), layers: [] })), 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(referrerArtifactType(bare), 'application/vnd.example.config');
    const idx = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [desc('a', 'application/vnd.oci.image.manifest.v1+json')] })), undefined);
    assert.equal(idx.kind, 'index');
    assert.deepEqual(idx.manifests.map((m) => m.digest), [d('a')]);
    // foreign layers with urls are not required in the registry
    const foreign = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: desc('a'), layers: [{ ...desc('b', 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'), urls: ['https://x'] }] })), undefined);
    assert.deepEqual(foreign.blobs.map((b) => b.digest), [d('a')]);
  });

  it('refuses what is not a manifest it knows', () => {
    assert.equal(code(() => parseManifest(Buffer.from('{not json'), undefined)), 'MANIFEST_INVALID');
    assert.equal(code(() => parseManifest(Buffer.from('[]'), undefined)), 'MANIFEST_INVALID');
    assert.equal(code(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'x' })), undefined)), 'MANIFEST_INVALID');
    assert.equal(code(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: desc('a') })), 'application/vnd.oci.image.index.v1+json')), 'MANIFEST_INVALID');
    assert.equal(code(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, config: desc('a') })), 'application/vnd.example.unknown')), 'MANIFEST_INVALID');
    assert.equal(code(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'x', digest: 'sha256:bad', size: 1 } })), undefined)), 'MANIFEST_INVALID');
    assert.equal(code(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { ...desc('a'), size: -1 } })), undefined)), 'MANIFEST_INVALID');
  });
});

describe('config.yml', () => {
  it('reads distribution\'s keys, the seeds\' config as written, and REGISTRY_* overrides', () => {
    const c = parseConfig(
      `version: 0.1
log:
  accesslog:
    disabled: true
  level: debug
  formatter: text
  fields:
    service: registry
storage:
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
    Access-Control-Allow-Methods: ['HEAD', 'GET', 'OPTIONS', 'DELETE']
  http2:
    disabled: false
health:
  storagedriver:
    enabled: true
    interval: 10s
threshold: 3
`,
      { env: { REGISTRY_HTTP_TLS_CERTIFICATE: '/certs/r.crt', REGISTRY_HTTP_TLS_KEY: '/certs/r.key' } },
    );
    assert.equal(c.addr, ':5000');
    assert.equal(c.root, '/var/lib/registry');
    assert.equal(c.deleteEnabled, true);
    assert.equal(c.log.level, 'debug');
    assert.equal(c.log.accessLog, false);
    assert.deepEqual(c.headers['Access-Control-Allow-Methods'], ['HEAD', 'GET', 'OPTIONS', 'DELETE']);
    assert.deepEqual(c.tls, { certificate: '/certs/r.crt', key: '/certs/r.key', clientCas: [] });
    assert.deepEqual(c.health, { enabled: true, intervalMs: 10_000, threshold: 1 });
    assert.ok(c.warnings.some((w) => w.includes('threshold')), c.warnings.join());
    assert.equal(c.drainMs, 5000);
    const d = parseConfig('http:\n  host: https://reg.example.com/ignored\n  secret: s3cr3t\n  draintimeout: 60s\nredis:\n  addr: x\n');
    assert.equal(d.host, 'https://reg.example.com');
    assert.equal(d.drainMs, 60_000);
    assert.deepEqual(d.warnings, ['http.secret has no effect here: upload state stays in the registry, not in signed URLs', 'redis has no effect here: redis is not used (blob descriptors are read from the file system)']);
  });

  it('reads auth, access rules and the proxy, and lets flags override the file', () => {
    const c = parseConfig(
      `auth:
  htpasswd:
    realm: basic-realm
    path: /etc/registry/htpasswd
access:
  groups:
    readers: [carol]
  rules:
    - repository: "**"
      groups: [readers]
      actions: [pull]
proxy:
  remoteurl: https://registry-1.docker.io
  username: u
  password: p
  ttl: 24h
`,
      { overrides: { addr: '127.0.0.1:5001', root: '/srv/reg' } },
    );
    assert.deepEqual(c.auth, { kind: 'htpasswd', realm: 'basic-realm', path: '/etc/registry/htpasswd' });
    assert.equal(c.access?.rules?.[0].repository, '**');
    assert.deepEqual(c.proxy, { remoteUrl: 'https://registry-1.docker.io', username: 'u', password: 'p', ttlMs: 86_400_000 });
    assert.equal(c.addr, '127.0.0.1:5001');
    assert.equal(c.root, '/srv/reg');
  });

  it('refuses what it would not carry out, with a message naming it', () => {
    assert.throws(() => parseConfig('storage:\n  s3:\n    bucket: x\n'), /storage driver "s3" is not supported/);
    assert.throws(() => parseConfig('storage:\n  cache:\n    blobdescriptor: redis\n'), /blobdescriptor "redis" is not supported/);
    assert.throws(() => parseConfig('notifications:\n  endpoints:\n    - name: x\n'), /notifications are not supported/);
    assert.throws(() => parseConfig('auth:\n  htpasswd:\n    realm: x\n'), /auth.htpasswd.path is required/);
    assert.throws(() => parseConfig('auth:\n  token:\n    realm: x\n'), /rootcertbundle/);
    assert.throws(() => parseConfig('access:\n  rules: []\n'), /need an auth section/);
    assert.throws(() => parseConfig('proxy:\n  remoteurl: ftp://x\n'), /http or https/);
    assert.throws(() => parseConfig('http: [1'), /configuration:/);
  });
});
