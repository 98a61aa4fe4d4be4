import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostId, idMappings, nextSubIdStart, subIdRanges } from './userns.ts';

const subuid = 'alice:100000:65536\n# comment\nberth:231072:65536\nberth:165536:1000\n1001:300000:10\nbroken\n';

describe('userns-remap id mappings', () => {
  it("lays the user's ranges end to end from container id 0, sorted by start (dockerd's createIDMap)", () => {
    const ranges = subIdRanges(subuid, { name: 'berth' });
    assert.deepEqual(ranges, [
      { start: 165536, length: 1000 },
      { start: 231072, length: 65536 },
    ]);
    const m = idMappings(ranges, 'subuid', 'berth');
    assert.deepEqual(m, [
      { containerID: 0, hostID: 165536, size: 1000 },
      { containerID: 1000, hostID: 231072, size: 65536 },
    ]);
    assert.equal(hostId(m, 0), 165536, 'container root');
    assert.equal(hostId(m, 1500), 231572);
    assert.equal(hostId(m, 70000), undefined);
    assert.deepEqual(subIdRanges(subuid, { name: 'bob', uid: 1001 }), [{ start: 300000, length: 10 }], 'by uid too');
  });

  it("refuses a user without ranges, as dockerd does", () => {
    assert.throws(() => idMappings([], 'subgid', 'berth'), /^InvalidArgument: No subgid ranges found for user "berth"$/);
  });

  it('gives a new user the next free range', () => {
    assert.deepEqual(nextSubIdStart(subuid), { start: 300010, length: 65536 });
    assert.deepEqual(nextSubIdStart(''), { start: 100000, length: 65536 });
  });
});
