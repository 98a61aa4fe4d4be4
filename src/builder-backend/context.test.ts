// The build context kept as an index and a data file: what it accepts and refuses, how sources
// resolve (symlinks inside the context, globs in walk order), what the cache hashes, and the
// tars COPY reads from it. No root needed: nothing is unpacked.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { createTarPacker, readTar, type TarHeaderInit } from '../archive/index.ts';
import { ContextArchive, goGlob, hasWildcards } from './context.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function tarOf(entries: Array<[TarHeaderInit, string?]>): Promise<Buffer> {
  const pack = createTarPacker();
  const chunks: Buffer[] = [];
  pack.stream.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => pack.stream.once('end', r));
  for (const [h, body] of entries) void pack.entry({ mtime: new Date(1_000_000), ...h, size: body?.length ?? 0 }, body === undefined ? undefined : [Buffer.from(body)]);
  await pack.finish();
  await ended;
  return Buffer.concat(chunks);
}

async function receive(tar: Buffer): Promise<ContextArchive> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-ctx-test-'));
  dirs.push(dir);
  return ContextArchive.receive(Readable.from([tar]), dir);
}

async function entries(stream: Readable): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readTar(stream)) {
    let body = '';
    for await (const c of e.body) body += (c as Buffer).toString();
    out.push(`${e.header.type} ${e.header.name}${e.header.linkname ? ` -> ${e.header.linkname}` : ''}${body ? ` = ${body}` : ''}`);
  }
  return out;
}

const sample = (): Promise<Buffer> =>
  tarOf([
    [{ name: 'Dockerfile', type: 'file' }, 'FROM busybox\n'],
    [{ name: 'src/', type: 'directory', mode: 0o750 }],
    [{ name: 'src/a.txt', type: 'file', mode: 0o600 }, 'A'],
    [{ name: 'src/b.log', type: 'file' }, 'B'],
    [{ name: 'src/hard', type: 'link', linkname: 'src/a.txt' }],
    [{ name: 'lib/deep/c.txt', type: 'file' }, 'C'],
    [{ name: 'link-dir', type: 'symlink', linkname: 'src' }],
    [{ name: 'abs-link', type: 'symlink', linkname: '/lib/deep/c.txt' }],
    [{ name: 'escape', type: 'symlink', linkname: '../../../etc/passwd' }],
  ]);

describe('ContextArchive', () => {
  it('finds sources through symlinks, inside the context only', async () => {
    const ctx = await receive(await sample());
    const [dir] = await ctx.find(['link-dir'], 'COPY');
    assert.equal(dir.isDir, true);
    const [abs] = await ctx.find(['abs-link'], 'COPY');
    assert.deepEqual(await entries(abs.pack('c')), ['file c = C']);
    // "../../../etc/passwd" stops at the context's root: /etc/passwd is not in the context
    await assert.rejects(ctx.find(['escape'], 'COPY'), /COPY failed: file not found in build context or excluded by \.dockerignore: stat escape: file does not exist/);
    await assert.rejects(ctx.find(['nope.txt'], 'ADD'), /^NotFound: ADD failed|ADD failed: file not found/);
  });

  it('matches globs in walk order and reports none as dockerd does', async () => {
    const ctx = await receive(await sample());
    assert.deepEqual((await ctx.find(['src/*.*'], 'COPY')).map((s) => s.name), ['src/a.txt', 'src/b.log']);
    assert.deepEqual((await ctx.find(['*/deep/?.txt'], 'COPY')).map((s) => s.name), ['lib/deep/c.txt']);
    await assert.rejects(ctx.find(['*.none'], 'COPY'), /COPY failed: no source files were specified/);
    assert.equal(hasWildcards('a\\*b'), false);
    assert.ok(goGlob('[a-c]?.txt').test('b1.txt'));
    assert.ok(!goGlob('*.txt').test('a/b.txt'));
  });

  it('hashes content and metadata, not time; records a directory and all below it', async () => {
    const ctx = await receive(await sample());
    const [src] = await ctx.find(['src'], 'COPY');
    const records = await ctx.records(src);
    assert.deepEqual(records.map((r) => `${r.path} ${r.type} ${r.mode.toString(8)}`), ['. dir 750', 'a.txt file 600', 'b.log file 644', 'hard file 644']);
    const a = records.find((r) => r.path === 'a.txt')!;
    assert.equal(a.contentDigest, '559aead08264d5795d3909718cdd05abd49572e84fe55590eef31a88a08fdffd');
    const again = await receive(await tarOf([[{ name: 'src/a.txt', type: 'file', mode: 0o600, mtime: new Date(5_000_000) }, 'A']]));
    const [a2] = await again.find(['src/a.txt'], 'COPY');
    assert.equal((await again.records(a2))[0].contentDigest, a.contentDigest);
  });

  it('packs a directory with its hard links, and a file under the name it is copied to', async () => {
    const ctx = await receive(gzipSync(await sample()));
    const [src] = await ctx.find(['src'], 'COPY');
    assert.deepEqual(await entries(src.pack('')), ['file a.txt = A', 'file b.log = B', 'link hard -> a.txt']);
    const [b] = await ctx.find(['src/b.log'], 'COPY');
    assert.deepEqual(await entries(b.pack('renamed')), ['file renamed = B']);
    assert.equal(await ctx.readFile('Dockerfile'), 'FROM busybox\n');
    ctx.remove('Dockerfile');
    assert.equal(await ctx.readFile('Dockerfile'), undefined);
    const [root] = await ctx.find(['.'], 'COPY');
    assert.ok(!(await entries(root.pack(''))).some((e) => e.includes('Dockerfile')));
  });

  it('refuses absolute names and ".." anywhere in a name or a hard link', async () => {
    await assert.rejects(receive(await tarOf([[{ name: '/etc/x', type: 'file' }, 'x']])), /absolute paths and "\.\." are not allowed in a build context/);
    await assert.rejects(receive(await tarOf([[{ name: 'a/../../x', type: 'file' }, 'x']])), /not allowed in a build context/);
    await assert.rejects(receive(await tarOf([[{ name: 'x', type: 'file' }, 'x'], [{ name: 'y', type: 'link', linkname: '../x' }]])), /not allowed in a build context/);
  });

  it('accepts a context whose last entry lacks its padding, as the docker CLI sends for -f -', async () => {
    const full = await tarOf([[{ name: 'Dockerfile', type: 'file' }, 'FROM x\n']]);
    const cut = full.subarray(0, 512 + 7);
    const ctx = await receive(cut);
    assert.equal(await ctx.readFile('Dockerfile'), 'FROM x\n');
  });
});
