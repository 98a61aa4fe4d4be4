// Containers' sandboxes through NetworkService on fake ports: set-up and tear-down with links,
// addresses, published ports and firewall state; connect and disconnect; the other network modes;
// restore after a berthd restart; and the connect/disconnect events.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { containerId, fakeNetworking, sandboxRequest, type FakeNetworking } from './fakes.test-support.ts';

const root = mkdtempSync('/tmp/berth-sandbox-test-');
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
async function started(f: FakeNetworking = fakeNetworking(join(root, String(n++)))) {
  await f.service.init();
  await f.service.restore(new Set());
  return f;
}
const err = (name: string, message: string) => ({ name, message });
const sandboxFiles = (f: FakeNetworking) => readdirSync(join(f.execRoot, 'network', 'sandboxes')).filter((x) => x.endsWith('.json'));
const vethsOn = (f: FakeNetworking, bridge: string) => [...f.netlink.links].filter(([, l]) => l.master === bridge).map(([name]) => name);

describe('set-up and tear-down on the default bridge', () => {
  it('makes the namespace with eth0, publishes ports, reloads the rules; tear-down gives it all back', async () => {
    const f = await started();
    const id = containerId('a1');
    const bridgeId = f.service.get('bridge').Id;
    f.events.length = 0;
    const applied = f.firewall.applied;
    const r = await f.service.setUp(sandboxRequest(f.service, { id, name: 'web', portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }, exposedPorts: { '80/tcp': {}, '81/tcp': {} } }));

    assert.equal(r.namespace.mode, 'path');
    const netns = (r.namespace as { path: string }).path;
    assert.equal(netns, join(f.execRoot, 'netns', r.sandboxId.slice(0, 12)));
    assert.equal(r.sandboxKey, netns);
    assert.ok(f.netlink.namespaces.has(netns));
    const ep = r.networks.bridge;
    assert.deepEqual([ep.NetworkID, ep.IPAddress, ep.IPPrefixLen, ep.Gateway, ep.MacAddress], [bridgeId, '10.213.5.2', 24, '10.213.5.1', '02:42:0a:d5:05:02']);
    assert.match(ep.EndpointID, /^[0-9a-f]{64}$/);
    assert.equal(ep.Aliases, null);
    const [veth] = vethsOn(f, 'berth-u0');
    assert.deepEqual(f.netlink.interfaces.get(veth), { netns, bridge: 'berth-u0', hostName: veth, name: 'eth0', mac: '02:42:0a:d5:05:02', address: '10.213.5.2', prefix: 24, gateway: '10.213.5.1', mtu: 1500 });

    assert.deepEqual(r.ports, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '81/tcp': null });
    assert.deepEqual(f.service.ports(id, { '80/tcp': {} }), { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] });
    assert.deepEqual([...f.binder.bound], [{ proto: 'tcp', ip: '0.0.0.0', port: 8080, target: { ip: '10.213.5.2', port: 80 } }]);
    assert.equal(f.firewall.applied, applied + 1);
    assert.deepEqual(f.firewall.state.ports, [{ bridge: 'berth-u0', proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerIp: '10.213.5.2', containerPort: 80 }]);
    assert.equal(f.service.sandboxPath(id), netns);
    assert.deepEqual(sandboxFiles(f), [`${id}.json`]);
    assert.deepEqual(f.service.inspect('bridge').Containers, { [id]: { Name: 'web', EndpointID: ep.EndpointID, MacAddress: ep.MacAddress, IPv4Address: '10.213.5.2/24', IPv6Address: '' } });
    assert.deepEqual(f.events, [{ action: 'connect', id: bridgeId, attributes: { container: id, name: 'bridge', type: 'bridge' } }]);

    f.events.length = 0;
    await f.service.tearDown(id);
    assert.equal(f.netlink.namespaces.has(netns), false);
    assert.deepEqual(vethsOn(f, 'berth-u0'), []);
    assert.deepEqual([...f.binder.bound], []);
    assert.deepEqual(f.firewall.state.ports, []);
    assert.deepEqual(sandboxFiles(f), []);
    assert.equal(f.service.sandboxPath(id), undefined);
    assert.deepEqual(f.service.ports(id, {}), {});
    assert.deepEqual(f.service.inspect('bridge').Containers, {});
    assert.deepEqual(f.events, [{ action: 'disconnect', id: bridgeId, attributes: { container: id, name: 'bridge', type: 'bridge' } }]);
    await f.service.tearDown(id);
    assert.equal(f.events.length, 1, 'a second tear-down is a no-op');
    const again = await f.service.setUp(sandboxRequest(f.service, { id: containerId('a2'), name: 'again' }));
    assert.equal(again.networks.bridge.IPAddress, '10.213.5.2', 'the address was released');
  });

  it('-P draws ephemeral host ports, skipping those held by containers and by other programs', async () => {
    const f = await started();
    await f.service.setUp(sandboxRequest(f.service, { id: containerId('b1'), name: 'one', exposedPorts: { '80/tcp': {} }, publishAll: true }));
    f.binder.inUse.add('tcp/49154');
    const r = await f.service.setUp(sandboxRequest(f.service, { id: containerId('b2'), name: 'two', exposedPorts: { '80/tcp': {}, '53/udp': {} }, publishAll: true }));
    assert.deepEqual(r.ports, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '49155' }], '53/udp': [{ HostIp: '0.0.0.0', HostPort: '49153' }] });
  });

  it('a port already allocated fails the set-up and leaves no namespace, veth, address, socket or sandbox', async () => {
    const f = await started();
    await f.service.setUp(sandboxRequest(f.service, { id: containerId('c1'), name: 'one', portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }));
    const namespaces = [...f.netlink.namespaces];
    f.events.length = 0;
    const id = containerId('c2');
    await assert.rejects(
      f.service.setUp(sandboxRequest(f.service, { id, name: 'two', portBindings: { '81/tcp': [{ HostIp: '', HostPort: '9090' }], '80/tcp': [{ HostIp: '', HostPort: '8080' }] } })),
      err('Conflict', 'Bind for 0.0.0.0:8080 failed: port is already allocated'),
    );
    assert.deepEqual([...f.netlink.namespaces], namespaces);
    assert.equal(vethsOn(f, 'berth-u0').length, 1);
    assert.deepEqual([...f.binder.bound].map((b) => b.port), [8080]);
    assert.deepEqual(sandboxFiles(f), [`${containerId('c1')}.json`]);
    assert.deepEqual(f.events, []);
    await assert.rejects(f.service.setUp(sandboxRequest(f.service, { id, name: 'two', portBindings: { '80/sctp': null } })), err('InvalidArgument', 'sctp ports are not supported by Berth'));
    const r = await f.service.setUp(sandboxRequest(f.service, { id, name: 'two' }));
    assert.equal(r.networks.bridge.IPAddress, '10.213.5.3');
  });
});

