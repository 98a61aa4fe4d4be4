// The behaviour every Clock must have, run against the fake in the unit tier (clock.test.ts) and
// against the system clock in test/integration/ports/. `elapse` lets time pass: advancing the
// fake, sleeping for the real one (never asserted on how long it took).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clock } from './clock.ts';

export interface ClockSubject {
  clock: Clock;
  elapse(ms: number): Promise<void>;
}

export function clockContract(name: string, make: () => ClockSubject): void {
  describe(`Clock contract: ${name}`, () => {
    it('now() and nowNs() tell the same time', () => {
      const { clock } = make();
      const before = clock.now().getTime();
      const ns = clock.nowNs();
      const after = clock.now().getTime();
      assert.ok(BigInt(before) * 1_000_000n <= ns, `nowNs ${ns} is before now() ${before}`);
      assert.ok(ns < (BigInt(after) + 1n) * 1_000_000n, `nowNs ${ns} is after now() ${after}`);
    });

    it('time moves forward as it elapses', async () => {
      const { clock, elapse } = make();
      const a = clock.nowNs();
      await elapse(5);
      assert.ok(clock.nowNs() > a);
    });

    it('timers fire once, in the order they are due', async () => {
      const { clock, elapse } = make();
      const fired: string[] = [];
      clock.timer(20, () => fired.push('late'));
      clock.timer(1, () => fired.push('early'));
      await elapse(60);
      assert.deepEqual(fired, ['early', 'late']);
      await elapse(30);
      assert.deepEqual(fired, ['early', 'late']);
    });

    it('a cancelled timer never fires', async () => {
      const { clock, elapse } = make();
      let fired = false;
      clock.timer(1, () => (fired = true)).cancel();
      await elapse(20);
      assert.equal(fired, false);
    });
  });
}
