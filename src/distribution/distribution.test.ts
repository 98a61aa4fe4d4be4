import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAuthHeader, parseChallenges } from './auth.ts';
import { normalizeServer, Registries } from './endpoints.ts';
import { parsePlatform } from '../lib/index.ts';
import { parseManifest, pullPlatform, selectManifest, mediaTypes } from './manifest.ts';
import { progressBar } from './progress.ts';
import { goNetError, parseErrors, RegistryError } from './transport.ts';
import { errorKind } from '../errors/index.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
/** A `pull --platform` as pull reads it on an amd64 host. */
const wanted = (spec: string) => pullPlatform(parsePlatform(spec, { os: 'linux', architecture: 'amd64' }));

describe('WWW-Authenticate challenges', () => {
  it('parses Bearer with quoted params and Basic', () => {
    assert.deepEqual(parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"'), [
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' } },
    ]);
    assert.deepEqual(parseChallenges(['Basic realm="basic-realm"']), [{ scheme: 'basic', params: { realm: 'basic-realm' } }]);
    assert.deepEqual(parseChallenges(undefined), []);
  });
});

describe('X-Registry-Auth', () => {
  it('decodes base64url JSON, "auth" fields, and treats {} as anonymous', () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    assert.deepEqual(decodeAuthHeader(enc({ username: 'u', password: 'p?>', serveraddress: 'r:5000' })), { username: 'u', password: 'p?>', serveraddress: 'r:5000' });
    assert.equal(decodeAuthHeader(enc({})), undefined);
    assert.equal(decodeAuthHeader(undefined), undefined);
    assert.equal(decodeAuthHeader(enc({ auth: Buffer.from('a:b:c').toString('base64') }))?.password, 'b:c');
    assert.throws(() => decodeAuthHeader('not json!'), /invalid X-Registry-Auth/);
  });
});

describe('registry endpoints', () => {
  it('treats loopback and configured registries as insecure', () => {
    const r = new Registries({ insecureRegistries: ['reg.local:5000', '10.1.0.0/16'], registryMirrors: ['https://mirror.example'] });
    assert.ok(r.isInsecure('127.0.0.1:5000'));
    assert.ok(r.isInsecure('127.8.9.10'));
    assert.ok(r.isInsecure('localhost:5000'));
    assert.ok(r.isInsecure('reg.local:5000'));
    assert.ok(r.isInsecure('10.1.2.3:443'));
    assert.ok(!r.isInsecure('10.2.0.1'));
    assert.ok(!r.isInsecure('registry.example'));
    assert.deepEqual(r.endpoints('127.0.0.1:5000').map((e) => e.base.href), ['https://127.0.0.1:5000/', 'http://127.0.0.1:5000/']);
    assert.deepEqual(r.endpoints('registry.example').map((e) => e.base.href), ['https://registry.example/']);
    assert.deepEqual(r.endpoints('docker.io').map((e) => [e.base.href, e.mirror]), [['https://mirror.example/', true], ['https://registry-1.docker.io/', false]]);
    // push, login and search: the registry itself, never a mirror
    assert.deepEqual(r.endpoints('docker.io', { mirrors: false }).map((e) => e.base.href), ['https://registry-1.docker.io/']);
    assert.throws(() => new Registries({ insecureRegistries: [], registryMirrors: ['ftp://x'] }), /invalid mirror/);
  });
  it('normalises server addresses', () => {
    assert.equal(normalizeServer('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(normalizeServer(''), 'docker.io');
    assert.equal(normalizeServer('http://127.0.0.1:5000'), '127.0.0.1:5000');
    assert.equal(normalizeServer('reg.example:443/v2/'), 'reg.example:443');
  });
});

describe('manifests', () => {
  const list = [
    { mediaType: mediaTypes.ociManifest, digest: d('a'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    { mediaType: mediaTypes.ociManifest, digest: d('b'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    { mediaType: mediaTypes.ociManifest, digest: d('c'), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ];
  it('chooses by platform', () => {
    assert.equal(selectManifest(list, wanted('linux/amd64')).digest, d('a'));
    assert.equal(selectManifest(list, wanted('linux/arm/v7')).digest, d('b'));
    assert.equal(selectManifest(list, wanted('linux/arm64/v8')).digest, d('c'));
    assert.equal(selectManifest(list, wanted('aarch64')).digest, d('c'));
    assert.throws(() => selectManifest(list, wanted('linux/s390x')), /no matching manifest for linux\/s390x in the manifest list entries/);
    assert.throws(() => wanted('plan9/x/y/z'), /"plan9\/x\/y\/z": cannot parse platform specifier: invalid argument/);
    assert.throws(() => wanted('frob'), /"frob": unknown operating system or architecture: invalid argument/);
  });
  it('parses by content type, or by the document when the type is generic', () => {
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { mediaType: mediaTypes.ociConfig, digest: d('1'), size: 2 }, layers: [] }));
    assert.equal(parseManifest(body, 'application/json').mediaType, mediaTypes.ociManifest);
    assert.equal(parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: list })), '').kind, 'index');
    assert.throws(() => parseManifest(body, 'application/x-nope'), /unsupported manifest media type and no default available: application\/x-nope/);
    assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":1}'), mediaTypes.schema1Signed), /schema 1/);
    const bad = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: 'sha256:zz', size: 1 }, layers: [] }));
    assert.throws(() => parseManifest(bad, mediaTypes.dockerManifest), /invalid manifest/);
  });
});

