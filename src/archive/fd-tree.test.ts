import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FdTree, closeQuietly, type Lookup } from './fd-tree.ts';

let base: string;
let root: string;
let outside: string;
let cfs: FdTree;

before(async () => {
  base = mkdtempSync(join(tmpdir(), 'berth-cfs-'));
  root = join(base, 'root');
  outside = join(base, 'outside');
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'srv', 'data'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret'), 'host');
  writeFileSync(join(root, 'etc', 'passwd'), 'root');
  symlinkSync(outside, join(root, 'abs'));
  symlinkSync(`../../../../../..${outside}`, join(root, 'srv', 'climb'));
  symlinkSync('/etc', join(root, 'srv', 'etc-link'));
  symlinkSync('loop2', join(root, 'loop1'));
  symlinkSync('loop1', join(root, 'loop2'));
  symlinkSync('passwd', join(root, 'etc', 'pw'));
  const vol = join(base, 'volume');
  mkdirSync(vol);
  writeFileSync(join(vol, 'in-volume'), 'v');
  cfs = await FdTree.open(root, { overlays: new Map([['/srv/data', vol]]) });
});
after(() => {
  cfs.close();
  rmSync(base, { recursive: true, force: true });
});

const done = (l: Lookup) => {
  closeQuietly(l.parent.fd);
  if (l.node) closeQuietly(l.node.fd);
  return l;
};

describe('FdTree.lookup', () => {
  it('resolves symlinks inside the root, never outside it', async () => {
    await assert.rejects(cfs.lookup('/abs/x/secret', { followLast: false }), { code: 'ENOENT' });
    // the host path, read as a container path, does not exist in the container
    await assert.rejects(cfs.lookup('/srv/climb/secret', { followLast: true }), { code: 'ENOENT' });
    const climb = done(await cfs.lookup('/srv/climb', { followLast: false }));
    assert.ok(climb.node?.st.isSymbolicLink());
    const pw = done(await cfs.lookup('/srv/etc-link/../etc/passwd', { followLast: true }));
    assert.equal(pw.path, '/etc/passwd');
    assert.ok(pw.node?.st.isFile());
    assert.equal(done(await cfs.lookup('/../../../etc/passwd', { followLast: false })).path, '/etc/passwd');
  });

  it('follows the last component only when asked', async () => {
    assert.ok(done(await cfs.lookup('/etc/pw', { followLast: false })).node?.st.isSymbolicLink());
    assert.equal(done(await cfs.lookup('/etc/pw', { followLast: true })).path, '/etc/passwd');
  });

  it('fails on loops and on files used as directories', async () => {
    await assert.rejects(cfs.lookup('/loop1/x', { followLast: true }), { code: 'ELOOP' });
    await assert.rejects(cfs.lookup('/etc/passwd/x', { followLast: true }), { code: 'ENOTDIR' });
  });

  it("sees a stopped container's volumes where they are mounted", async () => {
    const l = done(await cfs.lookup('/srv/data/in-volume', { followLast: false }));
    assert.ok(l.node?.st.isFile());
    assert.equal(l.path, '/srv/data/in-volume');
  });

  it('names the root for "/" and for paths that resolve back to it', async () => {
    assert.equal(done(await cfs.lookup('/', { followLast: true })).path, '/');
    assert.equal(done(await cfs.lookup('/srv/..', { followLast: true })).path, '/');
  });
});