describe('user-defined networks, connect and disconnect', () => {
  it('a container on two networks gets eth0 on its mode network and eth1 on the other, with aliases on user networks', async () => {
    const f = await started();
    const app = await f.service.create({ Name: 'app', IPAM: { Config: [{ Subnet: '10.79.0.0/24' }] } });
    const id = containerId('d1');
    f.events.length = 0;
    const networks = f.service.plan({ mode: 'app', endpoints: { app: { Aliases: ['db'] }, bridge: {} }, links: [] });
    const r = await f.service.setUp(sandboxRequest(f.service, { id, name: 'pg', mode: 'app', networks, linkAliases: { cache: ['redis'] } }));
    assert.deepEqual(r.networks.app.Aliases, ['db', id.slice(0, 12)]);
    assert.equal(r.networks.app.IPAddress, '10.79.0.2');
    assert.equal(r.networks.bridge.IPAddress, '10.213.5.2');
    const specs = [...f.netlink.interfaces.values()];
    assert.deepEqual(specs.map((s) => [s.name, s.bridge, s.gateway]), [['eth0', `br-${app.Id.slice(0, 12)}`, '10.79.0.1'], ['eth1', 'berth-u0', undefined]]);
    assert.deepEqual(f.events.map((e) => [e.action, e.attributes.name]).sort(), [['connect', 'app'], ['connect', 'bridge']]);
  });

  it('connect adds the next interface to a running container and disconnect removes it, each with its event', async () => {
    const f = await started();
    const app = await f.service.create({ Name: 'app', IPAM: { Config: [{ Subnet: '10.79.0.0/24' }] } });
    const id = containerId('e1');
    const r = await f.service.setUp(sandboxRequest(f.service, { id, name: 'web', portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }));
    f.events.length = 0;
    const planned = f.service.plan({ mode: 'app', endpoints: { app: { Aliases: ['www'] } }, links: [] }).app;
    const ep = await f.service.connect(id, 'app', planned);
    assert.deepEqual([ep.NetworkID, ep.IPAddress, ep.Aliases], [app.Id, '10.79.0.2', ['www', id.slice(0, 12)]]);
    const added = [...f.netlink.interfaces.values()].find((s) => s.bridge === `br-${app.Id.slice(0, 12)}`)!;
    assert.deepEqual([added.netns, added.name, added.gateway], [(r.namespace as { path: string }).path, 'eth1', undefined]);
    assert.deepEqual(Object.keys(f.service.inspect('app').Containers), [id]);
    await assert.rejects(f.service.connect(id, 'app', planned), err('Forbidden', 'endpoint with name web already exists in network app'));
    assert.deepEqual(f.events, [{ action: 'connect', id: app.Id, attributes: { container: id, name: 'app', type: 'bridge' } }]);

    f.events.length = 0;
    await f.service.disconnect(id, 'app');
    assert.equal(f.netlink.links.has(added.hostName), false);
    assert.deepEqual(f.service.inspect('app').Containers, {});
    assert.deepEqual(f.events, [{ action: 'disconnect', id: app.Id, attributes: { container: id, name: 'app', type: 'bridge' } }]);
    assert.deepEqual([...f.binder.bound].map((b) => b.port), [8080], 'ports on the other network stay');

    // Leaving the network the ports were published on drops them, and their rules.
    await f.service.disconnect(id, 'bridge');
    assert.deepEqual([...f.binder.bound], []);
    assert.deepEqual(f.firewall.state.ports, []);
    assert.deepEqual(f.service.ports(id, {}), {});
    const back = await f.service.connect(id, 'bridge', f.service.plan({ mode: 'bridge', endpoints: {}, links: [] }).bridge);
    assert.equal(back.IPAddress, '10.213.5.2');
    assert.equal([...f.netlink.interfaces.values()].find((s) => s.address === '10.213.5.2')!.gateway, '10.213.5.1', 'the only interface carries the default route');
  });

  it('host, none and container: modes get no interfaces; only host and none are on a network', async () => {
    const f = await started();
    const hostId = containerId('f1');
    const hostNet = f.service.get('host');
    f.events.length = 0;
    const h = await f.service.setUp(sandboxRequest(f.service, { id: hostId, name: 'h', mode: 'host' }));
    assert.deepEqual([h.namespace, h.sandboxKey, h.ports], [{ mode: 'host' }, '/var/run/docker/netns/default', {}]);
    assert.match(h.networks.host.EndpointID, /^[0-9a-f]{64}$/);
    assert.deepEqual(f.service.inspect('host').Containers, { [hostId]: { Name: 'h', EndpointID: h.sandboxId, MacAddress: '', IPv4Address: '', IPv6Address: '' } });
    await assert.rejects(f.service.connect(hostId, 'bridge', f.service.plan({ mode: 'bridge', endpoints: {}, links: [] }).bridge), err('Forbidden', 'container sharing network namespace with another container or host cannot be connected to any other network'));
    const none = await f.service.setUp(sandboxRequest(f.service, { id: containerId('f2'), name: 'n', mode: 'none' }));
    assert.deepEqual(none.namespace, { mode: 'private' });
    const shared = await f.service.setUp(sandboxRequest(f.service, { id: containerId('f3'), name: 's', mode: `container:${hostId}`, sharedNetns: '/proc/1/ns/net' }));
    assert.deepEqual([shared.namespace, shared.networks], [{ mode: 'path', path: '/proc/1/ns/net' }, {}]);
    assert.deepEqual(f.netlink.interfaces.size, 0);
    assert.deepEqual(f.events.map((e) => [e.action, e.attributes.name]), [['connect', 'host'], ['connect', 'none']]);
    f.events.length = 0;
    for (const x of ['f1', 'f2', 'f3']) await f.service.tearDown(containerId(x));
    assert.deepEqual(f.service.inspect('host').Containers, {});
    assert.deepEqual(f.events, [
      { action: 'disconnect', id: hostNet.Id, attributes: { container: hostId, name: 'host', type: 'host' } },
      { action: 'disconnect', id: f.service.get('none').Id, attributes: { container: containerId('f2'), name: 'none', type: 'null' } },
    ]);
  });
});

