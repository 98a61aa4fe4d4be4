// The volume service on fakes: it publishes its own events and asks its VolumeUsers port who uses
// a volume; nothing here needs root.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { silentLogger } from '../lib/index.ts';
import { FakeSyscalls } from '../sys/index.ts';
import { VolumeService } from './service.ts';

const root = mkdtempSync('/tmp/berth-volume-test-');
after(() => rmSync(root, { recursive: true, force: true }));

async function service(dir: string) {
  const published: string[] = [];
  const users = new Map<string, string[]>();
  const sys = new FakeSyscalls();
  const volumes = new VolumeService({
    root: join(root, dir),
    sys,
    log: silentLogger,
    users: { containersUsingVolume: (name) => users.get(name) ?? [] },
    events: { publish: (type, action, name, attributes) => void published.push(`${type}:${action}:${name}:${JSON.stringify(attributes)}`) },
  });
  await volumes.init();
  return { volumes, published, users, sys };
}

describe('VolumeService', () => {
  it('publishes its own create (once), mount and destroy', async () => {
    const { volumes, published } = await service('events');
    await volumes.create({ name: 'data' });
    await volumes.create({ name: 'data' }); // exists: no second event
    await volumes.mount('data', 'c1');
    await volumes.unmount('data', 'c1');
    await volumes.remove('data');
    assert.deepEqual(published.filter((e) => !e.startsWith('volume:unmount:')), [
      'volume:create:data:{"driver":"local"}',
      'volume:mount:data:{"container":"c1","destination":"","driver":"local","propagation":"","read/write":"true"}',
      'volume:destroy:data:{"driver":"local"}',
    ]);
  });

  it('a volume with mount options is mounted through the syscalls port while used', async () => {
    const { volumes, sys, published } = await service('mounted');
    await volumes.create({ name: 'scratch', options: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,noexec' } });
    const path = await volumes.mount('scratch', 'c1');
    assert.deepEqual(sys.mounts, [{ source: 'tmpfs', target: path, fstype: 'tmpfs', flags: 8, data: 'size=1m' }]);
    await volumes.unmount('scratch', 'c1');
    assert.deepEqual(sys.mounts, []);
    assert.equal(published.at(-1), 'volume:unmount:scratch:{"container":"c1","driver":"local"}');
  });

  it('asks its users port before removing, and for system df', async () => {
    const { volumes, users } = await service('users');
    const v = await volumes.create({ name: 'logs' });
    writeFileSync(join(v.Mountpoint, 'a.log'), 'x'.repeat(1000));
    users.set('logs', ['c1', 'c2']);
    await assert.rejects(volumes.remove('logs'), { kind: 'conflict', message: 'remove logs: volume is in use - [c1, c2]' });
    const [usage] = await volumes.diskUsage();
    assert.deepEqual([usage.Name, usage.UsageData], ['logs', { Size: 1000, RefCount: 2 }]);
    assert.deepEqual(volumes.list(new Map([['dangling', ['true']]])).Volumes, []);
    users.delete('logs');
    await volumes.remove('logs');
    assert.equal(volumes.has('logs'), false);
  });
});
