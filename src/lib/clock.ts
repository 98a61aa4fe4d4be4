// Time as a port: the real clock reads the system's, the fake one is set and advanced by tests, so
// that exit times, event timestamps and `until` deadlines can be asserted without sleeping.

/** A pending timer; cancelling one that has fired does nothing. */
export interface ClockTimer {
  cancel(): void;
}

export interface Clock {
  now(): Date;
  /** Nanoseconds since the epoch, as dockerd's timeNano. */
  nowNs(): bigint;
  /** Calls `fn` once, `ms` from now. Real timers are unref'd: a pending one never keeps berthd alive. */
  timer(ms: number, fn: () => void): ClockTimer;
}

/**
 * The system's clock. Date.now() has millisecond resolution only; the sub-millisecond digits of
 * nowNs come from the monotonic clock so that events published within one millisecond still get
 * distinct, mostly ordered timeNano values (dockerd's are real nanoseconds).
 */
export const systemClock: Clock = {
  now: () => new Date(),
  nowNs: () => BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n),
  timer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A clock that only moves when told to; due timers fire, in time order, inside `advance`. */
export class FakeClock implements Clock {
  #ns: bigint;
  #timers: Array<{ at: bigint; seq: number; fn: () => void }> = [];
  #seq = 0;

  constructor(start: Date | string = '2024-01-02T03:04:05.000Z') {
    this.#ns = BigInt(new Date(start).getTime()) * 1_000_000n;
  }

  now(): Date {
    return new Date(Number(this.#ns / 1_000_000n));
  }

  nowNs(): bigint {
    return this.#ns;
  }

  timer(ms: number, fn: () => void): ClockTimer {
    const entry = { at: this.#ns + BigInt(Math.max(0, Math.round(ms))) * 1_000_000n, seq: this.#seq++, fn };
    this.#timers.push(entry);
    return { cancel: () => void (this.#timers = this.#timers.filter((t) => t !== entry)) };
  }

  /** Moves time forward by `ms` (fractions allowed, down to a nanosecond), firing due timers. */
  advance(ms: number): void {
    this.set(this.#ns + BigInt(Math.round(ms * 1_000_000)));
  }

  /** Moves time to an absolute point (Date or nanoseconds); it never goes backwards. */
  set(to: Date | bigint): void {
    const target = typeof to === 'bigint' ? to : BigInt(to.getTime()) * 1_000_000n;
    if (target < this.#ns) throw new Error('FakeClock: time does not go backwards');
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= target).sort((a, b) => (a.at === b.at ? a.seq - b.seq : a.at < b.at ? -1 : 1))[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#ns = due.at;
      due.fn();
    }
    this.#ns = target;
  }

  /** Timers not yet fired (for tests that check a deadline was cancelled). */
  get pendingTimers(): number {
    return this.#timers.length;
  }
}
