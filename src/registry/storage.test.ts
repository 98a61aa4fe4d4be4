// The file-system store on a temporary directory: uploads verified before they are visible,
// concurrent pushes of one blob, manifests that name missing blobs, and GC's aside-and-look.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { digestOf } from './digest.ts';
import { RegistryApiError } from './errors.ts';
import { parseManifest } from './manifest.ts';
import { RegistryStorage } from './storage.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function store() {
  const d = mkdtempSync(join(tmpdir(), 'berth-reg-unit-'));
  dirs.push(d);
  return new RegistryStorage(d, { durable: false });
}
const isCode = (code: string) => (err: unknown) => err instanceof RegistryApiError && err.code === code;

describe('registry storage', () => {
  it('keeps an upload invisible until it is verified, and drops one whose digest does not match', async () => {
    const s = store();
    const data = Buffer.from('hello layer');
    const d = digestOf(data);
    const uuid = await s.startUpload('a');
    assert.equal(await s.appendUpload('a', uuid, Readable.from([data.subarray(0, 5)]), { range: { start: 0, end: 4 } }), 5);
    assert.equal(await s.repoBlobSize('a', d), undefined);
    await assert.rejects(s.appendUpload('a', uuid, Readable.from([Buffer.from('x')]), { range: { start: 0, end: 0 } }), isCode('RANGE_INVALID'));
    await s.appendUpload('a', uuid, Readable.from([data.subarray(5)]));
    assert.equal(await s.finishUpload('a', uuid, d), data.length);
    assert.equal(await s.repoBlobSize('a', d), data.length);
    assert.equal(await s.repoBlobSize('b', d), undefined);

    const bad = await s.startUpload('a');
    await s.appendUpload('a', bad, Readable.from([Buffer.from('other bytes')]));
    await assert.rejects(s.finishUpload('a', bad, digestOf('something else')), isCode('DIGEST_INVALID'));
    assert.equal(await s.blobSize(digestOf('something else')), undefined);
    await assert.rejects(s.uploadSize('a', bad), isCode('BLOB_UPLOAD_UNKNOWN'));
  });

  it('stores one copy when the same blob is pushed concurrently', async () => {
    const s = store();
    const data = Buffer.alloc(256 * 1024, 7);
    const d = digestOf(data);
    await Promise.all(
      ['a', 'b', 'c', 'a'].map(async (repo) => {
        const uuid = await s.startUpload(repo);
        await s.finishUpload(repo, uuid, d, { body: Readable.from([data.subarray(0, 1000), data.subarray(1000)]) });
      }),
    );
    for (const r of ['a', 'b', 'c']) assert.equal(await s.repoBlobSize(r, d), data.length);
    const blobs = [];
    for await (const b of s.allBlobs()) blobs.push(b);
    assert.equal(blobs.length, 1);
  });

  it('refuses a manifest naming a blob the repository lacks, and stores nothing', async () => {
    const s = store();
    const config = Buffer.from('{}');
    const uuid = await s.startUpload('other');
    await s.finishUpload('other', uuid, digestOf(config), { body: Readable.from([config]) });
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: 2 }, layers: [] }));
    const parsed = parseManifest(body, 'application/vnd.oci.image.manifest.v1+json');
    // the config is in another repository only
    await assert.rejects(s.putManifest('a', body, parsed, { tags: ['1'] }), isCode('MANIFEST_BLOB_UNKNOWN'));
    assert.equal(await s.resolveTag('a', '1'), undefined);
    assert.equal(await s.blobSize(digestOf(body)), undefined);
    await s.linkBlob('a', digestOf(config));
    const digest = await s.putManifest('a', body, parsed, { tags: ['1'] });
    assert.equal(await s.resolveTag('a', '1'), digest);
    assert.equal((await s.getManifest('a', digest))?.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.deepEqual(await s.repositories(), ['a']);
  });

  it('deletes an idle blob, but puts back one touched since the collection began', async () => {
    const s = store();
    const old = Buffer.from('old');
    const uuid = await s.startUpload('a');
    await s.finishUpload('a', uuid, digestOf(old), { body: Readable.from([old]) });
    utimesSync(s.blobPath(digestOf(old)), new Date(1000), new Date(1000));
    const since = Date.now() - 10;
    await s.touchBlob(digestOf(old));
    assert.equal(await s.deleteBlobIfIdle(digestOf(old), since), false);
    assert.ok(existsSync(s.blobPath(digestOf(old))));
    utimesSync(s.blobPath(digestOf(old)), new Date(1000), new Date(1000));
    assert.equal(await s.deleteBlobIfIdle(digestOf(old), since), true);
    assert.ok(!existsSync(s.blobPath(digestOf(old))));
    assert.equal(await s.touchBlob(digestOf(old)), false);
  });
});