describe('127.0.0.11 inside the namespace', () => {
  const nsOf = (r: { namespace: unknown }) => (r.namespace as { path: string }).path;

  it('a container on the default bridge keeps its configured servers; on a user network 127.0.0.11 leads to that gateway', async () => {
    const f = await started();
    await f.service.create({ Name: 'app', IPAM: { Config: [{ Subnet: '10.79.0.0/24' }] } });
    const plain = await f.service.setUp(sandboxRequest(f.service, { id: containerId('g1'), name: 'plain' }));
    assert.equal(plain.nameserver, undefined);
    assert.equal(f.service.nameserver(containerId('g1')), undefined);
    assert.equal(f.redirect.namespaces.has(nsOf(plain)), false);
    // eth0 on the default bridge, eth1 on app: the user network's gateway is the one used.
    const networks = f.service.plan({ mode: 'bridge', endpoints: { bridge: {}, app: {} }, links: [] });
    const both = await f.service.setUp(sandboxRequest(f.service, { id: containerId('g2'), name: 'both', networks }));
    assert.equal(both.nameserver, '127.0.0.11');
    assert.equal(f.service.nameserver(containerId('g2')), '127.0.0.11');
    assert.deepEqual(f.redirect.namespaces.get(nsOf(both)), { target: { gateway: '10.79.0.1', address: both.networks.app.IPAddress } });
  });

  it('connect to a user network brings it to a default-bridge container; disconnect re-points it and it stays, as in dockerd', async () => {
    const f = await started();
    await f.service.create({ Name: 'app', IPAM: { Config: [{ Subnet: '10.79.0.0/24' }] } });
    await f.service.create({ Name: 'db', IPAM: { Config: [{ Subnet: '10.80.0.0/24' }] } });
    const id = containerId('h1');
    const r = await f.service.setUp(sandboxRequest(f.service, { id, name: 'late' }));
    const ns = nsOf(r);
    // The default bridge is no user network: connecting to it changes nothing.
    await f.service.disconnect(id, 'bridge');
    await f.service.connect(id, 'bridge', f.service.plan({ mode: 'bridge', endpoints: {}, links: [] }).bridge);
    assert.equal(f.service.nameserver(id), undefined);
    assert.equal(f.redirect.namespaces.has(ns), false);

    const app = await f.service.connect(id, 'app', f.service.plan({ mode: 'app', endpoints: {}, links: [] }).app);
    assert.equal(f.service.nameserver(id), '127.0.0.11');
    assert.deepEqual(f.redirect.namespaces.get(ns), { target: { gateway: '10.79.0.1', address: app.IPAddress } });
    const db = await f.service.connect(id, 'db', f.service.plan({ mode: 'db', endpoints: {}, links: [] }).db);
    assert.deepEqual(f.redirect.namespaces.get(ns)!.target!.gateway, '10.79.0.1', 'a second network leaves the target alone');
    await f.service.disconnect(id, 'app');
    assert.deepEqual(f.redirect.namespaces.get(ns), { target: { gateway: '10.80.0.1', address: db.IPAddress } });
    await f.service.disconnect(id, 'db');
    assert.deepEqual(f.redirect.namespaces.get(ns), { target: { gateway: '10.213.5.1', address: '10.213.5.2' } }, 'the default bridge resolver forwards for it');
    assert.equal(f.service.nameserver(id), '127.0.0.11');
    await f.service.disconnect(id, 'bridge');
    assert.deepEqual(f.redirect.namespaces.get(ns), { target: undefined });
    assert.equal(f.service.nameserver(id), '127.0.0.11');
  });

  it('a failed redirect undoes the connect, and fails the set-up with nothing left', async () => {
    const f = await started();
    await f.service.create({ Name: 'app', IPAM: { Config: [{ Subnet: '10.79.0.0/24' }] } });
    const id = containerId('i1');
    const r = await f.service.setUp(sandboxRequest(f.service, { id, name: 'x' }));
    f.redirect.failing.add(nsOf(r));
    const veths = vethsOn(f, 'berth-u0').length;
    await assert.rejects(f.service.connect(id, 'app', f.service.plan({ mode: 'app', endpoints: {}, links: [] }).app), /pointing 127\.0\.0\.11 at the embedded DNS/);
    assert.deepEqual(f.service.inspect('app').Containers, {});
    assert.equal(f.service.nameserver(id), undefined);
    assert.equal([...f.netlink.interfaces.values()].filter((s) => s.address.startsWith('10.79.')).length, 0);
    assert.equal(vethsOn(f, 'berth-u0').length, veths);
    f.redirect.failing.clear();
    const ep = await f.service.connect(id, 'app', f.service.plan({ mode: 'app', endpoints: {}, links: [] }).app);
    assert.equal(ep.IPAddress, '10.79.0.2', 'the address was released');

    // At set-up the redirect loads while the runtime creates the container: its failure comes
    // through `ready`, and the engine's tear-down then leaves nothing.
    const failing = f.redirect.apply.bind(f.redirect);
    f.redirect.apply = async (netns, target, o) => (netns.includes('netns') ? Promise.reject(new Error('no iptables here')) : failing(netns, target, o));
    const before = [...f.netlink.namespaces];
    const r2 = await f.service.setUp(sandboxRequest(f.service, { id: containerId('i2'), name: 'y', mode: 'app' }));
    await assert.rejects(r2.ready!, /no iptables here/);
    await f.service.tearDown(containerId('i2'));
    assert.deepEqual([...f.netlink.namespaces], before);
    assert.deepEqual(sandboxFiles(f), [`${id}.json`]);
    assert.deepEqual(Object.keys(f.service.inspect('app').Containers), [id]);
  });

  it('a tear-down right after the set-up waits for the redirect still loading', async () => {
    const f = await started();
    await f.service.create({ Name: 'app', IPAM: { Config: [{ Subnet: '10.79.0.0/24' }] } });
    const order: string[] = [];
    let release!: () => void;
    const apply = f.redirect.apply.bind(f.redirect);
    f.redirect.apply = async (netns, target, o) => {
      await new Promise<void>((r) => (release = r));
      await apply(netns, target, o);
      order.push('redirect');
    };
    const removeNamespace = f.netlink.removeNamespace.bind(f.netlink);
    f.netlink.removeNamespace = async (path) => {
      order.push('namespace removed');
      await removeNamespace(path);
    };
    const id = containerId('k1');
    const r = await f.service.setUp(sandboxRequest(f.service, { id, name: 'k', mode: 'app' }));
    const down = f.service.tearDown(id);
    await Promise.resolve();
    release();
    await down;
    await r.ready;
    assert.deepEqual(order, ['redirect', 'namespace removed']);
  });

  it('survives a berthd restart: the adopted sandbox keeps 127.0.0.11 and is re-pointed without a second set-up', async () => {
    const f = await started();
    await f.service.create({ Name: 'app', IPAM: { Config: [{ Subnet: '10.79.0.0/24' }] } });
    const id = containerId('j1');
    const networks = f.service.plan({ mode: 'app', endpoints: { app: {}, bridge: {} }, links: [] });
    const r = await f.service.setUp(sandboxRequest(f.service, { id, name: 'kept', mode: 'app', networks }));
    await f.service.close();
    const g = f.restart();
    await g.service.init();
    await g.service.restore(new Set([id]));
    assert.equal(g.service.nameserver(id), '127.0.0.11');
    await g.service.disconnect(id, 'app');
    assert.deepEqual(g.redirect.namespaces.get(nsOf(r)), { target: { gateway: '10.213.5.1', address: r.networks.bridge.IPAddress } });
  });
});

