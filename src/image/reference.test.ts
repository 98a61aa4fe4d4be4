import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  familiarName,
  familiarString,
  fullName,
  isFullId,
  isIdPrefix,
  parseDockerRef,
  parseIdReference,
  parseReference,
  referenceString,
  withDefaultTag,
  withDigest,
  withTag,
  type Reference,
} from './reference.ts';

const hex = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const a = (n: number) => 'a'.repeat(n);

describe('parseReference: normalisation (ParseNormalizedNamed)', () => {
  // Each row: input, domain, path, tag, digest. Checked against the docker 28 CLI.
  const cases: [string, string, string, string?, string?][] = [
    ['busybox', 'docker.io', 'library/busybox'],
    ['busybox:latest', 'docker.io', 'library/busybox', 'latest'],
    ['busybox:1.36.1', 'docker.io', 'library/busybox', '1.36.1'],
    ['library/busybox', 'docker.io', 'library/busybox'],
    ['docker.io/busybox', 'docker.io', 'library/busybox'],
    ['docker.io/library/busybox', 'docker.io', 'library/busybox'],
    ['index.docker.io/busybox', 'docker.io', 'library/busybox'],
    ['index.docker.io/library/busybox:1', 'docker.io', 'library/busybox', '1'],
    ['index.docker.io/a/b', 'docker.io', 'a/b'],
    ['user/app', 'docker.io', 'user/app'],
    ['user/app:v1.0', 'docker.io', 'user/app', 'v1.0'],
    ['user/sub/app', 'docker.io', 'user/sub/app'],
    ['docker.io/library/a/b', 'docker.io', 'library/a/b'],
    ['localhost/app', 'localhost', 'app'],
    ['localhost:5000/app', 'localhost:5000', 'app'],
    ['localhost:5000/ns/app:tag', 'localhost:5000', 'ns/app', 'tag'],
    ['LOCALHOST/app', 'LOCALHOST', 'app'],
    ['my.reg.io/ns/app:1.0', 'my.reg.io', 'ns/app', '1.0'],
    ['example.com/app', 'example.com', 'app'],
    ['127.0.0.1:5000/app', '127.0.0.1:5000', 'app'],
    ['[::1]:5000/app', '[::1]:5000', 'app'],
    ['[fe80::1]/app', '[fe80::1]', 'app'],
    ['xn--bcher-kva.example/app', 'xn--bcher-kva.example', 'app'],
    // An uppercase first component can only be a domain.
    ['Foo/bar', 'Foo', 'bar'],
    ['MY.REG/app', 'MY.REG', 'app'],
    ['FOO.com/a', 'FOO.com', 'a'],
    // A first component that is no valid domain stays in the path.
    ['my_reg.io/app', '', 'my_reg.io/app'],
    // No "/": always a Docker Hub name, even "localhost" or "example.com".
    ['localhost', 'docker.io', 'library/localhost'],
    ['localhost:5000', 'docker.io', 'library/localhost', '5000'],
    ['example.com', 'docker.io', 'library/example.com'],
    ['foo.com:5000', 'docker.io', 'library/foo.com', '5000'],
    ['a.b_c__d-e--f/g', '', 'a.b_c__d-e--f/g'],
    ['a.b-c/g', 'a.b-c', 'g'],
    ['a-----b', 'docker.io', 'library/a-----b'],
    ['a__b', 'docker.io', 'library/a__b'],
    ['a/b/c/d/e', 'docker.io', 'a/b/c/d/e'],
    ['a', 'docker.io', 'library/a'],
    ['app:_x', 'docker.io', 'library/app', '_x'],
    ['app:TAG', 'docker.io', 'library/app', 'TAG'],
    [`app:${a(128)}`, 'docker.io', 'library/app', a(128)],
    [`sha256:${hex}`, 'docker.io', 'library/sha256', hex],
    [hex.slice(0, 63), 'docker.io', `library/${hex.slice(0, 63)}`],
    [`${hex}:latest`, 'docker.io', `library/${hex}`, 'latest'],
    [`app@sha256:${hex}`, 'docker.io', 'library/app', undefined, `sha256:${hex}`],
    [`app:tag@sha256:${hex}`, 'docker.io', 'library/app', 'tag', `sha256:${hex}`],
    [`localhost:5000/a:b@sha256:${hex}`, 'localhost:5000', 'a', 'b', `sha256:${hex}`],
    [`app@sha384:${hex}${hex.slice(0, 32)}`, 'docker.io', 'library/app', undefined, `sha384:${hex}${hex.slice(0, 32)}`],
    [`app@sha512:${hex}${hex}`, 'docker.io', 'library/app', undefined, `sha512:${hex}${hex}`],
    [`x/${a(253)}`, 'docker.io', `x/${a(253)}`],
    [a(247), 'docker.io', `library/${a(247)}`],
    [`my.reg/x/${a(250)}`, 'my.reg', `x/${a(250)}`],
  ];
  for (const [input, domain, path, tag, digest] of cases) {
    it(input.length > 80 ? `${input.slice(0, 40)}… (${input.length} chars)` : input, () => {
      const want: Reference = { domain, path };
      if (tag !== undefined) want.tag = tag;
      if (digest !== undefined) want.digest = digest;
      assert.deepEqual(parseReference(input), want);
    });
  }
});

