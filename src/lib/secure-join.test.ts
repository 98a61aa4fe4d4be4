import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { secureJoin, walkInRoot } from './secure-join.ts';

describe('secureJoin', () => {
  const root = mkdtempSync('/tmp/berth-sj-');
  after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'usr/lib'), { recursive: true });
  symlinkSync('/usr/lib', join(root, 'lib'));
  symlinkSync('../../../../..', join(root, 'up'));
  symlinkSync('/etc', join(root, 'etc'));
  symlinkSync('loop2', join(root, 'loop1'));
  symlinkSync('loop1', join(root, 'loop2'));
  symlinkSync('missing/../../../../../etc-out', join(root, 'via-missing'));

  it('resolves absolute symlinks against the root', async () => {
    assert.equal(await secureJoin(root, '/lib/x.so'), join(root, 'usr/lib/x.so'));
    // etc -> /etc is, inside the root, a link to itself
    await assert.rejects(secureJoin(root, 'etc/passwd'), /too many levels of symbolic links/);
  });

  it('never climbs above the root', async () => {
    assert.equal(await secureJoin(root, '../../../var/shadow'), join(root, 'var/shadow'));
    assert.equal(await secureJoin(root, 'up/tmp/x'), join(root, 'tmp/x'));
  });

  it('can leave the last component unresolved, and stops symlink loops', async () => {
    assert.equal(await secureJoin(root, 'lib', { followLast: false }), join(root, 'lib'));
    await assert.rejects(secureJoin(root, 'loop1/x'), /too many levels of symbolic links/);
  });

  it('keeps walking after a missing component, so a ".." after it cannot climb out', async () => {
    assert.equal(await secureJoin(root, 'via-missing/x'), join(root, 'etc-out/x'));
  });

  it('lets a walk make what is missing and refuse what it finds', async () => {
    const made: string[] = [];
    const path = await walkInRoot(root, 'lib/new/deeper', {
      onMissing: async (p) => {
        mkdirSync(p);
        made.push(p);
        return 'made';
      },
    });
    assert.equal(path, join(root, 'usr/lib/new/deeper'));
    assert.deepEqual(made, [join(root, 'usr/lib/new'), join(root, 'usr/lib/new/deeper')]);
    await assert.rejects(
      walkInRoot(root, 'lib/new', {
        onFound: () => {
          throw new Error('refused');
        },
      }),
      /refused/,
    );
    assert.equal(await walkInRoot(root, '../deeper', { from: 'usr/lib/new' }), join(root, 'usr/lib/deeper'));
  });
});
