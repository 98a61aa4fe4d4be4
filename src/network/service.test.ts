// The network verbs of NetworkService on fake ports: the predefined networks, create, inspect,
// list, remove and prune with dockerd's error texts, create's endpoint plan, and the events the
// service publishes for them.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { containerId, fakeNetworking, sandboxRequest } from './fakes.test-support.ts';

const root = mkdtempSync('/tmp/berth-network-test-');
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
async function started() {
  const f = fakeNetworking(join(root, String(n++)));
  await f.service.init();
  await f.service.restore(new Set());
  return f;
}
const err = (name: string, message: string) => ({ name, message });

describe('NetworkService: start-up', () => {
  it('creates bridge, host and none, brings the default bridge up on --bip, and keeps them across restarts', async () => {
    const f = await started();
    assert.deepEqual(f.service.list().map((x) => [x.Name, x.Driver]), [['bridge', 'bridge'], ['host', 'host'], ['none', 'null']]);
    assert.deepEqual(f.netlink.links.get('berth-u0'), { kind: 'bridge', address: '10.213.5.1/24' });
    assert.equal(f.netlink.sysctls.get('net.ipv4.ip_forward'), '1');
    assert.equal(f.service.defaultGateway(), '10.213.5.1');
    assert.deepEqual(f.firewall.state.networks, [{ bridge: 'berth-u0', subnet: '10.213.5.0/24', internal: false, icc: true, masquerade: true }]);
    const ids = f.service.list().map((x) => x.Id);
    const g = f.restart();
    await g.service.init();
    assert.deepEqual(g.service.list().map((x) => x.Id), ids);
  });

  it('networkForMode names the network of bridge, default and user networks, and none of host, none and container:', async () => {
    const f = await started();
    assert.equal(f.service.networkForMode('default')!.Name, 'bridge');
    assert.equal(f.service.networkForMode('')!.Name, 'bridge');
    for (const mode of ['host', 'none', 'container:abc']) assert.equal(f.service.networkForMode(mode), undefined);
  });
});

describe('NetworkService: create', () => {
  it('picks a free default pool, brings its bridge up, reloads the rules and publishes create', async () => {
    const f = await started();
    f.netlink.host.push({ cidr: '172.17.0.0/16', dev: 'docker0' });
    const { Id, Warning } = await f.service.create({ Name: 'app', Labels: { tier: 'web' } });
    assert.equal(Warning, '');
    const view = f.service.inspect('app');
    assert.equal(view.Id, Id);
    assert.deepEqual(view.IPAM, { Driver: 'default', Options: {}, Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] });
    assert.deepEqual(view.Containers, {});
    assert.deepEqual(view.Labels, { tier: 'web' });
    const bridge = `br-${Id.slice(0, 12)}`;
    assert.deepEqual(f.netlink.links.get(bridge), { kind: 'bridge', address: '172.18.0.1/16' });
    assert.deepEqual(f.firewall.state.networks.map((x) => x.bridge).sort(), ['berth-u0', bridge].sort());
    assert.ok(existsSync(join(f.dataRoot, 'network', `${Id}.json`)));
    assert.deepEqual(f.events, [{ action: 'create', id: Id, attributes: { name: 'app', type: 'bridge' } }]);
  });

  it('takes the subnet, range, gateway, bridge name and internal flag it is given', async () => {
    const f = await started();
    const { Id } = await f.service.create({ Name: 'lan', Internal: true, IPAM: { Config: [{ Subnet: '10.77.0.0/24', IPRange: '10.77.0.128/25', Gateway: '10.77.0.254' }] }, Options: { 'com.docker.network.bridge.name': 'br-lan' } });
    assert.deepEqual(f.service.get(Id.slice(0, 6)).IPAM.Config, [{ Subnet: '10.77.0.0/24', IPRange: '10.77.0.128/25', Gateway: '10.77.0.254' }]);
    assert.deepEqual(f.netlink.links.get('br-lan'), { kind: 'bridge', address: '10.77.0.254/24' });
    assert.deepEqual(f.firewall.state.networks.find((x) => x.bridge === 'br-lan'), { bridge: 'br-lan', subnet: '10.77.0.0/24', internal: true, icc: true, masquerade: true });
  });

  it("refuses what dockerd refuses, with dockerd's words, and leaves nothing behind", async () => {
    const f = await started();
    await f.service.create({ Name: 'taken', IPAM: { Config: [{ Subnet: '10.78.0.0/16' }] }, Options: { 'com.docker.network.bridge.name': 'br-taken' } });
    const cases: Array<[Parameters<typeof f.service.create>[0], { name: string; message: string }]> = [
      [{ Name: '' }, err('InvalidArgument', 'network name cannot be empty')],
      [{ Name: '-x' }, err('InvalidArgument', 'invalid network name "-x"')],
      [{ Name: 'bridge' }, err('Forbidden', 'operation is not permitted on predefined bridge network ')],
      [{ Name: 'h', Driver: 'host' }, err('Forbidden', 'only one instance of "host" network is allowed')],
      [{ Name: 'o', Driver: 'overlay' }, err('NotFound', 'could not find plugin overlay in v1 plugin registry: plugin not found')],
      [{ Name: 'taken' }, err('Conflict', 'network with name taken already exists')],
      [{ Name: 'i', IPAM: { Driver: 'dhcp' } }, err('NotFound', 'could not find plugin dhcp in v1 plugin registry: plugin not found')],
      [{ Name: 'v6', EnableIPv6: true }, err('InvalidArgument', 'IPv6 networks are not supported by Berth yet')],
      [{ Name: 'two', IPAM: { Config: [{ Subnet: '10.1.0.0/24' }, { Subnet: '10.2.0.0/24' }] } }, err('InvalidArgument', 'Berth supports one IPv4 subnet per network')],
      [{ Name: 'gw', IPAM: { Config: [{ Subnet: '', Gateway: '10.3.0.1' }] } }, err('InvalidArgument', 'every ip-range or gateway must have a corresponding subnet')],
      [{ Name: 'over', IPAM: { Config: [{ Subnet: '10.78.1.0/24' }] } }, err('Forbidden', 'Pool overlaps with other one on this address space')],
      [{ Name: 'bad', IPAM: { Config: [{ Subnet: 'nonsense' }] } }, err('InvalidArgument', 'Invalid subnet nonsense : invalid CIDR address: nonsense')],
      [{ Name: 'brn', Options: { 'com.docker.network.bridge.name': 'a name' } }, err('InvalidArgument', 'invalid bridge name a name')],
      [{ Name: 'brt', Options: { 'com.docker.network.bridge.name': 'br-taken' } }, err('Forbidden', 'bridge name br-taken is already in use by network taken')],
    ];
    for (const [req, want] of cases) await assert.rejects(f.service.create(req), want, JSON.stringify(req));
    assert.deepEqual(f.service.list().map((x) => x.Name), ['bridge', 'host', 'none', 'taken']);
    assert.equal(f.events.length, 1);
  });

  it('a bridge that cannot come up leaves no record behind', async () => {
    const f = await started();
    f.netlink.ensureBridge = async () => {
      throw new Error('no bridges today');
    };
    await assert.rejects(f.service.create({ Name: 'broken' }), /no bridges today/);
    assert.throws(() => f.service.get('broken'), err('NotFound', 'network broken not found'));
    assert.deepEqual(f.events, []);
  });
});

