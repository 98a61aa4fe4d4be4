// The embedded DNS's answers, on sandboxes the sandbox manager really made (on fake ports): the
// parts composed as NetworkService composes them, so the resolver sees what a running berthd has.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../lib/index.ts';
import { planEndpoints } from './endpoint-plan.ts';
import { containerId } from './fakes.test-support.ts';
import { NameResolver } from './name-resolver.ts';
import { FakeNetlink } from './netlink.ts';
import { NetworkStore } from './network-store.ts';
import { PortPublisher } from './port-publisher.ts';
import { FakePortBinder } from './proxy.ts';
import { FakeResolverRedirect } from './resolver-redirect.ts';
import { SandboxManager } from './sandbox-manager.ts';
import { SandboxRegistry } from './sandbox-registry.ts';

const root = mkdtempSync('/tmp/berth-names-test-');
after(() => rmSync(root, { recursive: true, force: true }));

const sandboxes = new SandboxRegistry(join(root, 'sandboxes'));
const names = new NameResolver(sandboxes);
const netlink = new FakeNetlink();
const store = new NetworkStore({ dir: join(root, 'network'), bridge: 'berth-u1', bip: '10.213.6.1/24', mtu: 1500, userlandProxy: true, netlink, names, log: silentLogger, dns: false });
const manager = new SandboxManager({
  netnsDir: join(root, 'netns'),
  store,
  sandboxes,
  ports: new PortPublisher({ binder: new FakePortBinder(), userlandProxy: true, sandboxes }),
  netlink,
  resolverRedirect: new FakeResolverRedirect(),
  reloadRules: async () => {},
  log: silentLogger,
});
const ip: Record<string, Record<string, string>> = {};

/** Starts a container on `networks` (the first is its mode), as the engine would. */
async function start(name: string, id: string, networks: Record<string, { Aliases?: string[] }>, linkAliases?: Record<string, string[]>) {
  const mode = Object.keys(networks)[0];
  const planned = planEndpoints(store, { mode, endpoints: networks, links: [] });
  const r = await manager.setUp({ containerId: id, containerName: name, mode, networks: planned, publishAll: false, upstreams: [`192.0.2.${Object.keys(ip).length + 1}`], ...(linkAliases ? { linkAliases } : {}) });
  ip[name] = Object.fromEntries(Object.entries(r.networks).map(([net, ep]) => [net, ep.IPAddress]));
}

before(async () => {
  await sandboxes.init();
  await manager.init();
  await store.init();
  await store.create({ Name: 'front', IPAM: { Config: [{ Subnet: '10.81.0.0/24' }] } });
  await store.create({ Name: 'back', IPAM: { Config: [{ Subnet: '10.82.0.0/24' }] } });
  await start('web', containerId('aa11'), { front: { Aliases: ['www', 'Site'] }, back: {} }, { cache: ['redis'] });
  await start('db', containerId('bb22'), { back: { Aliases: ['pg'] } });
  await start('proxy', containerId('cc33'), { front: {} });
  await start('legacy', containerId('dd44'), { bridge: {} });
});

describe('NameResolver', () => {
  it('answers container names and aliases of the networks the asker shares, case-insensitively', () => {
    assert.deepEqual(names.resolve(ip.proxy.front, 'web'), [ip.web.front]);
    assert.deepEqual(names.resolve(ip.proxy.front, 'WWW'), [ip.web.front]);
    assert.deepEqual(names.resolve(ip.proxy.front, 'site'), [ip.web.front]);
    assert.deepEqual(names.resolve(ip.proxy.front, 'cache'), [ip.web.front], '--link aliases are names too');
    assert.deepEqual(names.resolve(ip.db.back, 'web'), [ip.web.back]);
    assert.deepEqual(names.resolve(ip.web.front, 'pg'), [ip.db.back], 'an asker on two networks sees both');
    assert.deepEqual(names.resolve(ip.web.back, 'proxy'), [ip.proxy.front], 'whichever of its addresses asks');
  });

  it('does not answer across networks, on the default bridge, or for strangers', () => {
    assert.equal(names.resolve(ip.proxy.front, 'db'), undefined);
    assert.equal(names.resolve(ip.proxy.front, 'pg'), undefined);
    assert.equal(names.resolve(ip.db.back, 'www'), undefined, 'an alias belongs to its network');
    assert.equal(names.resolve(ip.legacy.bridge, 'web'), undefined);
    assert.equal(names.resolve(ip.web.front, 'legacy'), undefined);
    assert.equal(names.resolve('10.81.0.200', 'web'), undefined);
  });

  it('answers ids of 12 characters or more, and not shorter prefixes', () => {
    assert.deepEqual(names.resolve(ip.proxy.front, containerId('aa11').slice(0, 12)), [ip.web.front]);
    assert.deepEqual(names.resolve(ip.proxy.front, containerId('aa11')), [ip.web.front]);
    assert.equal(names.resolve(ip.proxy.front, containerId('aa11').slice(0, 11)), undefined);
  });

  it("forwards through the asker's own upstream servers", () => {
    assert.deepEqual(names.upstreams(ip.web.front), ['192.0.2.1']);
    assert.deepEqual(names.upstreams(ip.db.back), ['192.0.2.2']);
    assert.deepEqual(names.upstreams('10.81.0.200'), []);
  });

  it('forgets a container once its sandbox is torn down', async () => {
    await manager.tearDown(containerId('bb22'));
    assert.equal(names.resolve(ip.web.back, 'db'), undefined);
    assert.deepEqual(names.upstreams(ip.db.back), []);
  });
});
