import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../lib/index.ts';
import { EventBus } from './bus.ts';
import type { EngineEvent, RecordedEvent } from './event.ts';
import { RingHistory, type EventHistory, type ReplayRange } from './history.ts';

const ns = (d: Date) => BigInt(d.getTime()) * 1_000_000n;

/** Reads what a subscription has ready now, without waiting for more. */
async function drain(sub: AsyncIterator<EngineEvent>, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = await sub.next();
    if (r.done) break;
    out.push(`${r.value.Type}:${r.value.Action}:${r.value.Actor.ID}`);
  }
  return out;
}

describe('EventBus publishing', () => {
  it("builds dockerd's message, with the legacy fields for containers and images only", async () => {
    const clock = new FakeClock('2024-01-02T03:04:05.123Z');
    clock.advance(0.000456);
    const bus = new EventBus({ clock });
    const sub = bus.subscribe();
    bus.publish('container', 'start', 'abc', { image: 'busybox', name: 'web' });
    bus.publish('network', 'create', 'n1', { name: 'backend', type: 'bridge' });
    const seen = [(await sub.next()).value, (await sub.next()).value];
    sub.close();
    const timeNano = Number(1704164645123000456n);
    assert.equal(
      JSON.stringify(seen[0]),
      `{"status":"start","id":"abc","from":"busybox","Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"image":"busybox","name":"web"}},"scope":"local","time":1704164645,"timeNano":${timeNano}}`,
    );
    assert.equal(
      JSON.stringify(seen[1]),
      `{"Type":"network","Action":"create","Actor":{"ID":"n1","Attributes":{"name":"backend","type":"bridge"}},"scope":"local","time":1704164645,"timeNano":${timeNano}}`,
    );
    // a JSON number is a double: timeNano is the nearest one (RecordedEvent.ns keeps it exact)
    assert.ok(BigInt(timeNano) - 1704164645123000456n <= 256n && 1704164645123000456n - BigInt(timeNano) <= 256n);
  });
});

describe('EventBus subscriptions', () => {
  it('stream live events in order, and nothing from before without since or until', async () => {
    const bus = new EventBus({ clock: new FakeClock() });
    bus.publish('volume', 'create', 'old');
    const sub = bus.subscribe();
    bus.publish('volume', 'create', 'a');
    bus.publish('volume', 'destroy', 'a');
    assert.deepEqual(await drain(sub, 2), ['volume:create:a', 'volume:destroy:a']);
    sub.close();
    assert.deepEqual(await sub.next(), { value: undefined, done: true });
    assert.equal(bus.subscriberCount, 0);
  });

  it('replay recorded events from since, then continue live', async () => {
    const clock = new FakeClock('2024-01-01T00:00:00Z');
    const bus = new EventBus({ clock });
    bus.publish('container', 'create', 'early');
    clock.advance(10_000);
    const since = clock.nowNs();
    bus.publish('container', 'start', 'x');
    clock.advance(1_000);
    bus.publish('container', 'die', 'x');
    const sub = bus.subscribe({ since });
    bus.publish('container', 'destroy', 'x');
    assert.deepEqual(await drain(sub, 3), ['container:start:x', 'container:die:x', 'container:destroy:x']);
    sub.close();
  });

  it('with an until already past, replay up to it and end', async () => {
    const clock = new FakeClock('2024-01-01T00:00:00Z');
    const bus = new EventBus({ clock });
    bus.publish('container', 'create', 'a');
    clock.advance(1_000);
    const until = clock.nowNs();
    clock.advance(1_000);
    bus.publish('container', 'start', 'a');
    clock.advance(1_000);
    const sub = bus.subscribe({ until });
    bus.publish('container', 'die', 'a');
    assert.deepEqual(await drain(sub, 5), ['container:create:a']);
    assert.equal(bus.subscriberCount, 0);
  });

  it('with an until ahead, stream until the clock reaches it, then end', async () => {
    const clock = new FakeClock('2024-01-01T00:00:00Z');
    const bus = new EventBus({ clock });
    const until = ns(new Date('2024-01-01T00:00:10Z'));
    const sub = bus.subscribe({ since: 0n, until });
    bus.publish('container', 'start', 'a');
    const pending = sub.next();
    assert.equal((await pending).value?.Action, 'start');
    const waiting = sub.next();
    clock.advance(10_001);
    assert.deepEqual(await waiting, { value: undefined, done: true });
    bus.publish('container', 'die', 'a');
    assert.equal(bus.subscriberCount, 0);
    assert.equal(clock.pendingTimers, 0);
  });

  it('an event stamped after until ends the stream and is not delivered', async () => {
    const clock = new FakeClock('2024-01-01T00:00:00Z');
    const bus = new EventBus({ clock });
    const sub = bus.subscribe({ until: clock.nowNs() + 5_000_000n });
    clock.set(clock.nowNs() + 5_000_001n);
    bus.publish('container', 'die', 'late');
    assert.deepEqual(await drain(sub, 3), []);
    assert.equal(clock.pendingTimers, 0, 'the deadline timer is cancelled');
  });

  it('apply their filters to the replay and to live events', async () => {
    const bus = new EventBus({ clock: new FakeClock() });
    bus.publish('container', 'start', 'c1', { name: 'web' });
    bus.publish('container', 'start', 'c2', { name: 'db' });
    const sub = bus.subscribe({ since: 0n, filters: new Map([['container', ['web']], ['event', ['start', 'die']]]) });
    bus.publish('container', 'die', 'c2', { name: 'db' });
    bus.publish('container', 'kill', 'c1', { name: 'web' });
    bus.publish('container', 'die', 'c1', { name: 'web' });
    assert.deepEqual(await drain(sub, 2), ['container:start:c1', 'container:die:c1']);
    sub.close();
  });

  it('end a subscriber that leaves more than bufferLimit events unread, after what it holds', async () => {
    const bus = new EventBus({ clock: new FakeClock(), bufferLimit: 3 });
    const slow = bus.subscribe();
    const fast = bus.subscribe();
    for (let i = 0; i < 5; i++) {
      bus.publish('volume', 'create', `v${i}`);
      assert.equal((await fast.next()).value?.Actor.ID, `v${i}`);
    }
    assert.equal(bus.subscriberCount, 1, 'the slow subscriber is detached at once');
    assert.deepEqual(await drain(slow, 3), ['volume:create:v0', 'volume:create:v1', 'volume:create:v2']);
    await assert.rejects(slow.next(), { kind: 'unavailable', message: /too slow: more than 3 events were left unread/ });
    assert.deepEqual(await slow.next(), { value: undefined, done: true });
    fast.close();
  });

  it('end on close() or on their signal, waking a reader that waits', async () => {
    const bus = new EventBus({ clock: new FakeClock() });
    const sub = bus.subscribe();
    const waiting = sub.next();
    sub.close();
    assert.deepEqual(await waiting, { value: undefined, done: true });
    const ac = new AbortController();
    const other = bus.subscribe({ signal: ac.signal });
    const pending = other.next();
    ac.abort();
    assert.deepEqual(await pending, { value: undefined, done: true });
    assert.equal(bus.subscriberCount, 0);
    assert.equal(bus.subscribe({ signal: ac.signal }) && bus.subscriberCount, 0, 'an aborted signal subscribes nothing');
  });

  it('a break out of for-await unsubscribes', async () => {
    const bus = new EventBus({ clock: new FakeClock() });
    bus.publish('volume', 'create', 'a');
    for await (const e of bus.subscribe({ since: 0n })) {
      assert.equal(e.Actor.ID, 'a');
      break;
    }
    assert.equal(bus.subscriberCount, 0);
  });
});

