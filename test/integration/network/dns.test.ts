// The embedded DNS as containers see it, at 127.0.0.11 inside their namespace: resolv.conf as
// dockerd writes it, names, aliases and short ids scoped to the networks a container shares,
// and both kept right through network connect and disconnect, a peer's restart and rm. Other
// names go to the container's --dns server, a fake one on a loopback address of this host, so no
// query leaves the machine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freeThirdOctet, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.ts';

let d: TestDaemon;
let upstream: FakeUpstream;
let one = '';
let two = '';

const ok = (args: string[]) => {
  const r = d.berth(args);
  assert.equal(r.code, 0, `berth ${args.join(' ')} (${r.code}): ${r.stderr}`);
  return r.stdout;
};
const ipOn = (name: string, net: string) => ok(['inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, name]).trim();
/** The addresses `nslookup name` in container `c` prints, or the error it printed. */
function lookup(c: string, name: string): string {
  const r = d.berth(['exec', c, 'nslookup', name]);
  const addresses = [...r.stdout.matchAll(/^Address: (\S+)$/gm)].map((m) => m[1]);
  if (addresses.length) return addresses.join(' ');
  return /NXDOMAIN/.test(r.stdout + r.stderr) ? 'NXDOMAIN' : `failed: ${r.stdout}${r.stderr}`.trim();
}
const resolvConf = (c: string) => ok(['exec', c, 'cat', '/etc/resolv.conf']);
const esc = (s: string) => s.replace(/\./g, '\\.');

before(async () => {
  d = await startDaemon();
  ok(['pull', 'busybox']);
  upstream = await startFakeUpstream({ 'external.test': '10.216.0.99' });
  one = `10.214.${freeThirdOctet('10.214')}`;
  two = `10.215.${freeThirdOctet('10.215')}`;
  ok(['network', 'create', '--subnet', `${one}.0/24`, 'dnsone']);
  ok(['network', 'create', '--subnet', `${two}.0/24`, 'dnstwo']);
  // Every container asks the fake upstream for names that are not containers'.
  ok(['run', '-d', '--name', 'peer', '--network', 'dnsone', '--network-alias', 'pal', '--dns', upstream.ip, 'busybox', 'sleep', '600']);
  ok(['run', '-d', '--name', 'peer2', '--network', 'dnstwo', '--dns', upstream.ip, 'busybox', 'sleep', '600']);
});
after(async () => {
  await d?.cleanup();
  await upstream?.stop();
});

describe('embedded DNS at 127.0.0.11', () => {
  it('a container on a user network gets dockerd\'s resolv.conf and resolves names, aliases and short ids there only', () => {
    const out = ok(['run', '--rm', '--network', 'dnsone', '--dns', upstream.ip, '--dns-search', 'corp.test', '--dns-option', 'timeout:2', 'busybox', 'cat', '/etc/resolv.conf']);
    assert.equal(out, 'search corp.test\nnameserver 127.0.0.11\noptions timeout:2 ndots:0\n');
    assert.equal(ok(['run', '--rm', '--network', 'dnsone', '--dns', upstream.ip, '--dns-search', '.', '--dns-option', 'ndots:3', 'busybox', 'cat', '/etc/resolv.conf']), 'nameserver 127.0.0.11\noptions ndots:3\n');
    ok(['run', '-d', '--name', 'asker', '--network', 'dnsone', '--dns', upstream.ip, 'busybox', 'sleep', '600']);
    const peer = ipOn('peer', 'dnsone');
    const id = ok(['inspect', '-f', '{{.Id}}', 'peer']).trim();
    assert.equal(lookup('asker', 'peer'), peer);
    assert.equal(lookup('asker', 'pal'), peer);
    assert.equal(lookup('asker', id.slice(0, 12)), peer);
    assert.equal(lookup('asker', 'peer2'), 'NXDOMAIN', 'peer2 shares no network with asker');
    assert.equal(lookup('asker', 'external.test'), '10.216.0.99', 'other names go to the --dns server');
    assert.match(ok(['exec', 'asker', 'ping', '-c1', '-W2', 'pal']), new RegExp(`PING pal \\(${esc(peer)}\\)`));
  });

  it('a default-bridge container resolves a user network\'s names once connected, on two networks both, and stops when it leaves', () => {
    ok(['run', '-d', '--name', 'late', '--dns', upstream.ip, '--dns-search', '.', '--dns-option', 'timeout:2', 'busybox', 'sleep', '600']);
    assert.equal(resolvConf('late'), `nameserver ${upstream.ip}\noptions timeout:2\n`);
    const before = d.berth(['exec', 'late', 'ping', '-c1', '-W1', 'peer']);
    assert.notEqual(before.code, 0);
    assert.match(before.stderr, /bad address 'peer'/);

    ok(['network', 'connect', 'dnsone', 'late']);
    assert.equal(resolvConf('late'), 'nameserver 127.0.0.11\noptions timeout:2 ndots:0\n');
    assert.equal(lookup('late', 'peer'), ipOn('peer', 'dnsone'));
    assert.match(ok(['exec', 'late', 'ping', '-c1', '-W2', 'peer']), /1 packets received/);
    assert.equal(lookup('late', 'external.test'), '10.216.0.99');
    assert.equal(lookup('late', 'peer2'), 'NXDOMAIN');

    ok(['network', 'connect', '--alias', 'latecomer', 'dnstwo', 'late']);
    assert.equal(lookup('late', 'peer'), ipOn('peer', 'dnsone'));
    assert.equal(lookup('late', 'peer2'), ipOn('peer2', 'dnstwo'));
    assert.equal(lookup('peer2', 'latecomer'), ipOn('late', 'dnstwo'), 'the connect alias resolves for the network\'s members');
    assert.equal(lookup('peer', 'latecomer'), 'NXDOMAIN', 'an alias is scoped to its network');
    assert.equal(lookup('peer', 'late'), ipOn('late', 'dnsone'));

    ok(['network', 'disconnect', 'dnsone', 'late']);
    assert.equal(lookup('late', 'peer'), 'NXDOMAIN');
    assert.equal(lookup('late', 'peer2'), ipOn('peer2', 'dnstwo'));
    assert.equal(lookup('peer', 'late'), 'NXDOMAIN', 'nor is it a name on the network it left');

    // As with dockerd, resolv.conf keeps 127.0.0.11 after the last user network, and other names
    // still resolve through the default bridge's resolver.
    ok(['network', 'disconnect', 'dnstwo', 'late']);
    assert.equal(resolvConf('late'), 'nameserver 127.0.0.11\noptions timeout:2 ndots:0\n');
    assert.equal(lookup('late', 'peer2'), 'NXDOMAIN');
    assert.equal(lookup('late', 'external.test'), '10.216.0.99');
  });

  it('a peer that is stopped stops resolving, and resolves to its new address once started again', () => {
    ok(['stop', '-t', '0', 'peer']);
    assert.equal(lookup('asker', 'peer'), 'NXDOMAIN');
    // Another container takes the next free address meanwhile, so peer's may change.
    ok(['run', '-d', '--name', 'squatter', '--network', 'dnsone', 'busybox', 'sleep', '600']);
    ok(['start', 'peer']);
    assert.equal(lookup('asker', 'peer'), ipOn('peer', 'dnsone'));
    assert.equal(lookup('asker', 'pal'), ipOn('peer', 'dnsone'));
    // A container restarted after `network connect` comes up with 127.0.0.11 at once.
    ok(['network', 'connect', 'dnsone', 'late']);
    ok(['restart', '-t', '0', 'late']);
    assert.equal(resolvConf('late'), 'nameserver 127.0.0.11\noptions timeout:2 ndots:0\n');
    assert.equal(lookup('late', 'pal'), ipOn('peer', 'dnsone'));
  });

  it('after berthd was killed and started again, running containers still resolve, and a disconnect still re-points', async () => {
    await d.stop('SIGKILL');
    await d.start();
    assert.equal(lookup('asker', 'peer'), ipOn('peer', 'dnsone'));
    assert.equal(lookup('late', 'pal'), ipOn('peer', 'dnsone'));
    ok(['network', 'disconnect', 'dnsone', 'late']);
    assert.equal(lookup('late', 'pal'), 'NXDOMAIN');
    assert.equal(lookup('late', 'external.test'), '10.216.0.99');
  });

  it('the rules live in the containers\' namespaces only and go with them; rm leaves no process, namespace or socket', () => {
    const key = ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', 'asker']).trim();
    const inside = spawnSync('nsenter', [`--net=${key}`, 'iptables-save', '-t', 'nat'], { encoding: 'utf8' }).stdout;
    assert.match(inside, new RegExp(`-A BERTH_DNS_OUTPUT -d 127\\.0\\.0\\.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination ${esc(one)}\\.1:53`));
    const outside = spawnSync('iptables-save', { encoding: 'utf8' }).stdout;
    assert.doesNotMatch(outside, /127\.0\.0\.11|BERTH_DNS/);
    // The resolver listens on the gateways of the networks and of the default bridge, udp and tcp.
    const listening = (ip: string) => spawnSync('ss', ['-Hlntu', 'src', `${ip}:53`], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).length;
    const bridgeGw = d.subnet.replace(/0\/24$/, '1');
    assert.deepEqual([listening(`${one}.1`), listening(`${two}.1`), listening(bridgeGw)], [2, 2, 2]);

    ok(['rm', '-f', 'asker', 'late', 'peer', 'peer2', 'squatter']);
    assert.equal(existsSync(key), false);
    assert.deepEqual(readdirSync(join(d.execRoot, 'netns')), []);
    // berthd's children are conmon monitors only while containers run; none are left now.
    const children = readdirSync(`/proc/${d.process.pid}/task`).flatMap((t) => readFileSync(`/proc/${d.process.pid}/task/${t}/children`, 'utf8').trim().split(' ').filter(Boolean));
    assert.deepEqual(children.map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]), []);
    ok(['network', 'rm', 'dnsone', 'dnstwo']);
    assert.deepEqual([listening(`${one}.1`), listening(`${two}.1`)], [0, 0]);
  });
});
