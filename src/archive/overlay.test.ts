// Against the kernel's overlayfs: changes() must agree with a walk of the mounted trees (what
// dockerd's naive diff does), and an upper dir packed as a layer and applied again must give
// the same merged tree.
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MNT_DETACH, loadSyscalls } from '../sys/index.ts';
import { changes } from './changes.ts';
import { applyLayer } from './extract.ts';
import { packDirectory } from './pack.ts';
import { buildTar, chunked, snapshot, tmpDir } from './test-helpers.ts';

const sys = loadSyscalls();
const mounts: string[] = [];
const unmountAll = (): void => {
  while (mounts.length > 0) sys.umount(mounts.pop()!, MNT_DETACH);
};

function mountOverlay(lowers: string[], upper?: string): string {
  const dir = tmpDir('ovl');
  const merged = join(dir, 'merged');
  mkdirSync(merged);
  let data = `lowerdir=${lowers.join(':')}`;
  if (upper) {
    const work = join(dir, 'work');
    mkdirSync(work);
    data += `,upperdir=${upper},workdir=${work}`;
  }
  sys.mount('overlay', merged, 'overlay', 0, data);
  mounts.push(merged);
  return merged;
}

/** dockerd's naive diff, reduced to what this test needs: walk both trees side by side. */
function naiveDiff(oldRoot: string, newRoot: string): string[] {
  const out: string[] = [];
  const same = (a: Stats, b: Stats) =>
    a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.rdev === b.rdev && (a.isDirectory() || (a.size === b.size && Math.floor(a.mtimeMs) === Math.floor(b.mtimeMs)));
  const walk = (rel: string): boolean => {
    const before = out.length;
    const olds = new Set(readdirSync(join(oldRoot, rel)));
    for (const n of readdirSync(join(newRoot, rel)).sort()) {
      const p = `${rel}/${n}`;
      const nst = lstatSync(join(newRoot, p));
      if (!olds.has(n)) {
        out.push(`A ${p}`);
        if (nst.isDirectory()) addAll(p);
        continue;
      }
      olds.delete(n);
      const ost = lstatSync(join(oldRoot, p));
      const changed = !same(ost, nst);
      const at = out.length;
      if (changed) out.push(`C ${p}`);
      if (nst.isDirectory() && ost.isDirectory()) {
        if (walk(p) && !changed) out.splice(at, 0, `C ${p}`);
      } else if (nst.isDirectory()) addAll(p);
    }
    for (const n of olds) out.push(`D ${rel}/${n}`);
    return out.length > before;
  };
  const addAll = (rel: string): void => {
    for (const n of readdirSync(join(newRoot, rel)).sort()) {
      out.push(`A ${rel}/${n}`);
      if (lstatSync(join(newRoot, rel, n)).isDirectory()) addAll(`${rel}/${n}`);
    }
  };
  walk('');
  return out.sort((a, b) => (a.slice(2) < b.slice(2) ? -1 : a.slice(2) > b.slice(2) ? 1 : 0));
}

describe('with a real overlay mount', () => {
  it('changes() agrees with comparing the mounted trees, and a packed upper dir applies back', async (t) => {
    t.after(unmountAll); // before the temp dirs go
    const lower = tmpDir('lower');
    await applyLayer(
      chunked(
        await buildTar([
          [{ name: 'etc/', type: 'directory' }],
          [{ name: 'etc/keep', type: 'file' }, 'keep'],
          [{ name: 'etc/gone', type: 'file' }, 'gone'],
          [{ name: 'etc/mode', type: 'file' }, 'mode'],
          [{ name: 'var/lib/cache/', type: 'directory' }],
          [{ name: 'var/lib/cache/a', type: 'file' }, 'a'],
          [{ name: 'var/lib/cache/sub/b', type: 'file' }, 'b'],
          [{ name: 'usr/bin/tool', type: 'file', mode: 0o755 }, 'tool'],
          [{ name: 'usr/share/doc', type: 'file' }, 'doc'],
        ]),
      ),
      lower,
      { sys, whiteouts: 'overlay' },
    );
    const upper = tmpDir('upper');
    const merged = mountOverlay([lower], upper);
    // what a container does
    rmSync(join(merged, 'etc/gone'));
    chmodSync(join(merged, 'etc/mode'), 0o600);
    writeFileSync(join(merged, 'etc/new'), 'new');
    rmSync(join(merged, 'var/lib/cache'), { recursive: true });
    mkdirSync(join(merged, 'var/lib/cache'));
    writeFileSync(join(merged, 'var/lib/cache/fresh'), 'fresh');
    rmSync(join(merged, 'usr/share'), { recursive: true });
    writeFileSync(join(merged, 'usr/share'), 'a file where a directory was');
    mkdirSync(join(merged, 'opt/app'), { recursive: true });
    writeFileSync(join(merged, 'opt/app/run'), 'run');

    const image = mountOverlay([lower, tmpDir('empty')]); // a read-only mount needs two lowers
    const got = (await changes(upper, [lower], { sys })).map((c) => `${c.kind} ${c.path}`);
    assert.deepEqual(got, naiveDiff(image, merged));
    assert.ok(got.includes('D /etc/gone') && got.includes('D /var/lib/cache/a') && got.includes('C /etc/mode'), got.join(', '));

    // the upper dir as an OCI layer, applied as a new layer over the same lower: the same tree
    const layer = tmpDir('layer');
    await applyLayer(packDirectory(upper, { sys, whiteouts: 'overlay' }), layer, { sys, whiteouts: 'overlay' });
    const again = mountOverlay([layer, lower]);
    assert.deepEqual(snapshot(again, sys).slice(1), snapshot(merged, sys).slice(1));
  });
});
