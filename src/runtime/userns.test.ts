import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostId, idMappers, idMappings, nextSubIdStart, subIdRanges } from './userns.ts';

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

describe('idMappers', () => {
  const m = idMappers({
    uidMappings: [{ containerID: 0, hostID: 100000, size: 1000 }, { containerID: 1000, hostID: 300000, size: 10 }],
    gidMappings: [{ containerID: 0, hostID: 200000, size: 65536 }],
  });

  it('translates container ids to host ids and back, across ranges', () => {
    assert.deepEqual(m.toHost(0, 0), { uid: 100000, gid: 200000 });
    assert.deepEqual(m.toHost(1005, 5), { uid: 300005, gid: 200005 });
    assert.deepEqual(m.toContainer(300005, 200005), { uid: 1005, gid: 5 });
  });

  it("refuses a container id no range covers (dockerd's message); an unmapped host id shows as the overflow id", () => {
    assert.throws(() => m.toHost(5000, 0), { message: 'Container ID 5000 cannot be mapped to a host ID' });
    assert.deepEqual(m.toContainer(0, 0), { uid: 65534, gid: 65534 });
  });
});