describe('event history', () => {
  it('keeps the most recent events of a bounded ring, in order', () => {
    const ring = new RingHistory(3);
    const rec = (seq: number): RecordedEvent => ({ seq, ns: BigInt(seq), event: { Type: 'volume', Action: 'create', Actor: { ID: `v${seq}`, Attributes: {} }, scope: 'local', time: 0, timeNano: seq } });
    for (let i = 0; i < 5; i++) ring.record(rec(i));
    assert.deepEqual(ring.replay({ beforeSeq: 10 }).map((r) => r.seq), [2, 3, 4]);
    assert.deepEqual(ring.replay({ beforeSeq: 4, since: 3n }).map((r) => r.seq), [3]);
    assert.deepEqual(ring.replay({ beforeSeq: 10, until: 2n }).map((r) => r.seq), [2]);
  });

  it('an asynchronous history (a journal) replays before the live events, without duplicates', async () => {
    const clock = new FakeClock();
    const kept: RecordedEvent[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const journal: EventHistory = {
      record: (e) => void kept.push(e),
      async *replay(range: ReplayRange) {
        await gate; // a slow disk: events are published meanwhile
        for (const e of kept) if (e.seq < range.beforeSeq) yield e;
      },
    };
    const bus = new EventBus({ clock, history: journal });
    bus.publish('container', 'create', 'a');
    const sub = bus.subscribe({ since: 0n });
    bus.publish('container', 'start', 'a');
    const first = sub.next();
    release();
    assert.equal((await first).value?.Action, 'create');
    assert.deepEqual(await drain(sub, 1), ['container:start:a']);
    sub.close();
  });
});

describe('event journal', () => {
  it('replays across a restart, continues the sequence, and keeps between one and two segments', async () => {
    const { mkdtempSync, rmSync, readFileSync, appendFileSync } = await import('node:fs');
    const { JournalHistory } = await import('./journal.ts');
    const dir = mkdtempSync('/tmp/berth-journal-');
    try {
      const clock = new FakeClock('2024-01-01T00:00:00Z');
      const first = new JournalHistory({ dir, segmentSize: 4 });
      const bus = new EventBus({ clock, history: first });
      for (let i = 0; i < 10; i++) {
        bus.publish('volume', 'create', `v${i}`);
        clock.advance(1_000);
      }
      first.close();
      // a crash tore the last line
      appendFileSync(`${dir}/events.log`, '{"seq":99,"ns":"1');
      const second = new JournalHistory({ dir, segmentSize: 4 });
      assert.equal(second.nextSeq, 10);
      const again = new EventBus({ clock, history: second });
      const sub = again.subscribe({ since: 0n });
      again.publish('volume', 'create', 'live');
      // segments of 4: v4…v7 were rotated to events.log.1, v8 and v9 are in events.log
      assert.deepEqual(await drain(sub, 6), ['volume:create:v4', 'volume:create:v5', 'volume:create:v6', 'volume:create:v7', 'volume:create:v8', 'volume:create:v9']);
      assert.deepEqual(await drain(sub, 1), ['volume:create:live']);
      sub.close();
      const since = ns(new Date('2024-01-01T00:00:08Z'));
      const ranged = again.subscribe({ since, until: since + 1_000_000_000n });
      assert.deepEqual(await drain(ranged, 5), ['volume:create:v8', 'volume:create:v9']);
      second.close();
      assert.ok(readFileSync(`${dir}/events.log`, 'utf8').split('\n').filter(Boolean).every((l) => l.startsWith('{"seq":')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
