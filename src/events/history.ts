// Where past events are kept for `since`: a ring of the last 256 in memory (dockerd's
// eventsLimit), or the on-disk journal (journal.ts) behind the same interface, which is why
// replay may be asynchronous and is bounded by sequence number rather than by a snapshot.
import type { RecordedEvent } from './event.ts';

export interface ReplayRange {
  /** Nanoseconds; events before it are not replayed. */
  since?: bigint;
  /** Nanoseconds; events after it are not replayed. */
  until?: bigint;
  /** Only events published before the subscription began: the live stream has the rest. */
  beforeSeq: number;
}

export interface EventHistory {
  /** Where the bus's sequence numbers begin (a journal continues those of earlier runs). */
  readonly nextSeq?: number;
  record(e: RecordedEvent): void;
  /** The recorded events in the range, in publication order. */
  replay(range: ReplayRange): Iterable<RecordedEvent> | AsyncIterable<RecordedEvent>;
}

export const defaultHistorySize = 256;

export class RingHistory implements EventHistory {
  readonly #size: number;
  #ring: RecordedEvent[] = [];
  #next = 0;

  constructor(size = defaultHistorySize) {
    this.#size = size;
  }

  record(e: RecordedEvent): void {
    if (this.#ring.length < this.#size) this.#ring.push(e);
    else this.#ring[this.#next] = e;
    this.#next = (this.#next + 1) % this.#size;
  }

  /** Filters rather than stops at the first older event: sub-millisecond times may interleave. */
  replay(range: ReplayRange): RecordedEvent[] {
    const ordered = this.#ring.length < this.#size ? this.#ring : [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)];
    return ordered.filter(
      (r) => r.seq < range.beforeSeq && (range.since === undefined || r.ns >= range.since) && (range.until === undefined || r.ns <= range.until),
    );
  }
}
