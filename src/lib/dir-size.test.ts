import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { directorySize } from './dir-size.ts';

const base = mkdtempSync('/tmp/berth-dirsize-');
after(() => rmSync(base, { recursive: true, force: true }));

describe('directorySize', () => {
  it('counts regular files under the tree once per inode, not links or directories', async () => {
    const d = join(base, 'tree');
    mkdirSync(join(d, 'a', 'b'), { recursive: true });
    writeFileSync(join(d, 'one'), 'x'.repeat(100));
    writeFileSync(join(d, 'a', 'b', 'two'), 'y'.repeat(23));
    linkSync(join(d, 'one'), join(d, 'a', 'hard'));
    symlinkSync('/etc/passwd', join(d, 'sym'));
    assert.equal(await directorySize(d), 123);
  });

  it('fails on a missing directory unless told to count it as empty', async () => {
    const missing = join(base, 'missing');
    await assert.rejects(directorySize(missing), { code: 'ENOENT' });
    assert.equal(await directorySize(missing, { skipUnreadable: true }), 0);
  });
});