describe('parseReference: refusals, with dockerd messages', () => {
  const cases: [string, string][] = [
    ['', 'invalid reference format'],
    ['a:b:c', 'invalid reference format'],
    ['a___b', 'invalid reference format'],
    ['a..b', 'invalid reference format'],
    ['a._b', 'invalid reference format'],
    ['-app', 'invalid reference format'],
    ['app-', 'invalid reference format'],
    ['app_', 'invalid reference format'],
    ['a/-b', 'invalid reference format'],
    ['a//b', 'invalid reference format'],
    ['/a', 'invalid reference format'],
    ['a/', 'invalid reference format'],
    ['a:', 'invalid reference format'],
    ['a@', 'invalid reference format'],
    ['a b', 'invalid reference format'],
    ['app:.x', 'invalid reference format'],
    ['app:-x', 'invalid reference format'],
    [`app:${a(129)}`, 'invalid reference format'],
    ['::1/app', 'invalid reference format'],
    ['localhost:abc/app', 'invalid reference format'],
    ['foo:bar/baz', 'invalid reference format'],
    ['foo/bar:tag:x', 'invalid reference format'],
    ['-domain.com/app', 'invalid reference format'],
    ['domain-.com/app', 'invalid reference format'],
    ['a@sha256:x', 'invalid reference format'],
    [`app@sha256:${hex.slice(0, 31)}`, 'invalid reference format'],
    [`app@sha256:${hex.slice(0, 63)}g`, 'invalid reference format'],
    [`app@sha256:${hex}:tag`, 'invalid reference format'],
    [`app@sha256:${hex}@sha256:${hex}`, 'invalid reference format'],
    ['UPPER', 'invalid reference format: repository name (library/UPPER) must be lowercase'],
    ['Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase'],
    ['A', 'invalid reference format: repository name (library/A) must be lowercase'],
    ['App:tag', 'invalid reference format: repository name (library/App) must be lowercase'],
    ['foo/Bar:tag', 'invalid reference format: repository name (foo/Bar) must be lowercase'],
    ['foo.com/A', 'invalid reference format: repository name (A) must be lowercase'],
    ['Localhost:5000/App', 'invalid reference format: repository name (App) must be lowercase'],
    ['foo:5000/Ab', 'invalid reference format: repository name (Ab) must be lowercase'],
    ['docker.io/Library/app', 'invalid reference format: repository name (Library/app) must be lowercase'],
    [`app@SHA256:${hex}`, 'invalid reference format: repository name (library/app@SHA256) must be lowercase'],
    [`app@Foo:${hex.slice(0, 32)}`, 'invalid reference format: repository name (library/app@Foo) must be lowercase'],
    ['a.B_c/x', 'repository name must be lowercase'],
    [`app@sha256:${hex.slice(0, 32)}`, 'invalid checksum digest length'],
    [`app@sha256:${hex}00`, 'invalid checksum digest length'],
    [`app@sha512:${hex}`, 'invalid checksum digest length'],
    [`app@sha256:${hex.toUpperCase()}`, 'invalid checksum digest format'],
    [`app:tag@SHA256:${hex}`, 'invalid checksum digest format'],
    [`app@md5:${hex.slice(0, 32)}`, 'unsupported digest algorithm'],
    [`app@foo:${hex.slice(0, 32)}`, 'unsupported digest algorithm'],
    [`app@sha256+foo:${hex}`, 'unsupported digest algorithm'],
    [hex, `invalid repository name (${hex}), cannot specify 64-byte hexadecimal strings`],
    [`x/${a(254)}`, 'repository name must not be more than 255 characters'],
    [a(248), 'repository name must not be more than 255 characters'],
    [a(256), 'repository name must not be more than 255 characters'],
  ];
  for (const [input, message] of cases) {
    it(input.length > 80 ? `${input.slice(0, 40)}… (${input.length} chars)` : input || '(empty)', () => {
      assert.throws(() => parseReference(input), { name: 'InvalidArgument', message });
    });
  }
});

