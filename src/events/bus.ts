// The event bus: services publish what they did, subscribers (GET /events, later a journal and
// compose's watchers) receive it. A subscription first replays recorded events when asked (`since`,
// or `until` alone, as dockerd does), then streams live ones until `until`, close() or its signal.
//
// A subscriber that stops reading must not make the daemon's memory grow: each holds at most
// `bufferLimit` unread live events (dockerd's 1024). One more and the subscription is ENDED, not
// thinned: it is detached at once, hands out what it already holds, then its iterator throws
// Unavailable. dockerd instead skips events for a listener that lags more than 100 ms, so its
// client never learns that a `die` went missing; an explicit end lets the client resubscribe
// with `since` set to the last event it saw and get the gap replayed from history.
import { Unavailable } from '../errors/index.ts';
import type { Clock, ClockTimer } from '../lib/index.ts';
import { makeEvent, type EngineEvent, type EventType, type RecordedEvent } from './event.ts';
import { eventMatcher, type EventFilters } from './filter.ts';
import { RingHistory, type EventHistory } from './history.ts';

export interface SubscribeOptions {
  /** Nanoseconds since the epoch: replay recorded events from then on. */
  since?: bigint;
  /**
   * Nanoseconds since the epoch: nothing after it is delivered, and the subscription ends when
   * the clock reaches it (at once, after the replay, when it is already past). The caller checks
   * that since ≤ until (dockerd's message quotes the query's own text).
   */
  until?: bigint;
  /** GET /events filters (see filter.ts); none: every event. */
  filters?: EventFilters;
  /** Aborting ends the subscription (the client went away). */
  signal?: AbortSignal;
}

/** Events in order, as an async iterator; `for await` over it, or close() from elsewhere. */
export interface EventSubscription extends AsyncIterableIterator<EngineEvent> {
  close(): void;
}

export interface EventBusOptions {
  clock: Clock;
  history?: EventHistory;
  /** Unread live events one subscriber may hold before it is ended. */
  bufferLimit?: number;
}

export const defaultBufferLimit = 1024;

export class EventBus {
  readonly #clock: Clock;
  readonly #history: EventHistory;
  readonly #bufferLimit: number;
  readonly #subscribers = new Set<Subscription>();
  #seq = 0;

  constructor(options: EventBusOptions) {
    this.#clock = options.clock;
    this.#history = options.history ?? new RingHistory();
    this.#seq = this.#history.nextSeq ?? 0;
    this.#bufferLimit = options.bufferLimit ?? defaultBufferLimit;
  }

  publish(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): void {
    const ns = this.#clock.nowNs();
    const recorded: RecordedEvent = { seq: this.#seq++, ns, event: makeEvent(type, action, id, attributes, ns) };
    this.#history.record(recorded);
    for (const s of this.#subscribers) s.offer(recorded);
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    const { since, until, signal } = options;
    const matches = eventMatcher(options.filters ?? new Map());
    const replay = since !== undefined || until !== undefined ? this.#history.replay({ since, until, beforeSeq: this.#seq }) : [];
    const s = new Subscription({ replay, matches, until, limit: this.#bufferLimit, detach: () => this.#subscribers.delete(s) });
    if (signal?.aborted) {
      s.close();
      return s;
    }
    // dockerd's onlyPastEvents: an `until` already gone by means the replay and nothing more.
    if (until !== undefined && until < this.#clock.nowNs()) {
      s.finish();
      return s;
    }
    this.#subscribers.add(s);
    if (until !== undefined) s.deadline(this.#clock.timer(Number((until - this.#clock.nowNs()) / 1_000_000n) + 1, () => s.finish()));
    if (signal) s.onAbort(signal);
    return s;
  }

  /** Live subscriptions (dockerd's NEventsListener in GET /info). */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }
}

class Subscription implements EventSubscription {
  readonly #matches: (e: EngineEvent) => boolean;
  readonly #until: bigint | undefined;
  readonly #limit: number;
  readonly #detach: () => void;
  /** Recorded events still to hand out, read lazily (a journal may be large); undefined once done. */
  #replay: Iterator<RecordedEvent> | AsyncIterator<RecordedEvent> | undefined;
  #live: EngineEvent[] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  #error: Error | undefined;
  #cleanups: Array<() => void> = [];

  constructor(o: {
    replay: Iterable<RecordedEvent> | AsyncIterable<RecordedEvent>;
    matches: (e: EngineEvent) => boolean;
    until: bigint | undefined;
    limit: number;
    detach: () => void;
  }) {
    this.#replay = Symbol.asyncIterator in o.replay ? o.replay[Symbol.asyncIterator]() : o.replay[Symbol.iterator]();
    this.#matches = o.matches;
    this.#until = o.until;
    this.#limit = o.limit;
    this.#detach = o.detach;
  }

  /** A live event from the bus. */
  offer(r: RecordedEvent): void {
    if (this.#ended) return;
    if (this.#until !== undefined && r.ns > this.#until) return this.finish();
    if (!this.#matches(r.event)) return;
    if (this.#live.length >= this.#limit) {
      this.#error = new Unavailable(`event subscriber is too slow: more than ${this.#limit} events were left unread`);
      return this.finish();
    }
    this.#live.push(r.event);
    this.#signal();
  }

  deadline(timer: ClockTimer): void {
    this.#cleanups.push(() => timer.cancel());
  }

  onAbort(signal: AbortSignal): void {
    const abort = () => this.finish();
    signal.addEventListener('abort', abort, { once: true });
    this.#cleanups.push(() => signal.removeEventListener('abort', abort));
  }

  /** No more live events; what was received is still delivered. */
  finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#detach();
    for (const c of this.#cleanups.splice(0)) c();
    this.#signal();
  }

  /** Ends at once: nothing more is handed out, buffered or not. */
  close(): void {
    this.finish();
    this.#live = [];
    void this.#replay?.return?.();
    this.#replay = undefined;
    this.#error = undefined;
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async next(): Promise<IteratorResult<EngineEvent, undefined>> {
    while (this.#replay) {
      const r = await this.#replay.next();
      if (r.done) this.#replay = undefined;
      else if (this.#matches(r.value.event)) return { value: r.value.event, done: false };
    }
    for (;;) {
      const e = this.#live.shift();
      if (e) return { value: e, done: false };
      if (this.#error) {
        const err = this.#error;
        this.#error = undefined;
        throw err;
      }
      if (this.#ended) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<EngineEvent, undefined>> {
    this.close();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
