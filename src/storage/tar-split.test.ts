import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { readTar } from '../archive/index.ts';
import { TarSplitRecorder, assembleTar, tarSplitSize } from './tar-split.ts';

const base = mkdtempSync('/tmp/berth-tarsplit-');
after(() => rmSync(base, { recursive: true, force: true }));

function chunks(buf: Buffer, sizes: number[]): Readable {
  const parts: Buffer[] = [];
  for (let pos = 0, i = 0; pos < buf.length; i++) {
    parts.push(buf.subarray(pos, pos + sizes[i % sizes.length]));
    pos += sizes[i % sizes.length];
  }
  return Readable.from(parts);
}

async function roundTrip(label: string, archive: Buffer, sizes: number[]): Promise<Buffer> {
  const dir = join(base, `${label}-x`);
  mkdirSync(dir);
  const tarFile = join(base, `${label}.tar`);
  writeFileSync(tarFile, archive);
  const x = spawnSync('tar', ['-xf', tarFile, '-C', dir]);
  assert.equal(x.status, 0, String(x.stderr));
  const split = join(base, `${label}.json.gz`);
  const rec = new TarSplitRecorder(split);
  // read bodies of some entries and leave others, as an extractor may
  let n = 0;
  for await (const entry of readTar(chunks(archive, sizes), { segments: rec })) if (n++ % 2) entry.body.resume();
  await rec.close();
  assert.equal(rec.complete, true);
  assert.equal(await tarSplitSize(split), archive.length);
  const out: Buffer[] = [];
  for await (const c of assembleTar(split, dir)) out.push(c as Buffer);
  return Buffer.concat(out);
}

function fixtureTree(label: string): string {
  const src = join(base, `${label}-src`);
  const long = 'd'.repeat(120);
  mkdirSync(join(src, long, 'sub'), { recursive: true });
  writeFileSync(join(src, long, 'sub', `${'f'.repeat(110)}.txt`), 'long name\n');
  writeFileSync(join(src, 'big.bin'), Buffer.alloc(300_000, 7));
  writeFileSync(join(src, 'odd.txt'), 'x'.repeat(513));
  writeFileSync(join(src, 'empty'), '');
  linkSync(join(src, 'odd.txt'), join(src, 'hard.txt'));
  symlinkSync('odd.txt', join(src, 'sym'));
  writeFileSync(join(src, 'ünïcode'), 'u\n');
  return src;
}

describe('tar-split', () => {
  for (const format of ['pax', 'gnu', 'ustar'] as const) {
    it(`reassembles a ${format} archive byte for byte, whatever the chunking`, async () => {
      const src = fixtureTree(format);
      const tarFile = join(base, `${format}-orig.tar`);
      const names = format === 'ustar' ? ['big.bin', 'odd.txt', 'hard.txt', 'sym', 'empty'] : ['.'];
      const r = spawnSync('tar', [`--format=${format}`, '-cf', tarFile, '-C', src, ...names]);
      assert.equal(r.status, 0, String(r.stderr));
      const archive = readFileSync(tarFile);
      assert.deepEqual(await roundTrip(`${format}-a`, archive, [archive.length]), archive);
      assert.deepEqual(await roundTrip(`${format}-b`, archive, [1, 511, 513, 7, 4096]), archive);
    });
  }

  it('a stream that is not a tar leaves the recording incomplete', async () => {
    const split = join(base, 'junk.json.gz');
    const rec = new TarSplitRecorder(split);
    const junk = Buffer.alloc(2048, 0x41);
    await assert.rejects(async () => {
      for await (const entry of readTar(Readable.from([junk]), { segments: rec })) entry.body.resume();
    }, /invalid tar header/);
    await rec.close();
    assert.equal(rec.complete, false);
  });

  it('an archive cut short before its end marker leaves the recording incomplete', async () => {
    const src = fixtureTree('cut');
    const r = spawnSync('tar', ['-cf', '-', '-C', src, 'odd.txt']);
    const archive = r.stdout.subarray(0, 1024 + 512); // header and data, no end marker
    const rec = new TarSplitRecorder(join(base, 'cut.json.gz'));
    for await (const entry of readTar(Readable.from([archive]), { segments: rec })) entry.body.resume();
    await rec.close();
    assert.equal(rec.complete, false);
  });
});
