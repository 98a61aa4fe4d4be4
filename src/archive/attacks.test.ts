import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadSyscalls } from '../sys/index.ts';
import { tarAttacks } from './attacks.ts';
import { applyLayer, extractTar } from './extract.ts';
import { FdTree } from './fd-tree.ts';
import { chunked, snapshot, tmpDir } from './test-helpers.ts';

const sys = loadSyscalls();

/** A box holding the destination and, beside it, a sentinel directory with a secret in it. */
function box(): { box: string; dest: string; outside: string; state: () => string } {
  const dir = tmpDir('attack');
  const dest = join(dir, 'layer');
  const outside = join(dir, 'outside');
  mkdirSync(dest);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret'), 'original');
  chmodSync(join(outside, 'secret'), 0o640);
  utimesSync(join(outside, 'secret'), 1_000_000, 1_000_000);
  utimesSync(outside, 2_000_000, 2_000_000);
  utimesSync(dir, 3_000_000, 3_000_000);
  const state = () => [readdirSync(dir).sort().join(','), ...snapshot(outside, sys)].join('\n');
  return { box: dir, dest, outside, state };
}

describe('attack catalog', () => {
  it('has what the task asked for', () => {
    const names = tarAttacks.map((a) => a.name).join('\n');
    for (const re of [/dot-dot path/, /absolute path/, /symlink to \//, /symlink climbing/, /hardlink to an absolute/, /hardlink through a symlinked parent/, /directory entry replacing a symlink/, /chain of symlinks/]) {
      assert.match(names, re);
    }
  });

  for (const whiteouts of ['overlay', 'keep'] as const) {
    for (const attack of tarAttacks) {
      it(`${whiteouts}: ${attack.name}`, async () => {
        const b = box();
        const before = b.state();
        const buf = await attack.build(b.outside);
        const result = await applyLayer(chunked(buf, [700]), b.dest, { sys, whiteouts }).then(
          () => 'contained' as const,
          (err: Error) => {
            assert.equal(err.constructor.name === 'Error' ? err.message : 'typed', 'typed', `an untyped error: ${err.message}`);
            return 'error' as const;
          },
        );
        assert.equal(b.state(), before, 'something outside the destination changed');
        // the whiteout checks only apply when whiteouts are converted
        if (whiteouts === 'overlay' || !/whiteout|opaque/.test(attack.name)) assert.equal(result, attack.expect);
      });
    }
  }

  // docker cp's path: the same extractor into a live tree walked through descriptors
  for (const attack of tarAttacks) {
    if (/whiteout|opaque/.test(attack.name)) continue; // whiteouts are converted in overlay layers only
    it(`fd tree: ${attack.name}`, async () => {
      const b = box();
      const before = b.state();
      const buf = await attack.build(b.outside);
      const tree = await FdTree.open(b.dest, { sys });
      const result = await extractTar(chunked(buf, [700]), tree, { whiteouts: 'keep', xattrs: false, rootEntry: 'apply' })
        .then(
          () => 'contained' as const,
          () => 'error' as const,
        )
        .finally(() => tree.close());
      assert.equal(b.state(), before, 'something outside the destination changed');
      assert.equal(result, attack.expect);
    });
  }
});
