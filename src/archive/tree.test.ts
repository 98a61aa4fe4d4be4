// The Tree port's contract, run against both implementations (PathTree and FdTree), and the
// shared extractor and packer over each (attacks.test.ts runs the attack catalogue on both).
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InvalidArgument, NotFound } from '../errors/index.ts';
import { loadSyscalls } from '../sys/index.ts';
import { extractTar } from './extract.ts';
import { FdTree } from './fd-tree.ts';
import { packDirectory, packTreeEntry } from './pack.ts';
import { collect, readAll, snapshot, tmpDir } from './test-helpers.ts';
import { PathTree, type Tree } from './tree.ts';

const sys = loadSyscalls();

const implementations: Array<{ name: string; open(root: string): Promise<Tree> }> = [
  { name: 'PathTree', open: (root) => PathTree.open(root, sys) },
  { name: 'FdTree', open: (root) => FdTree.open(root, { sys }) },
];

/** A root with a host directory beside it that symlinks inside point at. */
function fixture(label: string): { root: string; outside: string } {
  const base = tmpDir(label);
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret'), 'host');
  chmodSync(join(outside, 'secret'), 0o600);
  utimesSync(join(outside, 'secret'), 1_000_000, 1_000_000);
  writeFileSync(join(root, 'etc', 'passwd'), 'root');
  symlinkSync(outside, join(root, 'abs'));
  symlinkSync(`../../../../../../..${outside}`, join(root, 'climb'));
  symlinkSync('/etc', join(root, 'etc-link'));
  symlinkSync('loop2', join(root, 'loop1'));
  symlinkSync('loop1', join(root, 'loop2'));
  symlinkSync(join(outside, 'secret'), join(root, 'etc', 'to-secret'));
  return { root, outside };
}

for (const impl of implementations) {
  describe(`Tree contract: ${impl.name}`, () => {
    it('resolves directories inside the root, symlinks on the way included', async () => {
      const { root } = fixture('tree-dir');
      const tree = await impl.open(root);
      try {
        const etc = await tree.dir('etc-link', false);
        assert.equal(etc.treePath, '/etc');
        assert.equal(readFileSync(join(etc.path, 'passwd'), 'utf8'), 'root');
        // an absolute or climbing symlink names a path in the tree, which does not exist here
        await assert.rejects(tree.dir('abs', false), NotFound);
        await assert.rejects(tree.dir('climb', false), NotFound);
        await assert.rejects(tree.dir('etc/passwd', false), InvalidArgument);
        await assert.rejects(tree.dir('loop1', false), InvalidArgument);
        assert.equal((await tree.statDir(await tree.dir('', false))).isDirectory(), true);
      } finally {
        tree.close();
      }
    });

    it('makes missing directories when asked, inside the root even through symlinks', async () => {
      const { root, outside } = fixture('tree-create');
      const tree = await impl.open(root);
      try {
        const d = await tree.dir('abs/new/deeper', true);
        assert.equal(d.treePath, `${outside}/new/deeper`);
        assert.equal(statSync(join(root, outside, 'new', 'deeper')).isDirectory(), true);
        assert.deepEqual(readdirSync(outside), ['secret']);
      } finally {
        tree.close();
      }
    });

    it('never changes what a symlink points at', async () => {
      const { root, outside } = fixture('tree-meta');
      const tree = await impl.open(root);
      try {
        const etc = await tree.dir('etc', false);
        await tree.chmod(etc, 'to-secret', 0o777);
        await tree.utimes(etc, 'to-secret', new Date(5_000_000_000), new Date(5_000_000_000));
        await tree.chmod(etc, 'passwd', 0o640);
        const secret = statSync(join(outside, 'secret'));
        assert.equal(secret.mode & 0o777, 0o600);
        assert.equal(secret.mtimeMs, 1_000_000_000);
        assert.equal(statSync(join(root, 'etc', 'passwd')).mode & 0o777, 0o640);
      } finally {
        tree.close();
      }
    });

    it('removes a directory without following the symlinks in it', async () => {
      const { root, outside } = fixture('tree-remove');
      mkdirSync(join(root, 'gone', 'sub'), { recursive: true });
      symlinkSync(outside, join(root, 'gone', 'sub', 'out'));
      const tree = await impl.open(root);
      try {
        await tree.remove(await tree.dir('', false), 'gone');
        tree.forget(await tree.dir('', false), 'gone');
        assert.equal(readdirSync(root).includes('gone'), false);
        assert.deepEqual(readdirSync(outside), ['secret']);
      } finally {
        tree.close();
      }
    });

    it('opens child directories to walk, and lets them go', async () => {
      const { root } = fixture('tree-open');
      const tree = await impl.open(root);
      try {
        const top = await tree.dir('', false);
        const etc = await tree.openDir(top, 'etc');
        assert.ok(etc);
        assert.equal(etc.treePath, '/etc');
        assert.deepEqual(readdirSync(etc.path).sort(), ['passwd', 'to-secret']);
        assert.equal(tree.child(etc, 'passwd').mounted, false);
        tree.releaseDir(etc);
      } finally {
        tree.close();
      }
    });

    it('extracts what packDirectory packed into the same tree again', async () => {
      const base = tmpDir('tree-roundtrip');
      const src = join(base, 'src');
      mkdirSync(join(src, 'd', 'e'), { recursive: true });
      writeFileSync(join(src, 'd', 'e', 'f'), 'x'.repeat(300_000));
      writeFileSync(join(src, 'small'), 'small\n');
      chmodSync(join(src, 'small'), 0o4755);
      symlinkSync('d/e/f', join(src, 'link'));
      const dest = join(base, 'dest');
      mkdirSync(dest);
      const tree = await impl.open(dest);
      try {
        await extractTar(packDirectory(src, { sys, whiteouts: 'keep' }), tree, { whiteouts: 'keep' });
      } finally {
        tree.close();
      }
      assert.deepEqual(snapshot(dest, sys).slice(1), snapshot(src, sys).slice(1));
    });

    it('packs one entry of the tree, renamed, without its mounts of other devices', async () => {
      const { root, outside } = fixture('tree-pack');
      const tree = await impl.open(root);
      try {
        const top = await tree.dir('', false);
        const { stream, done } = packTreeEntry(tree, { dir: top, name: 'etc', entryName: 'config' }, { whiteouts: 'keep', xattrs: false });
        const entries = await readAll(await collect(stream));
        await done;
        assert.deepEqual(
          entries.map((e) => `${e.header.name} ${e.header.type} ${e.header.linkname}`),
          ['config/ directory ', 'config/passwd file ', `config/to-secret symlink ${join(outside, 'secret')}`],
        );
        assert.equal(entries[1].body.toString(), 'root');
      } finally {
        tree.close();
      }
    });
  });
}