describe('progress and errors', () => {
  it('renders docker\'s progress bar', () => {
    assert.equal(progressBar(0, 0), '');
    assert.equal(progressBar(512, 1024), `[${'='.repeat(25)}>${' '.repeat(25)}]     512B/1.024kB`);
    assert.equal(progressBar(1024, 1024), `[${'='.repeat(50)}>]  1.024kB/1.024kB`);
  });
  it('formats errcode bodies like errcode.Error', () => {
    assert.deepEqual(parseErrors('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}'), { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown: manifest unknown' });
    assert.deepEqual(parseErrors('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}')?.message, 'unauthorized: authentication required');
    assert.equal(parseErrors('<html>'), undefined);
  });
});

describe('registry failures as dockerd reports them', () => {
  it('maps a registry that does not answer, or fails, to a 500 (system) and throttling to 503', () => {
    assert.equal(errorKind(new RegistryError('dial', { status: 0 })), 'system');
    assert.equal(errorKind(new RegistryError('bad gateway', { status: 502 })), 'system');
    assert.equal(errorKind(new RegistryError('unavailable: down', { status: 503, code: 'UNAVAILABLE' })), 'system');
    assert.equal(errorKind(new RegistryError('toomanyrequests', { status: 429, code: 'TOOMANYREQUESTS' })), 'unavailable');
    assert.equal(errorKind(new RegistryError('manifest unknown', { status: 404, code: 'MANIFEST_UNKNOWN' })), 'not-found');
    assert.equal(errorKind(new RegistryError('unauthorized', { status: 401 })), 'unauthorized');
    assert.ok(new RegistryError('dial', { status: 0 }).transient);
  });
  it("words failed dials as Go's net package does", () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1', port: 1 });
    assert.equal(goNetError(refused), 'dial tcp 127.0.0.1:1: connect: connection refused');
    const v6 = Object.assign(new Error('x'), { code: 'EHOSTUNREACH', syscall: 'connect', address: '::1', port: 5000 });
    assert.equal(goNetError(v6), 'dial tcp [::1]:5000: connect: no route to host');
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND reg.invalid'), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'reg.invalid' });
    assert.equal(goNetError(dns), 'dial tcp: lookup reg.invalid: no such host');
    assert.equal(goNetError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), 'socket hang up');
  });
});