describe('NetworkService: inspect, list, remove, prune', () => {
  it('finds by name, full id or unique id prefix; NotFound otherwise', async () => {
    const f = await started();
    const { Id } = await f.service.create({ Name: 'app' });
    assert.equal(f.service.inspect(Id).Name, 'app');
    assert.equal(f.service.inspect(Id.slice(0, 5)).Name, 'app');
    assert.throws(() => f.service.inspect('nope'), err('NotFound', 'network nope not found'));
  });

  it("lists sorted by name with dockerd's filters, and rejects unknown ones in its words", async () => {
    const f = await started();
    await f.service.create({ Name: 'web', Labels: { tier: 'front' } });
    await f.service.create({ Name: 'db', Labels: { tier: 'back', keep: '' } });
    const names = (filters: Record<string, string[]>) => f.service.list(new Map(Object.entries(filters))).map((x) => x.Name);
    assert.deepEqual(names({}), ['bridge', 'db', 'host', 'none', 'web']);
    assert.deepEqual(names({ type: ['custom'] }), ['db', 'web']);
    assert.deepEqual(names({ type: ['builtin'] }), ['bridge', 'host', 'none']);
    assert.deepEqual(names({ name: ['^w'] }), ['web']);
    assert.deepEqual(names({ name: ['('] }), []);
    assert.deepEqual(names({ driver: ['null'] }), ['none']);
    assert.deepEqual(names({ label: ['tier=back'] }), ['db']);
    assert.deepEqual(names({ label: ['keep'] }), ['db']);
    assert.deepEqual(names({ dangling: ['true'] }), ['db', 'web']);
    const id = containerId('c1');
    await f.service.setUp(sandboxRequest(f.service, { id, name: 'c1', mode: 'web' }));
    assert.deepEqual(names({ dangling: ['1'] }), ['db']);
    assert.deepEqual(names({ dangling: ['false'] }), ['bridge', 'host', 'none', 'web']);
    assert.throws(() => names({ foo: ['x'] }), err('InvalidArgument', "invalid filter 'foo'"));
    assert.throws(() => names({ type: ['x'] }), err('InvalidArgument', "invalid filter: 'type'='x'"));
    assert.throws(() => names({ dangling: ['maybe'] }), err('InvalidArgument', "invalid filter 'dangling=maybe'"));
  });

  it('removes a user network (bridge, record and rules) and publishes destroy; refuses predefined and used ones', async () => {
    const f = await started();
    const { Id } = await f.service.create({ Name: 'app' });
    const used = await f.service.create({ Name: 'used' });
    await f.service.setUp(sandboxRequest(f.service, { id: containerId('c2'), name: 'c2', mode: 'used' }));
    await assert.rejects(f.service.remove('bridge'), err('Forbidden', 'bridge is a pre-defined network and cannot be removed'));
    await assert.rejects(f.service.remove('used'), err('Forbidden', `error while removing network: network used id ${used.Id} has active endpoints`));
    await assert.rejects(f.service.remove('gone'), err('NotFound', 'network gone not found'));
    f.events.length = 0;
    await f.service.remove('app');
    assert.equal(f.netlink.links.has(`br-${Id.slice(0, 12)}`), false);
    assert.equal(existsSync(join(f.dataRoot, 'network', `${Id}.json`)), false);
    assert.ok(!f.firewall.state.networks.some((x) => x.bridge === `br-${Id.slice(0, 12)}`));
    assert.deepEqual(f.events, [{ action: 'destroy', id: Id, attributes: { name: 'app', type: 'bridge' } }]);
  });

  it('prunes unused user networks that pass the filters; destroy for each, then one prune event', async () => {
    const f = await started();
    const a = await f.service.create({ Name: 'a', Labels: { keep: 'no' } });
    await f.service.create({ Name: 'b', Labels: { keep: 'yes' } });
    await f.service.create({ Name: 'c' });
    await f.service.setUp(sandboxRequest(f.service, { id: containerId('c3'), name: 'c3', mode: 'c' }));
    await assert.rejects(f.service.prune(new Map([['dangling', ['true']]])), err('InvalidArgument', "invalid filter 'dangling'"));
    f.events.length = 0;
    assert.deepEqual(await f.service.prune(new Map([['label!', ['keep=yes']]])), { NetworksDeleted: ['a'] });
    assert.deepEqual(f.events, [
      { action: 'destroy', id: a.Id, attributes: { name: 'a', type: 'bridge' } },
      { action: 'prune', id: '', attributes: { reclaimed: '0' } },
    ]);
    assert.deepEqual(await f.service.prune(new Map([['until', ['2000-01-01T00:00:00Z']]])), { NetworksDeleted: [] });
    assert.deepEqual(await f.service.prune(), { NetworksDeleted: ['b'] });
    assert.deepEqual(f.service.list().map((x) => x.Name), ['bridge', 'c', 'host', 'none']);
  });
});

