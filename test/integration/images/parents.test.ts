// Parent images, as dockerd records them for images made on the daemon (commit): kept in
// imagedb/metadata/sha256/<id>/parent, shown by inspect's Parent and by history, whose rows take
// the ids (and tags) of the image's parent chain from the top instead of <missing>.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;

const ok = (args: string[]) => {
  const r = d.berth(args);
  assert.equal(r.code, 0, `berth ${args.join(' ')} (${r.code}): ${r.stderr}`);
  return r.stdout.trim();
};

interface HistoryRow {
  Id: string;
  Tags: string[] | null;
  CreatedBy: string;
  Comment: string;
}

const history = async (name: string): Promise<HistoryRow[]> => {
  const r = await d.api('GET', `/images/${name}/history`);
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body) as HistoryRow[];
};

before(async () => {
  d = await startDaemon();
});
after(async () => {
  await d?.cleanup();
});

describe('parents of committed images', () => {
  let base = '';
  let child = '';
  let grandchild = '';

  it('commit records the image the container ran as the parent, in dockerd\'s place', () => {
    ok(['pull', 'busybox']);
    base = ok(['image', 'inspect', '-f', '{{.Id}}', 'busybox']);
    ok(['run', '--name', 'c1', 'busybox', 'sh', '-c', 'echo one > /one']);
    child = ok(['commit', 'c1', 'child:1']);
    ok(['run', '--name', 'c2', 'child:1', 'sh', '-c', 'echo two > /two']);
    grandchild = ok(['commit', '-m', 'second', 'c2']);
    const parentFile = (id: string) => readFileSync(join(d.dataRoot, 'image', 'overlay2', 'imagedb', 'metadata', 'sha256', id.replace('sha256:', ''), 'parent'), 'utf8');
    assert.equal(parentFile(child), base);
    assert.equal(parentFile(grandchild), child);
    assert.equal(ok(['image', 'inspect', '-f', '{{.Parent}}', grandchild]), child);
    assert.equal(ok(['image', 'inspect', '-f', '{{.Parent}}', 'busybox']), '');
  });

  it("history names each image of the chain on its top row, with its tags; rows past the chain stay <missing>", async () => {
    const rows = await history(grandchild);
    // busybox's own two rows (ADD, then CMD): only its top row is busybox; the ADD row came from elsewhere
    assert.deepEqual(
      rows.map((r) => [r.Id, r.Tags]),
      [
        [grandchild, null],
        [child, ['child:1']],
        [base, ['busybox:latest']],
        ['<missing>', null],
      ],
    );
    assert.equal(rows[0].Comment, 'second');
    assert.equal(rows[0].CreatedBy, 'sh -c echo two > /two');
    assert.deepEqual((await history('child:1')).map((r) => r.Id), [child, base, '<missing>']);
  });

  it('keeps the chain across a restart', async () => {
    const earlier = await history(grandchild);
    await d.stop();
    await d.start();
    assert.deepEqual(await history(grandchild), earlier);
    assert.equal(ok(['image', 'inspect', '-f', '{{.Parent}}', 'child:1']), base);
  });
});
