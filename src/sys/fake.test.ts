import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeSyscalls } from './fake.ts';
import { syscallsContract } from './syscalls.contract.ts';

syscallsContract('FakeSyscalls', () => new FakeSyscalls());

describe('FakeSyscalls', () => {
  it('records mounts with their options, mountIn with its target resolved', async () => {
    const sys = new FakeSyscalls();
    await sys.mountIn('/tmp', { source: 'overlay', target: 'x/../', fstype: 'overlay', data: 'lowerdir=l/A' });
    assert.deepEqual(sys.mounts, [{ source: 'overlay', target: '/tmp', fstype: 'overlay', flags: 0, data: 'lowerdir=l/A' }]);
  });
});