describe('NetworkService: plan', () => {
  it("gives a container its networks' endpoints: the mode's network first, then the others", async () => {
    const f = await started();
    const app = await f.service.create({ Name: 'app', IPAM: { Config: [{ Subnet: '10.79.0.0/24' }] } });
    const bridge = f.service.get('bridge');
    const planned = f.service.plan({ mode: 'default', endpoints: { app: { IPAMConfig: { IPv4Address: '10.79.0.9' }, Aliases: ['db'] } }, links: ['/x:/me/x'] });
    assert.deepEqual(Object.keys(planned), ['bridge', 'app']);
    assert.equal(planned.bridge.NetworkID, bridge.Id);
    assert.deepEqual(planned.bridge.Links, ['/x:/me/x']);
    assert.equal(planned.app.NetworkID, app.Id);
    assert.deepEqual(planned.app.IPAMConfig, { IPv4Address: '10.79.0.9' });
    assert.deepEqual(planned.app.Aliases, ['db']);
    assert.deepEqual(Object.keys(f.service.plan({ mode: 'host', endpoints: {}, links: [] })), ['host']);
    assert.deepEqual(f.service.plan({ mode: 'container:abc', endpoints: {}, links: [] }), {});
  });

  it("refuses what dockerd refuses at create, in its words", async () => {
    const f = await started();
    await f.service.create({ Name: 'app', IPAM: { Config: [{ Subnet: '10.79.0.0/24' }] } });
    const plan = (mode: string, endpoints: Record<string, object>) => () => f.service.plan({ mode, endpoints, links: [] });
    assert.throws(plan('container:abc', { app: {} }), err('InvalidArgument', "conflicting options: container type network can't be used with other networks"));
    assert.throws(plan('bridge', { bridge: { IPAMConfig: { IPv4Address: '10.213.5.9' } } }), err('InvalidArgument', 'user specified IP address is supported on user defined networks only'));
    assert.throws(plan('app', { app: { IPAMConfig: { IPv4Address: '10.80.0.9' } } }), err('InvalidArgument', 'no configured subnet or ip-range contain the IP address 10.80.0.9'));
    assert.throws(plan('app', { app: { IPAMConfig: { IPv4Address: '10.79.0' } } }), err('InvalidArgument', 'Invalid IPv4 address: 10.79.0)'));
    assert.throws(plan('bridge', { bridge: { Aliases: ['x'] } }), err('InvalidArgument', 'network-scoped alias is supported only for containers in user defined networks'));
    assert.throws(plan('nonet', {}), err('NotFound', 'network nonet not found'));
  });
});