describe('names and strings of a reference', () => {
  it('familiarName drops docker.io and one level of library/', () => {
    assert.equal(familiarName(parseReference('docker.io/library/busybox')), 'busybox');
    assert.equal(familiarName(parseReference('docker.io/user/app')), 'user/app');
    assert.equal(familiarName(parseReference('docker.io/library/a/b')), 'library/a/b');
    assert.equal(familiarName(parseReference('localhost:5000/x')), 'localhost:5000/x');
    assert.equal(familiarName(parseReference('my.reg.io/library/app')), 'my.reg.io/library/app');
    assert.equal(familiarName(parseReference('my_reg.io/app')), 'my_reg.io/app');
  });
  it('fullName is domain and path', () => {
    assert.equal(fullName(parseReference('busybox')), 'docker.io/library/busybox');
    assert.equal(fullName(parseReference('localhost:5000/x:1')), 'localhost:5000/x');
    assert.equal(fullName(parseReference('my_reg.io/app')), 'my_reg.io/app');
  });
  it('familiarString and referenceString carry tag and digest', () => {
    assert.equal(familiarString(withDefaultTag(parseReference('busybox'))), 'busybox:latest');
    assert.equal(familiarString(parseReference('busybox')), 'busybox');
    assert.equal(familiarString(parseReference(`user/app:1@sha256:${hex}`)), `user/app:1@sha256:${hex}`);
    assert.equal(referenceString(withDefaultTag(parseReference('busybox'))), 'docker.io/library/busybox:latest');
    assert.equal(referenceString(parseReference(`app@sha256:${hex}`)), `docker.io/library/app@sha256:${hex}`);
    assert.equal(referenceString(parseReference('Foo/bar:x')), 'Foo/bar:x');
  });
  it('referenceString round-trips through parseReference', () => {
    for (const s of ['busybox:latest', 'user/app', 'localhost:5000/ns/app:tag', `app:t@sha256:${hex}`, 'my_reg.io/app', '[::1]:5000/app']) {
      const ref = parseReference(s);
      assert.deepEqual(parseReference(referenceString(ref)), ref, s);
      assert.deepEqual(parseReference(familiarString(ref)), ref, s);
    }
  });
  it('withDefaultTag adds latest only when there is neither tag nor digest', () => {
    assert.equal(withDefaultTag(parseReference('busybox')).tag, 'latest');
    assert.equal(withDefaultTag(parseReference('busybox:1')).tag, '1');
    const byDigest = withDefaultTag(parseReference(`busybox@sha256:${hex}`));
    assert.equal(byDigest.tag, undefined);
    assert.equal(byDigest.digest, `sha256:${hex}`);
  });
  it('parseDockerRef keeps only the digest of a tagged and digested reference', () => {
    assert.deepEqual(parseDockerRef(`busybox:latest@sha256:${hex}`), { domain: 'docker.io', path: 'library/busybox', digest: `sha256:${hex}` });
    assert.deepEqual(parseDockerRef('busybox'), { domain: 'docker.io', path: 'library/busybox', tag: 'latest' });
    assert.deepEqual(parseDockerRef('busybox:1'), { domain: 'docker.io', path: 'library/busybox', tag: '1' });
  });
  it('withTag and withDigest check their input', () => {
    const ref = parseReference('busybox:1');
    assert.deepEqual(withTag(ref, 'v2.0_rc-1'), { ...ref, tag: 'v2.0_rc-1' });
    assert.throws(() => withTag(ref, '-x'), { name: 'InvalidArgument', message: 'invalid tag format' });
    assert.throws(() => withTag(ref, a(129)), { message: 'invalid tag format' });
    assert.throws(() => withTag(ref, ''), { message: 'invalid tag format' });
    assert.deepEqual(withDigest(ref, `sha256:${hex}`), { ...ref, digest: `sha256:${hex}` });
    assert.throws(() => withDigest(ref, 'sha256:abc'), { name: 'InvalidArgument', message: 'invalid digest format' });
  });
});

describe('image IDs', () => {
  it('isFullId takes exactly 64 lowercase hex characters', () => {
    assert.equal(isFullId(hex), true);
    assert.equal(isFullId(hex.slice(1)), false);
    assert.equal(isFullId(hex.toUpperCase()), false);
    assert.equal(isFullId(`sha256:${hex}`), false);
  });
  it('isIdPrefix takes 1 to 64 hex characters, with or without sha256:', () => {
    for (const s of ['a', 'abc123', hex, `sha256:${hex.slice(0, 12)}`]) assert.equal(isIdPrefix(s), true, s);
    for (const s of ['', 'xyz', `${hex}0`, 'sha256:', 'ABC', 'busybox']) assert.equal(isIdPrefix(s), false, s);
  });
  it('parseIdReference recognises full IDs and digests (ParseAnyReference)', () => {
    assert.equal(parseIdReference(hex), `sha256:${hex}`);
    assert.equal(parseIdReference(`sha256:${hex}`), `sha256:${hex}`);
    assert.equal(parseIdReference(`sha512:${hex}${hex}`), `sha512:${hex}${hex}`);
    for (const s of ['busybox', 'busybox:latest', `sha256:${hex.slice(0, 12)}`, `sha256:${hex.toUpperCase()}`, hex.slice(0, 12)]) {
      assert.equal(parseIdReference(s), undefined, s);
    }
  });
});
