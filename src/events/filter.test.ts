import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeEvent, type EngineEvent, type EventType } from './event.ts';
import { eventMatcher } from './filter.ts';

const ev = (type: EventType, action: string, id: string, attributes: Record<string, string> = {}): EngineEvent => makeEvent(type, action, id, attributes, 1_700_000_000_000_000_000n);
const match = (filters: Record<string, string[]>, e: EngineEvent) => eventMatcher(new Map(Object.entries(filters)))(e);

const web = ev('container', 'start', 'c0ffee1234', { image: 'busybox:latest', name: 'web', tier: 'front' });
const vol = ev('volume', 'create', 'data', { driver: 'local' });
const net = ev('network', 'connect', 'n3tw0rk', { container: 'c0ffee1234', name: 'backend', type: 'bridge' });
const img = ev('image', 'pull', 'sha256:' + 'b'.repeat(64), { name: 'registry.local:5000/app:1.0' });

describe('event filters (dockerd daemon/events/filter.go)', () => {
  it('no filters let everything through', () => {
    for (const e of [web, vol, net, img]) assert.ok(match({}, e));
  });

  it('type and scope are exact; several values of one key are alternatives', () => {
    assert.ok(match({ type: ['volume', 'network'] }, vol));
    assert.ok(!match({ type: ['volume', 'network'] }, web));
    assert.ok(match({ scope: ['local'] }, web));
    assert.ok(!match({ scope: ['swarm'] }, web));
  });

  it('event is exact, but the bare exec_start, exec_create and health_status match by prefix', () => {
    assert.ok(match({ event: ['start'] }, web));
    assert.ok(!match({ event: ['sta'] }, web));
    const exec = ev('container', 'exec_start: sh -c true', 'c0ffee1234');
    assert.ok(match({ event: ['exec_start'] }, exec));
    assert.ok(!match({ event: ['exec_create'] }, exec));
    assert.ok(!match({ event: ['die'] }, exec));
  });

  it('container matches the id or the name attribute, by prefix', () => {
    assert.ok(match({ container: ['web'] }, web));
    assert.ok(match({ container: ['c0ffee'] }, web));
    assert.ok(!match({ container: ['db'] }, web));
    // as in dockerd, the filter applies to every event type: a volume event is left out
    assert.ok(!match({ container: ['web'] }, vol));
  });

  it('network, volume and daemon match their actors the same way', () => {
    assert.ok(match({ network: ['backend'] }, net));
    assert.ok(match({ network: ['n3tw'] }, net));
    assert.ok(!match({ network: ['frontend'] }, net));
    assert.ok(match({ volume: ['data'] }, vol));
    assert.ok(!match({ volume: ['logs'] }, vol));
    assert.ok(match({ daemon: ['d4e'] }, ev('daemon', 'reload', 'd4e5f6', { name: 'host' })));
  });

  it("image matches an image's id or name, and a container's image, with or without the tag", () => {
    assert.ok(match({ image: ['busybox:latest'] }, web));
    assert.ok(match({ image: ['busybox'] }, web));
    assert.ok(!match({ image: ['alpine'] }, web));
    assert.ok(match({ image: ['registry.local:5000/app'] }, img));
    assert.ok(match({ image: ['registry.local:5000/app:1.0'] }, img));
    assert.ok(match({ image: ['sha256:' + 'b'.repeat(64)] }, img));
    assert.ok(!match({ image: ['busybox'] }, vol));
  });

  it('label matches keys and key=value pairs among the attributes, all of them', () => {
    assert.ok(match({ label: ['tier'] }, web));
    assert.ok(match({ label: ['tier=front'] }, web));
    assert.ok(!match({ label: ['tier=back'] }, web));
    assert.ok(!match({ label: ['tier', 'owner'] }, web));
    assert.ok(!match({ label: ['tier'] }, ev('container', 'die', 'x')));
  });

  it('different keys must all match', () => {
    assert.ok(match({ type: ['container'], event: ['start'], container: ['web'] }, web));
    assert.ok(!match({ type: ['container'], event: ['die'], container: ['web'] }, web));
  });
});
