import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from './clock.ts';
import { clockContract } from './clock.contract.ts';

clockContract('FakeClock', () => {
  const clock = new FakeClock();
  return { clock, elapse: async (ms) => clock.advance(ms) };
});

describe('FakeClock', () => {
  it('starts where it is told and moves only when advanced', () => {
    const clock = new FakeClock('2030-05-06T07:08:09.010Z');
    assert.equal(clock.now().toISOString(), '2030-05-06T07:08:09.010Z');
    assert.equal(clock.nowNs(), 1904281689010000000n);
    clock.advance(0.000001);
    assert.equal(clock.nowNs(), 1904281689010000001n);
  });

  it('fires a timer with the clock set to its due time', () => {
    const clock = new FakeClock('2030-01-01T00:00:00Z');
    let seen: string | undefined;
    clock.timer(1500, () => (seen = clock.now().toISOString()));
    clock.advance(4000);
    assert.equal(seen, '2030-01-01T00:00:01.500Z');
    assert.equal(clock.now().toISOString(), '2030-01-01T00:00:04.000Z');
    assert.equal(clock.pendingTimers, 0);
  });

  it('refuses to go back in time', () => {
    const clock = new FakeClock('2030-01-01T00:00:00Z');
    assert.throws(() => clock.set(new Date('2029-01-01T00:00:00Z')), /does not go backwards/);
  });
});
