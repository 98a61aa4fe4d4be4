// What every Syscalls must do, run against FakeSyscalls in the unit tier (fake.test.ts) and against
// the koffi one as root in test/integration/ports/. Only what both can show is asserted: the fake
// records mounts rather than making them, and its device nodes are plain files.
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MNT_DETACH, S_IFCHR, type Syscalls } from './syscalls.ts';

export function syscallsContract(name: string, make: () => Syscalls): void {
  describe(`Syscalls contract: ${name}`, () => {
    const sys = make();
    const root = mkdtempSync('/tmp/berth-syscalls-contract-');
    const mounted: string[] = [];
    after(() => {
      for (const m of mounted.reverse()) {
        try {
          sys.umount(m, MNT_DETACH);
        } catch {
          // already unmounted by the test
        }
      }
      rmSync(root, { recursive: true, force: true });
    });
    const dir = (n: string) => {
      const p = join(root, n);
      mkdirSync(p, { recursive: true });
      return p;
    };

    it('lists a mount among the mount targets until it is unmounted', () => {
      const target = dir('with space');
      sys.mount('tmpfs', target, 'tmpfs', 0, 'size=1m');
      mounted.push(target);
      assert.ok(sys.mountTargets().includes(target), 'the mount point, unescaped');
      sys.umount(target);
      assert.ok(!sys.mountTargets().includes(target));
    });

    it('mountIn resolves its paths against the directory given', async () => {
      const base = dir('relative');
      dir('relative/m');
      await sys.mountIn(base, { source: 'tmpfs', target: 'm', fstype: 'tmpfs', data: 'size=1m' });
      mounted.push(join(base, 'm'));
      assert.ok(sys.mountTargets().includes(join(base, 'm')));
      sys.umount(join(base, 'm'), MNT_DETACH);
    });

    it('refuses a missing mount point (ENOENT) and an unmount of what is not mounted (EINVAL)', () => {
      assert.throws(() => sys.mount('tmpfs', join(root, 'missing'), 'tmpfs', 0), { code: 'ENOENT' });
      assert.throws(() => sys.umount(dir('plain')), { code: 'EINVAL' });
    });

    it('keeps binary xattr values and lists their names; a missing one is undefined', () => {
      const f = join(root, 'xattr-file');
      writeFileSync(f, '');
      const value = Buffer.from([0, 1, 0xfe, 0xff]);
      sys.lsetxattr(f, 'trusted.berth.contract', value);
      assert.deepEqual(sys.lgetxattr(f, 'trusted.berth.contract'), value);
      assert.ok(sys.llistxattr(f).includes('trusted.berth.contract'));
      assert.equal(sys.lgetxattr(f, 'trusted.berth.absent'), undefined);
    });

    it('mknod makes the node once; a second one on the path is EEXIST', () => {
      const node = join(root, 'null');
      sys.mknod(node, S_IFCHR | 0o666, 1, 3);
      assert.throws(() => sys.mknod(node, S_IFCHR | 0o666, 1, 3), { code: 'EEXIST' });
    });

    it('tryLock: the holder may lock again, another open file may not until the holder closes', () => {
      const f = join(root, 'lock');
      writeFileSync(f, '');
      const a = openSync(f, 'r');
      const b = openSync(f, 'r');
      try {
        assert.equal(sys.tryLock(a), true);
        assert.equal(sys.tryLock(a), true);
        assert.equal(sys.tryLock(b), false);
        closeSync(a);
        assert.equal(sys.tryLock(b), true);
      } finally {
        closeSync(b);
        try {
          closeSync(a);
        } catch {
          // closed above
        }
      }
    });

    it('connectSeqpacket and connectDatagram to a socket that does not exist fail with ENOENT', () => {
      assert.throws(() => sys.connectSeqpacket(join(root, 'no.sock')), { code: 'ENOENT' });
      assert.throws(() => sys.connectDatagram(join(root, 'no.sock')), { code: 'ENOENT' });
    });

    it('mallocTrim can always be called', () => {
      sys.mallocTrim();
    });
  });
}
