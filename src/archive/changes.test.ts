import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { S_IFCHR, loadSyscalls } from '../sys/index.ts';
import { changes } from './changes.ts';
import { tmpDir } from './test-helpers.ts';

const sys = loadSyscalls();
const whiteout = (path: string) => sys.mknod(path, S_IFCHR, 0, 0);
const opaque = (path: string) => sys.lsetxattr(path, 'trusted.overlay.opaque', Buffer.from('y'));
const list = async (upper: string, lowers: string[]) => (await changes(upper, lowers, { sys })).map((c) => `${c.kind} ${c.path}`);

/** A lower layer: /etc/{keep,old,same}, /usr/bin/tool, /var/lib/x/y. */
function lowerLayer(): string {
  const lower = tmpDir('lower');
  mkdirSync(join(lower, 'etc'));
  mkdirSync(join(lower, 'usr/bin'), { recursive: true });
  mkdirSync(join(lower, 'var/lib/x'), { recursive: true });
  for (const f of ['etc/keep', 'etc/old', 'etc/same', 'usr/bin/tool', 'var/lib/x/y']) {
    writeFileSync(join(lower, f), f);
    utimesSync(join(lower, f), 1_500_000_000, 1_500_000_000);
  }
  return lower;
}

/** What overlayfs's copy-up does: `paths` (parents first) copied with their metadata. */
function copyUp(lower: string, upper: string, paths: string[]): void {
  for (const p of paths) {
    const st = statSync(join(lower, p));
    if (st.isDirectory()) mkdirSync(join(upper, p), { recursive: true });
    else copyFileSync(join(lower, p), join(upper, p));
    chmodSync(join(upper, p), st.mode & 0o7777);
    utimesSync(join(upper, p), st.atime, st.mtime);
  }
}

function copiedUp(lower: string, paths: string[]): string {
  const upper = tmpDir('upper');
  copyUp(lower, upper, paths);
  return upper;
}

describe('changes', () => {
  it('lists additions, modifications and deletions, with changed parents, sorted', async () => {
    const lower = lowerLayer();
    const upper = tmpDir('upper');
    mkdirSync(join(upper, 'etc'));
    writeFileSync(join(upper, 'etc/new'), '');
    writeFileSync(join(upper, 'etc/keep'), 'changed');
    whiteout(join(upper, 'etc/old'));
    mkdirSync(join(upper, 'opt/app'), { recursive: true });
    writeFileSync(join(upper, 'opt/app/file'), '');
    whiteout(join(upper, 'never-existed'));
    assert.deepEqual(await list(upper, [lower]), ['C /etc', 'C /etc/keep', 'A /etc/new', 'D /etc/old', 'A /opt', 'A /opt/app', 'A /opt/app/file']);
  });

  it('ignores directories copied up unchanged, and reports metadata-only changes', async () => {
    const lower = lowerLayer();
    const upper = copiedUp(lower, ['usr', 'usr/bin', 'usr/bin/tool', 'etc', 'etc/same']);
    assert.deepEqual(await list(upper, [lower]), [], 'a copy-up alone changes nothing');
    chmodSync(join(upper, 'usr/bin/tool'), 0o755);
    assert.deepEqual(await list(upper, [lower]), ['C /usr', 'C /usr/bin', 'C /usr/bin/tool']);
    chmodSync(join(upper, 'etc'), 0o700);
    assert.deepEqual(await list(upper, [lower]), ['C /etc', 'C /usr', 'C /usr/bin', 'C /usr/bin/tool']);
  });

  it('reports what an opaque directory hides as deleted', async () => {
    const lower = lowerLayer();
    // /var/lib removed and made again (with the same metadata): overlayfs makes it opaque
    const upper = copiedUp(lower, ['var', 'var/lib']);
    opaque(join(upper, 'var/lib'));
    writeFileSync(join(upper, 'var/lib/new'), '');
    assert.deepEqual(await list(upper, [lower]), ['C /var', 'C /var/lib', 'A /var/lib/new', 'D /var/lib/x']);
    // /var/lib/x made again inside the opaque dir: empty, so what it held is deleted
    mkdirSync(join(upper, 'var/lib/x'));
    assert.deepEqual(await list(upper, [lower]), ['C /var', 'C /var/lib', 'A /var/lib/new', 'C /var/lib/x', 'D /var/lib/x/y']);
  });

  it('merges several lower layers: whiteouts and opaque dirs below hide what is under them', async () => {
    const bottom = lowerLayer();
    const middle = tmpDir('middle');
    mkdirSync(join(middle, 'etc'));
    whiteout(join(middle, 'etc/old'));
    mkdirSync(join(middle, 'var/lib'), { recursive: true });
    opaque(join(middle, 'var/lib'));
    const upper = tmpDir('upper');
    mkdirSync(join(upper, 'etc'));
    writeFileSync(join(upper, 'etc/old'), 'recreated');
    mkdirSync(join(upper, 'var/lib/x'), { recursive: true });
    // /etc/old is gone in the lower view, so recreating it is an addition; /var/lib/x is hidden
    // by the middle layer's opaque /var/lib, so it is new too
    assert.deepEqual(await list(upper, [middle, bottom]), ['C /etc', 'A /etc/old', 'C /var', 'C /var/lib', 'A /var/lib/x']);
  });

  it('follows overlay2 short links to the lower diff dirs', async () => {
    const lower = lowerLayer();
    const links = tmpDir('l');
    symlinkSync(lower, join(links, 'ABCDEF'));
    const upper = tmpDir('upper');
    mkdirSync(join(upper, 'etc'));
    whiteout(join(upper, 'etc/keep'));
    assert.deepEqual(await list(upper, [join(links, 'ABCDEF')]), ['C /etc', 'D /etc/keep']);
  });

  it('reports a type change as C, and a new directory over a file with all its contents', async () => {
    const lower = lowerLayer();
    const upper = tmpDir('upper');
    mkdirSync(join(upper, 'etc/same'), { recursive: true });
    writeFileSync(join(upper, 'etc/same/inner'), '');
    writeFileSync(join(upper, 'usr'), 'a file over a directory');
    assert.deepEqual(await list(upper, [lower]), ['C /etc', 'C /etc/same', 'A /etc/same/inner', 'C /usr']);
  });

  it('treats every entry as added without lower layers', async () => {
    const upper = tmpDir('upper');
    mkdirSync(join(upper, 'a'));
    writeFileSync(join(upper, 'a/b'), '');
    assert.deepEqual(await list(upper, []), ['A /a', 'A /a/b']);
  });
});
