// The on-disk event journal: `events --since` reaches back across daemon restarts. Events are
// appended as JSON lines to <dir>/events.log; when it holds `segmentSize` events it becomes
// events.log.1 (replacing the one before) and a new file begins, so between one and two
// segments of the most recent events are kept and the disk use is bounded.
//
// Appends are gathered per tick of the event loop and written synchronously at its end, so a
// burst costs one write, an event is on disk before the next tick's work, and replay (which
// flushes first) always sees every event published before it was asked for. Sequence numbers
// continue across restarts (the bus starts from `nextSeq`), which keeps `beforeSeq` meaningful
// for events of earlier runs. A line torn by a crash is skipped.
import { closeSync, createReadStream, existsSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../lib/index.ts';
import type { EngineEvent, RecordedEvent } from './event.ts';
import type { EventHistory, ReplayRange } from './history.ts';

export const defaultSegmentSize = 10_000;

interface Line {
  seq: number;
  ns: string;
  event: EngineEvent;
}

export class JournalHistory implements EventHistory {
  readonly #current: string;
  readonly #previous: string;
  readonly #segmentSize: number;
  readonly #log: Logger | undefined;
  #fd: number;
  #lines: number;
  #pending: string[] = [];
  #flushScheduled = false;
  readonly nextSeq: number;

  constructor(options: { dir: string; segmentSize?: number; log?: Logger }) {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    this.#current = join(options.dir, 'events.log');
    this.#previous = join(options.dir, 'events.log.1');
    this.#segmentSize = options.segmentSize ?? defaultSegmentSize;
    this.#log = options.log;
    const { lines, lastSeq, torn } = scan(this.#current);
    const before = lines === 0 ? scan(this.#previous).lastSeq : lastSeq;
    this.nextSeq = before + 1;
    this.#lines = lines;
    this.#fd = openSync(this.#current, 'a', 0o600);
    if (torn) writeSync(this.#fd, '\n');
  }

  record(e: RecordedEvent): void {
    this.#pending.push(JSON.stringify({ seq: e.seq, ns: e.ns.toString(), event: e.event } satisfies Line) + '\n');
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Writes what was recorded; rotates when the segment is full. */
  flush(): void {
    this.#flushScheduled = false;
    while (this.#pending.length) {
      const room = this.#segmentSize - this.#lines;
      const batch = this.#pending.splice(0, Math.max(1, room));
      try {
        writeSync(this.#fd, batch.join(''));
      } catch (err) {
        this.#log?.warn('writing the event journal failed', { error: err });
        return;
      }
      this.#lines += batch.length;
      if (this.#lines >= this.#segmentSize) this.#rotate();
    }
  }

  #rotate(): void {
    try {
      closeSync(this.#fd);
      renameSync(this.#current, this.#previous);
    } catch (err) {
      this.#log?.warn('rotating the event journal failed', { error: err });
    }
    this.#fd = openSync(this.#current, 'a', 0o600);
    this.#lines = 0;
  }

  async *replay(range: ReplayRange): AsyncGenerator<RecordedEvent> {
    this.flush();
    // Opened together, now: a rotation while they are read renames files, not what is open.
    const fds = [this.#previous, this.#current].filter((f) => existsSync(f)).map((f) => openSync(f, 'r'));
    for (const fd of fds) {
      const lines = createInterface({ input: createReadStream('', { fd, encoding: 'utf8' }), crlfDelay: Infinity });
      for await (const text of lines) {
        const line = parse(text);
        if (!line || line.seq >= range.beforeSeq) continue;
        const ns = BigInt(line.ns);
        if ((range.since !== undefined && ns < range.since) || (range.until !== undefined && ns > range.until)) continue;
        yield { seq: line.seq, ns, event: line.event };
      }
    }
  }

  close(): void {
    this.flush();
    closeSync(this.#fd);
  }
}

function parse(text: string): Line | undefined {
  if (!text) return undefined;
  try {
    const line = JSON.parse(text) as Line;
    return typeof line.seq === 'number' && typeof line.ns === 'string' && line.event ? line : undefined;
  } catch {
    return undefined;
  }
}

/** Counts a segment's events and finds its last sequence number. */
function scan(file: string): { lines: number; lastSeq: number; torn: boolean } {
  if (!existsSync(file)) return { lines: 0, lastSeq: -1, torn: false };
  const fd = openSync(file, 'r');
  let text: string;
  try {
    if (fstatSync(fd).size === 0) return { lines: 0, lastSeq: -1, torn: false };
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  let lines = 0;
  let lastSeq = -1;
  for (const l of text.split('\n')) {
    const line = parse(l);
    if (!line) continue;
    lines++;
    lastSeq = Math.max(lastSeq, line.seq);
  }
  return { lines, lastSeq, torn: !text.endsWith('\n') };
}
