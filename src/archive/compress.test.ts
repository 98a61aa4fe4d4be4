import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { decompress, detectCompression } from './compress.ts';
import { buildTar, chunked, collect, readAll } from './test-helpers.ts';

function viaProgram(program: string, data: Buffer): Buffer {
  const r = spawnSync(program, ['-c'], { input: data, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${program}: ${r.stderr}`);
  return r.stdout;
}

describe('decompress', () => {
  const payload = Buffer.alloc(3 << 20);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) % 253;

  it('sniffs each format by its magic bytes', () => {
    assert.equal(detectCompression(gzipSync(Buffer.from('x'))), 'gzip');
    assert.equal(detectCompression(viaProgram('bzip2', Buffer.from('x'))), 'bzip2');
    assert.equal(detectCompression(viaProgram('xz', Buffer.from('x'))), 'xz');
    assert.equal(detectCompression(viaProgram('zstd', Buffer.from('x'))), 'zstd');
    assert.equal(detectCompression(Buffer.from('plain tar')), 'none');
    assert.equal(detectCompression(Buffer.alloc(0)), 'none');
  });

  for (const [name, compress] of [
    ['gzip', (b: Buffer) => gzipSync(b)],
    ['bzip2', (b: Buffer) => viaProgram('bzip2', b)],
    ['xz', (b: Buffer) => viaProgram('xz', b)],
    ['zstd', (b: Buffer) => viaProgram('zstd', b)],
    ['plain', (b: Buffer) => b],
  ] as const) {
    it(`${name}: streams the original bytes, fed in small chunks`, async () => {
      const out = await decompress(chunked(compress(payload), [1, 2, 3, 4096]));
      assert.ok((await collect(out)).equals(payload));
    });
  }

  it('feeds a tar reader end to end', async () => {
    const tar = await buildTar([[{ name: 'g', type: 'file' }, 'zipped']]);
    const [e] = await readAll(await decompress(chunked(gzipSync(tar), [100])));
    assert.equal(e.body.toString(), 'zipped');
  });

  it('passes inputs shorter than the magic through', async () => {
    assert.equal((await collect(await decompress(chunked(Buffer.from('ab'))))).toString(), 'ab');
    assert.equal((await collect(await decompress(chunked(Buffer.alloc(0))))).length, 0);
  });

  it('reports a corrupt or truncated gzip stream as a stream error', async () => {
    const gz = gzipSync(payload);
    const corrupt = Buffer.from(gz);
    for (let i = 100; i < 400; i++) corrupt[i] ^= 0x55;
    await assert.rejects(collect(await decompress(chunked(corrupt, [1000]))), /gzip: /);
    await assert.rejects(collect(await decompress(chunked(gz.subarray(0, gz.length - 100), [1000]))), /unexpected end of file/);
    await assert.rejects(collect(await decompress(chunked(Buffer.from([0x1f, 0x8b, 8, 0, ...Buffer.alloc(200, 7)])))), /gzip: /);
  });

  it('reports a corrupt stream from a helper program by its exit status', async () => {
    for (const program of ['xz', 'zstd', 'bzip2']) {
      const data = viaProgram(program, payload);
      await assert.rejects(collect(await decompress(chunked(data.subarray(0, data.length >> 1), [4096]))), new RegExp(`^.*${program}`), program);
    }
  });

  it('names a missing program', async () => {
    const zstdData = viaProgram('zstd', Buffer.from('data'));
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const out = await decompress(chunked(zstdData));
      await assert.rejects(collect(out), /cannot decompress a zstd stream: zstd is not installed/);
    } finally {
      process.env.PATH = path;
    }
  });
});