describe('restore after a berthd restart', () => {
  it('keeps the sandboxes of running containers (addresses, ports, rules) and removes the rest', async () => {
    const f = await started();
    await f.service.create({ Name: 'app', IPAM: { Config: [{ Subnet: '10.79.0.0/24' }] } });
    const running = containerId('a0');
    const gone = containerId('b0');
    const kept = await f.service.setUp(sandboxRequest(f.service, { id: running, name: 'kept', portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }));
    const lost = await f.service.setUp(sandboxRequest(f.service, { id: gone, name: 'lost', mode: 'app', portBindings: { '80/tcp': [{ HostIp: '', HostPort: '9090' }] } }));
    await f.service.close();
    assert.deepEqual([...f.binder.bound], [], 'close lets go of the sockets');
    // What a crash leaves: a veth nobody knows, a namespace file nobody knows, a torn sandbox file.
    f.netlink.links.set('vethstray', { kind: 'veth', master: 'berth-u0' });
    const strayNs = join(f.execRoot, 'netns', 'stray');
    writeFileSync(strayNs, '');
    f.netlink.namespaces.add(strayNs);
    writeFileSync(join(f.execRoot, 'network', 'sandboxes', 'torn.json'), '{"containerId":');

    const g = f.restart();
    await g.service.init();
    await g.service.restore(new Set([running]));
    const keptNs = (kept.namespace as { path: string }).path;
    assert.ok(g.netlink.namespaces.has(keptNs));
    assert.equal(g.netlink.namespaces.has((lost.namespace as { path: string }).path), false);
    assert.equal(g.netlink.namespaces.has(strayNs), false);
    assert.deepEqual(vethsOn(g, 'berth-u0'), [...g.netlink.interfaces.values()].filter((s) => s.netns === keptNs).map((s) => s.hostName));
    assert.deepEqual(sandboxFiles(g), [`${running}.json`]);
    assert.equal(g.service.sandboxPath(running), keptNs);
    assert.equal(g.service.sandboxPath(gone), undefined);
    assert.deepEqual([...g.binder.bound].map((b) => [b.port, b.target]), [[8080, { ip: '10.213.5.2', port: 80 }]]);
    assert.deepEqual(g.firewall.state.ports.map((p) => p.hostPort), [8080]);
    assert.deepEqual(Object.keys(g.service.inspect('bridge').Containers), [running]);
    assert.deepEqual(g.service.ports(running, {}), { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] });
    // The adopted address stays taken; the removed one is free again.
    const next = await g.service.setUp(sandboxRequest(g.service, { id: containerId('c0'), name: 'next' }));
    assert.equal(next.networks.bridge.IPAddress, '10.213.5.3');
    const onApp = await g.service.setUp(sandboxRequest(g.service, { id: containerId('d0'), name: 'onapp', mode: 'app' }));
    assert.equal(onApp.networks.app.IPAddress, lost.networks.app.IPAddress);
    await assert.rejects(g.service.setUp(sandboxRequest(g.service, { id: containerId('e0'), name: 'clash', portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } })), err('Conflict', 'Bind for 0.0.0.0:8080 failed: port is already allocated'));
    assert.deepEqual(g.events, [
      { action: 'connect', id: g.service.get('bridge').Id, attributes: { container: containerId('c0'), name: 'bridge', type: 'bridge' } },
      { action: 'connect', id: g.service.get('app').Id, attributes: { container: containerId('d0'), name: 'app', type: 'bridge' } },
    ]);
  });

  it('starts with an empty sandbox directory when berthd never ran containers', async () => {
    const f = fakeNetworking(join(root, String(n++)));
    mkdirSync(join(f.execRoot, 'netns'), { recursive: true });
    await started(f);
    assert.deepEqual(sandboxFiles(f), []);
    assert.ok(existsSync(join(f.execRoot, 'netns')));
    assert.equal(f.firewall.applied, 1);
  });
});

describe('userns-remap', () => {
  it('makes the namespace owned by a user namespace with the maps asked for, kept beside it and removed with it', async () => {
    const f = await started();
    const id = containerId('u1');
    const maps = { uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }] };
    const r = await f.service.setUp({ ...sandboxRequest(f.service, { id, name: 'remapped' }), userNamespace: maps });
    const netns = (r.namespace as { path: string }).path;
    assert.equal(r.userns, `${netns}-user`);
    assert.deepEqual(f.netlink.owners.get(netns), { path: `${netns}-user`, ...maps });
    assert.ok(f.netlink.namespaces.has(`${netns}-user`));
    assert.equal(f.service.sandboxUserns(id), `${netns}-user`);
    await f.service.tearDown(id);
    assert.equal(f.netlink.namespaces.has(`${netns}-user`), false);
    assert.equal(f.service.sandboxUserns(id), undefined);
  });
});
