import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveUsernsRemap, type RemapFiles } from './userns-remap.ts';

const dir = mkdtempSync('/tmp/berth-userns-test-');
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function files(content: Partial<Record<keyof RemapFiles, string>>): RemapFiles {
  const d = join(dir, String(n++));
  const out = {} as RemapFiles;
  for (const k of ['passwd', 'group', 'subuid', 'subgid'] as const) {
    out[k] = `${d}-${k}`;
    if (content[k] !== undefined) writeFileSync(out[k], content[k], { mode: 0o644 });
  }
  return out;
}

describe('userns-remap', () => {
  it('"default" adds berth ranges after the ranges given out, once, and maps root to their start', async () => {
    const f = files({ subuid: 'alice:100000:65536\n', subgid: 'alice:100000:65536' });
    const r = await resolveUsernsRemap('default', f);
    assert.deepEqual([r.user, r.group, r.root], ['berth', 'berth', { uid: 165536, gid: 165536 }]);
    assert.deepEqual(r.uidMappings, [{ containerID: 0, hostID: 165536, size: 65536 }]);
    assert.equal(readFileSync(f.subuid, 'utf8'), 'alice:100000:65536\nberth:165536:65536\n');
    assert.equal(readFileSync(f.subgid, 'utf8'), 'alice:100000:65536\nberth:165536:65536\n');
    assert.equal(statSync(f.subuid).mode & 0o777, 0o644);
    await resolveUsernsRemap('default', f);
    assert.equal(readFileSync(f.subuid, 'utf8'), 'alice:100000:65536\nberth:165536:65536\n');
  });

  it('"default" creates the files when there are none, from 100000', async () => {
    const f = files({});
    const r = await resolveUsernsRemap('default', f);
    assert.deepEqual(r.root, { uid: 100000, gid: 100000 });
  });

  it('a named user (by name or uid) uses its ranges, laid end to end', async () => {
    const f = files({
      passwd: 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n',
      group: 'root:x:0:\nalice:x:1000:\nstaff:x:50:\n',
      subuid: 'alice:300000:1000\nalice:200000:65536\n',
      subgid: '50:400000:65536\n',
    });
    const r = await resolveUsernsRemap('1000:staff', f);
    assert.deepEqual([r.user, r.group], ['alice', 'staff']);
    assert.deepEqual(r.uidMappings, [
      { containerID: 0, hostID: 200000, size: 65536 },
      { containerID: 65536, hostID: 300000, size: 1000 },
    ]);
    assert.deepEqual(r.gidMappings, [{ containerID: 0, hostID: 400000, size: 65536 }]);
  });

  it("refuses what dockerd refuses, with dockerd's words", async () => {
    const f = files({ passwd: 'alice:x:1000:1000::/:/bin/sh\n', group: 'alice:x:1000:\n', subuid: '', subgid: '' });
    await assert.rejects(resolveUsernsRemap('a:b:c', f), { message: 'Invalid user/group specification in --userns-remap: "a:b:c"' });
    await assert.rejects(resolveUsernsRemap('bob', f), { message: 'Error during uid lookup for "bob": no such user: bob' });
    await assert.rejects(resolveUsernsRemap('4242', f), { message: 'Uid 4242 has no entry in /etc/passwd: no such user' });
    await assert.rejects(resolveUsernsRemap('alice:nogroup', f), { message: 'Error during gid lookup for "nogroup": no such group: nogroup' });
    await assert.rejects(resolveUsernsRemap('alice', f), { message: 'No subuid ranges found for user "alice"' });
  });
});
