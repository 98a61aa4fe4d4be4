// The real docker CLI driving berthd's networking: network ls/create/inspect/connect/disconnect/rm,
// run -p/-P/--network/--link/--dns/--add-host and port, with real traffic only to 127.0.0.1 and to
// container addresses on bridges this suite's daemon made.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { freeThirdOctet, startDaemon, type RunResult, type TestDaemon } from '../helpers/daemon.ts';
import { dockerAgainst } from '../helpers/docker-cli.ts';
import { startFakeUpstream } from '../integration/network/fake-upstream.ts';

let d: TestDaemon;

const docker = (args: string[]): RunResult => dockerAgainst(d, args);
const ok = (args: string[]) => {
  const r = docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')} (${r.code}): ${r.stderr}`);
  return r.stdout;
};
const curl = (url: string) => spawnSync('curl', ['-s', '--max-time', '5', url], { encoding: 'utf8' }).stdout;
async function fetchRetry(url: string): Promise<string> {
  for (let i = 0; i < 30; i++) {
    const body = curl(url);
    if (body) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  return '';
}

before(async () => {
  d = await startDaemon();
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
});
after(async () => {
  await d?.cleanup();
});

describe('docker CLI: networks', () => {
  it('network create, ls, inspect, connect, disconnect, rm', () => {
    const subnet = `10.217.${freeThirdOctet('10.217')}`;
    const id = ok(['network', 'create', '-d', 'bridge', '--subnet', `${subnet}.0/24`, '--gateway', `${subnet}.1`, 'mynet']).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.match(ok(['network', 'ls', '--format', '{{.Name}} {{.Driver}}']), /^mynet bridge$/m);
    assert.match(ok(['network', 'ls']), /^NETWORK ID +NAME +DRIVER +SCOPE\n/);
    const ipam = JSON.parse(ok(['network', 'inspect', '-f', '{{json .IPAM.Config}}', 'mynet'])) as Array<{ Subnet: string; Gateway: string }>;
    assert.deepEqual(ipam, [{ Subnet: `${subnet}.0/24`, Gateway: `${subnet}.1` }]);
    ok(['run', '-d', '--name', 'n1', 'busybox', 'sleep', '1000']);
    ok(['network', 'connect', '--alias', 'db', 'mynet', 'n1']);
    assert.match(ok(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', 'n1']), /mynet/);
    assert.match(ok(['run', '--rm', '--network', 'mynet', 'busybox', 'nslookup', 'db']), new RegExp(`Address: ${subnet.replace(/\./g, '\\.')}\\.\\d+`));
    const busy = docker(['network', 'rm', 'mynet']);
    assert.notEqual(busy.code, 0);
    assert.match(busy.stderr, /has active endpoints/);
    ok(['network', 'disconnect', 'mynet', 'n1']);
    ok(['network', 'rm', 'mynet']);
    assert.doesNotMatch(ok(['network', 'ls', '--format', '{{.Name}}']), /mynet/);
    ok(['rm', '-f', 'n1']);
  });

  it('run -p and -P publish ports reachable on 127.0.0.1; port and ps show them', async () => {
    const hostPort = 20000 + Math.floor(Math.random() * 20000);
    ok(['run', '-d', '--name', 'web', '-p', `${hostPort}:80`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
    assert.equal(ok(['port', 'web']), `80/tcp -> 0.0.0.0:${hostPort}\n`);
    assert.match(ok(['ps', '--filter', 'name=web', '--format', '{{.Ports}}']), new RegExp(`0\\.0\\.0\\.0:${hostPort}->80/tcp`));
    assert.equal((await fetchRetry(`http://127.0.0.1:${hostPort}/hostname`)).trim(), ok(['inspect', '-f', '{{.Config.Hostname}}', 'web']).trim());
    ok(['run', '-d', '--name', 'web2', '-P', '--expose', '8080', 'busybox', 'httpd', '-f', '-p', '8080', '-h', '/etc']);
    const mapped = /0\.0\.0\.0:(\d+)/.exec(ok(['port', 'web2', '8080/tcp']))![1]!;
    assert.notEqual(await fetchRetry(`http://127.0.0.1:${mapped}/hostname`), '');
    ok(['rm', '-f', 'web2']);
  });

  it('run --link, --dns, --add-host, --network none and host', () => {
    const id = ok(['inspect', '-f', '{{.Id}}', 'web']).trim();
    const hosts = ok(['run', '--rm', '--link', 'web:haha', '--add-host', 'extra.test:10.217.0.99', 'busybox', 'cat', '/etc/hosts']);
    assert.match(hosts, new RegExp(`\\thaha ${id.slice(0, 12)} web\\n`));
    assert.match(hosts, /10\.217\.0\.99\textra\.test\n/);
    assert.equal(ok(['run', '--rm', '--dns', '10.217.0.53', 'busybox', 'cat', '/etc/resolv.conf']), 'nameserver 10.217.0.53\n');
    assert.equal(ok(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net | sort | tr "\\n" " "']), 'lo ');
    const hostIfaces = spawnSync('ls', ['/sys/class/net'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).length;
    const inHost = ok(['run', '--rm', '--network', 'host', 'busybox', 'ls', '/sys/class/net']).split('\n').filter(Boolean).length;
    assert.ok(Math.abs(inHost - hostIfaces) <= 2, `${inHost} vs ${hostIfaces}`);
    ok(['rm', '-f', 'web']);
  });

  it('network connect gives a default-bridge container the network\'s names at 127.0.0.11; disconnect takes them away', async () => {
    // Names that are not containers' go to a fake server on a loopback address of this host.
    const upstream = await startFakeUpstream({ 'external.test': '10.217.0.99' });
    const subnet = `10.217.${freeThirdOctet('10.217')}`;
    const nslookup = (c: string, name: string) => {
      const r = docker(['exec', c, 'nslookup', name]);
      return [...r.stdout.matchAll(/^Address: (\S+)$/gm)].map((m) => m[1]).join(' ') || (/NXDOMAIN/.test(r.stdout) ? 'NXDOMAIN' : `failed: ${r.stdout}${r.stderr}`);
    };
    try {
      ok(['network', 'create', '--subnet', `${subnet}.0/24`, 'dnsnet']);
      ok(['run', '-d', '--name', 'peer', '--network', 'dnsnet', '--network-alias', 'pal', '--dns', upstream.ip, 'busybox', 'sleep', '600']);
      ok(['run', '-d', '--name', 'late', '--dns', upstream.ip, '--dns-search', '.', 'busybox', 'sleep', '600']);
      assert.match(docker(['exec', 'late', 'ping', '-c1', '-W1', 'peer']).stderr, /bad address 'peer'/);
      ok(['network', 'connect', 'dnsnet', 'late']);
      assert.equal(ok(['exec', 'late', 'cat', '/etc/resolv.conf']), 'nameserver 127.0.0.11\noptions ndots:0\n');
      const peerIp = ok(['inspect', '-f', '{{.NetworkSettings.Networks.dnsnet.IPAddress}}', 'peer']).trim();
      assert.equal(nslookup('late', 'peer'), peerIp);
      assert.equal(nslookup('late', 'pal'), peerIp);
      assert.match(ok(['exec', 'late', 'ping', '-c1', '-W2', 'peer']), /1 packets received/);
      assert.equal(nslookup('late', 'external.test'), '10.217.0.99');
      ok(['network', 'disconnect', 'dnsnet', 'late']);
      assert.equal(nslookup('late', 'peer'), 'NXDOMAIN');
      assert.equal(ok(['exec', 'late', 'cat', '/etc/resolv.conf']), 'nameserver 127.0.0.11\noptions ndots:0\n');
    } finally {
      docker(['rm', '-f', 'peer', 'late']);
      docker(['network', 'rm', 'dnsnet']);
      await upstream.stop();
    }
  });
});
