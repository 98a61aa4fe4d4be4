import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { secureJoin } from './secure-join.ts';

describe('secureJoin', () => {
  const root = mkdtempSync('/tmp/berth-sj-');
  after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'usr/lib'), { recursive: true });
  symlinkSync('/usr/lib', join(root, 'lib'));
  symlinkSync('../../../../..', join(root, 'up'));
  symlinkSync('/etc', join(root, 'etc'));
  symlinkSync('loop2', join(root, 'loop1'));
  symlinkSync('loop1', join(root, 'loop2'));

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
});
