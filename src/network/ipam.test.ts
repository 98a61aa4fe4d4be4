import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAnswer, parseQuery } from './dns-message.ts';
import { FakeFirewall } from './firewall.ts';
import { chainNames, renderRules } from './firewall.ts';
import { AddressPool, formatIp, macForIp, parseCidr, parseIp, pickFreePool, poolConfig } from './ipam.ts';
import { portRequests, portsView } from './ports.ts';

describe('ipam', () => {
  it('parses CIDRs as Go does and words errors as dockerd', () => {
    assert.deepEqual(parseCidr('10.1.2.3/24'), { base: parseIp('10.1.2.0'), prefix: 24 });
    assert.throws(() => poolConfig({ subnet: 'nonsense' }), /^InvalidArgument: Invalid subnet nonsense : invalid CIDR address: nonsense$/);
    assert.throws(() => poolConfig({ subnet: '10.1.0.0/24', gateway: '10.2.0.1' }), /no matching subnet for gateway 10\.2\.0\.1/);
    assert.throws(() => poolConfig({ subnet: '10.1.0.0/24', ipRange: '10.3.0.0/28' }), /no matching subnet for range 10\.3\.0\.0\/28/);
    assert.equal(parseIp('010.1.1.1'), undefined);
  });

  it('allocates the lowest free address, skipping network, gateway and broadcast; honours --ip-range', () => {
    const pool = new AddressPool(poolConfig({ subnet: '10.9.0.0/30' }));
    assert.equal(formatIp(pool.allocate()), '10.9.0.2');
    assert.throws(() => pool.allocate(), /no available IPv4 addresses/);
    const ranged = new AddressPool(poolConfig({ subnet: '10.9.0.0/24', ipRange: '10.9.0.128/25' }));
    assert.equal(formatIp(ranged.allocate()), '10.9.0.128');
    assert.equal(formatIp(ranged.allocate('10.9.0.7')), '10.9.0.7');
    assert.throws(() => ranged.allocate('10.9.0.7'), /Address already in use/);
    ranged.release(parseIp('10.9.0.7')!);
    assert.equal(formatIp(ranged.allocate('10.9.0.7')), '10.9.0.7');
  });

  it('picks 172.17.0.0/16 unless taken, then the next free pool; MACs are 02:42 + address', () => {
    assert.equal(formatIp(pickFreePool([]).base), '172.17.0.0');
    assert.equal(formatIp(pickFreePool([parseCidr('172.17.5.0/24'), parseCidr('172.18.0.0/16')]).base), '172.19.0.0');
    assert.equal(macForIp(parseIp('172.17.0.2')!), '02:42:ac:11:00:02');
  });
});

describe('ports', () => {
  it('expands bindings and -P, and shows them as inspect does', () => {
    const reqs = portRequests({ '80/tcp': [{ HostIp: '', HostPort: '8080' }] }, { '80/tcp': {}, '53/udp': {} }, true);
    assert.deepEqual(reqs, [
      { proto: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPorts: [8080, 8080] },
      { proto: 'udp', containerPort: 53, hostIp: '0.0.0.0', hostPorts: [0, 0] },
    ]);
    assert.deepEqual(portsView({ '81/tcp': {} }, [{ proto: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPort: 8080 }]), { '81/tcp': null, '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] });
  });
});

describe('firewall rules', () => {
  it('renders Berth-owned chains only, with isolation, NAT and DNAT', () => {
    const text = renderRules(chainNames('BERTH'), { networks: [{ bridge: 'berth0', subnet: '172.17.0.0/16', internal: false, icc: true, masquerade: true }], ports: [{ bridge: 'berth0', proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerIp: '172.17.0.2', containerPort: 80 }] }, { hairpin: false });
    assert.match(text, /^\*filter\n:BERTH-FORWARD - \[0:0\]\n/);
    assert.match(text, /-A BERTH-POSTROUTING -s 172\.17\.0\.0\/16 ! -o berth0 -j MASQUERADE/);
    assert.match(text, /-A BERTH ! -i berth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172\.17\.0\.2:80/);
    assert.match(text, /-A BERTH-ISOLATION-STAGE-1 -i berth0 ! -o berth0 -j BERTH-ISOLATION-STAGE-2/);
    assert.doesNotMatch(text, /DOCKER/);
  });
  it('the fake keeps the last state', async () => {
    const f = new FakeFirewall();
    await f.apply({ networks: [], ports: [] });
    assert.equal(f.applied, 1);
  });
});

describe('dns messages', () => {
  it('reads a query and answers it with A records', () => {
    const q = Buffer.from('12340100000100000000000003776562000001' + '0001', 'hex');
    const parsed = parseQuery(q)!;
    assert.equal(parsed.name, 'web');
    assert.equal(parsed.type, 1);
    const a = buildAnswer(q, parsed, ['10.0.0.5']);
    assert.equal(a.readUInt16BE(0), 0x1234);
    assert.equal(a.readUInt16BE(6), 1);
    assert.deepEqual([...a.subarray(a.length - 4)], [10, 0, 0, 5]);
  });
});
