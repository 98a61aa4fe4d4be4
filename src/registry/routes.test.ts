import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryApiError } from './errors.ts';
import { paginate, parsePageSize } from './paginate.ts';
import { parseRequestRange, parseUploadRange, uploadRangeHeader } from './range.ts';
import { matchRoute } from './routes.ts';

const d = `sha256:${'a'.repeat(64)}`;
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof RegistryApiError, String(err));
    return `${err.status} ${err.code}`;
  }
  return 'no error';
};

describe('routes', () => {
  it('matches every endpoint, names with slashes matched from the end', () => {
    assert.deepEqual(matchRoute('/v2/'), { kind: 'base' });
    assert.deepEqual(matchRoute('/v2'), { kind: 'base' });
    assert.deepEqual(matchRoute('/v2/_catalog'), { kind: 'catalog' });
    assert.deepEqual(matchRoute('/v2/a/b/c/tags/list'), { kind: 'tags', name: 'a/b/c' });
    assert.deepEqual(matchRoute('/v2/team/app/manifests/1.0'), { kind: 'manifest', name: 'team/app', reference: '1.0', isDigest: false });
    assert.deepEqual(matchRoute(`/v2/team/app/manifests/${d}`), { kind: 'manifest', name: 'team/app', reference: d, isDigest: true });
    assert.deepEqual(matchRoute(`/v2/x/blobs/${d}`), { kind: 'blob', name: 'x', digest: d });
    assert.deepEqual(matchRoute('/v2/x/blobs/uploads/'), { kind: 'upload-start', name: 'x' });
    assert.deepEqual(matchRoute('/v2/x/blobs/uploads/0b5f3c3e-8f4e-4f5a-9a59-2b1f0f1a2b3c'), { kind: 'upload', name: 'x', uuid: '0b5f3c3e-8f4e-4f5a-9a59-2b1f0f1a2b3c' });
    assert.deepEqual(matchRoute(`/v2/x/referrers/${d}`), { kind: 'referrers', name: 'x', digest: d });
    // a repository may be called "blobs" or "manifests"
    assert.deepEqual(matchRoute('/v2/blobs/manifests/latest'), { kind: 'manifest', name: 'blobs', reference: 'latest', isDigest: false });
    assert.equal(matchRoute('/v2/x/unknown'), undefined);
    assert.equal(matchRoute('/other'), undefined);
  });

  it('refuses names, tags, digests and upload ids outside the grammar, before any file system access', () => {
    assert.equal(code(() => matchRoute('/v2/../../etc/manifests/latest')), '400 NAME_INVALID');
    assert.equal(code(() => matchRoute('/v2/a/../b/tags/list')), '400 NAME_INVALID');
    assert.equal(code(() => matchRoute('/v2/%2e%2e/tags/list')), '400 NAME_INVALID');
    assert.equal(code(() => matchRoute('/v2/Upper/tags/list')), '400 NAME_INVALID');
    assert.equal(code(() => matchRoute('/v2/a//b/tags/list')), '400 NAME_INVALID');
    assert.equal(code(() => matchRoute('/v2/a/manifests/-bad')), '400 TAG_INVALID');
    assert.equal(code(() => matchRoute('/v2/a/manifests/sha256:abc')), '400 MANIFEST_INVALID');
    assert.equal(code(() => matchRoute('/v2/a/blobs/sha256:xyz')), '400 DIGEST_INVALID');
    assert.equal(code(() => matchRoute(`/v2/a/blobs/md5:${'a'.repeat(32)}`)), '400 DIGEST_INVALID');
    assert.equal(code(() => matchRoute('/v2/a/blobs/uploads/..%2f..%2fx')), '404 BLOB_UPLOAD_UNKNOWN');
    assert.equal(code(() => matchRoute(`/v2/${'a'.repeat(256)}/tags/list`)), '400 NAME_INVALID');
  });
});

describe('ranges', () => {
  it('parses an upload chunk Content-Range in the spec form and the RFC form', () => {
    assert.deepEqual(parseUploadRange('0-99'), { start: 0, end: 99 });
    assert.deepEqual(parseUploadRange('bytes 100-199/*'), { start: 100, end: 199 });
    assert.equal(parseUploadRange(undefined), undefined);
    assert.equal(code(() => parseUploadRange('10-5')), '416 RANGE_INVALID');
    assert.equal(code(() => parseUploadRange('abc')), '416 RANGE_INVALID');
  });

  it('tells what an upload holds as distribution does', () => {
    assert.equal(uploadRangeHeader(0), '0-0');
    assert.equal(uploadRangeHeader(100), '0-99');
  });

  it('serves one byte range of a blob, or all of it', () => {
    assert.deepEqual(parseRequestRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRequestRange('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRequestRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRequestRange('bytes=50-500', 100), { start: 50, end: 99 });
    assert.equal(parseRequestRange(undefined, 100), undefined);
    assert.equal(parseRequestRange('bytes=0-1,5-6', 100), undefined);
    assert.equal(code(() => parseRequestRange('bytes=100-', 100)), '416 RANGE_INVALID');
  });
});

describe('pagination', () => {
  const all = ['a', 'b', 'c', 'd', 'e'];
  it('pages with n and last, and links the next page', () => {
    assert.deepEqual(paginate(all, { n: 2, path: '/v2/x/tags/list' }), { items: ['a', 'b'], link: '</v2/x/tags/list?last=b&n=2>; rel="next"' });
    assert.deepEqual(paginate(all, { n: 2, last: 'b', path: '/p' }), { items: ['c', 'd'], link: '</p?last=d&n=2>; rel="next"' });
    assert.deepEqual(paginate(all, { n: 2, last: 'd', path: '/p' }), { items: ['e'] });
    assert.deepEqual(paginate(all, { n: 5, path: '/p' }), { items: all });
    assert.deepEqual(paginate(all, { last: 'c', path: '/p' }), { items: ['d', 'e'] });
    assert.deepEqual(paginate(all, { n: 0, path: '/p' }), { items: [] });
  });
  it('refuses an n that is not a number', () => {
    assert.equal(parsePageSize(null), undefined);
    assert.equal(parsePageSize('3'), 3);
    assert.equal(parsePageSize('5000', 1000), 1000);
    assert.equal(code(() => parsePageSize('-1')), '400 PAGINATION_NUMBER_INVALID');
    assert.equal(code(() => parsePageSize('x')), '400 PAGINATION_NUMBER_INVALID');
  });
});

describe('digests', () => {
  it('hashes content and files with the algorithm a digest names', async () => {
    const { digestOf, digestFile, splitDigest } = await import('./digest.ts');
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    assert.equal(digestOf('hello'), 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    assert.match(digestOf('hello', 'sha512'), /^sha512:[0-9a-f]{128}$/);
    assert.deepEqual(splitDigest(d), { algorithm: 'sha256', hex: 'a'.repeat(64) });
    const dir = mkdtempSync('/tmp/berth-digest-');
    try {
      writeFileSync(`${dir}/f`, 'hello');
      assert.equal(await digestFile(`${dir}/f`), digestOf('hello'));
      assert.equal(await digestFile(`${dir}/f`, 'sha512'), digestOf('hello', 'sha512'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
