// Networking with real traffic, all of it on this machine: busybox httpd, nc, ping and nslookup
// between containers on bridges this suite's daemon made (10.213–10.216.x.0/24), the host to a
// container's address, and the host to published ports on 127.0.0.1. Never any other address.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freeThirdOctet, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;
const ok = (args: string[]) => {
  const r = d.berth(args);
  assert.equal(r.code, 0, `berth ${args.join(' ')} (${r.code}): ${r.stderr}`);
  return r.stdout;
};
const curl = (url: string) => spawnSync('curl', ['-s', '--max-time', '5', url], { encoding: 'utf8' });
const veths = (bridge: string) => (JSON.parse(spawnSync('ip', ['-j', 'link', 'show', 'master', bridge], { encoding: 'utf8' }).stdout || '[]') as unknown[]).length;
const freePort = () => 20000 + Math.floor(Math.random() * 20000);
const ipOf = (name: string, net = 'bridge') => ok(['inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, name]).trim();
const net24 = (prefix: string) => `${prefix}.${freeThirdOctet(prefix)}`;

before(async () => {
  d = await startDaemon();
  ok(['pull', 'busybox']);
});
after(async () => {
  await d?.cleanup();
});

describe('default bridge', () => {
  it('gives a container an address, a 02:42 MAC, a default route, and its own /etc/hosts entry', () => {
    const base = d.subnet.replace(/\.0\/24$/, '');
    const out = ok(['run', '--rm', '-h', 'box1', '--add-host', 'extra.test:10.213.0.99', 'busybox', 'sh', '-c', 'ip addr show eth0; ip route; cat /etc/hosts /etc/hostname']);
    assert.match(out, new RegExp(`inet ${base.replace(/\./g, '\\.')}\\.\\d+/24`));
    assert.match(out, /link\/ether 02:42:0a:d5:/);
    assert.match(out, new RegExp(`default via ${base.replace(/\./g, '\\.')}\\.1 dev eth0`));
    assert.match(out, /10\.213\.0\.99\textra\.test\n/);
    assert.match(out, new RegExp(`${base.replace(/\./g, '\\.')}\\.\\d+\\tbox1\\n`));
    assert.match(out, /\nbox1\n$/);
  });

  it('the host reaches a container by its address; containers reach each other by address', () => {
    ok(['run', '-d', '--name', 'web', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
    const ip = ipOf('web');
    let r = curl(`http://${ip}/hostname`);
    for (let i = 0; i < 20 && r.stdout === ''; i++) r = curl(`http://${ip}/hostname`);
    assert.equal(r.stdout.trim(), ok(['inspect', '-f', '{{.Config.Hostname}}', 'web']).trim());
    assert.match(ok(['run', '--rm', 'busybox', 'sh', '-c', `ping -c1 -W2 ${ip} >/dev/null && wget -qO- http://${ip}/hostname`]), /^[0-9a-f]{12}\n$/);
  });

  it('--link writes the target in /etc/hosts as alias, short id and name', () => {
    const id = ok(['inspect', '-f', '{{.Id}}', 'web']).trim();
    const out = ok(['run', '--rm', '--link', 'web:haha', 'busybox', 'sh', '-c', 'grep haha /etc/hosts; wget -qO- http://haha/hostname']);
    assert.equal(out, `${ipOf('web')}\thaha ${id.slice(0, 12)} web\n${id.slice(0, 12)}\n`);
  });

  it('--dns, --dns-search and --dns-option make resolv.conf', () => {
    const out = ok(['run', '--rm', '--dns', '10.213.0.53', '--dns-search', 'example.test', '--dns-option', 'ndots:2', 'busybox', 'cat', '/etc/resolv.conf']);
    assert.equal(out, 'search example.test\nnameserver 10.213.0.53\noptions ndots:2\n');
  });
});

describe('published ports', () => {
  it('-p hostPort:containerPort serves the host on 127.0.0.1; port, ps and inspect show it', () => {
    const hp = freePort();
    ok(['run', '-d', '--name', 'pub', '-p', `${hp}:80`, '--expose', '81', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
    let r = curl(`http://127.0.0.1:${hp}/hostname`);
    for (let i = 0; i < 20 && r.stdout === ''; i++) r = curl(`http://127.0.0.1:${hp}/hostname`);
    assert.match(r.stdout, /^[0-9a-f]{12}\n$/);
    assert.equal(ok(['port', 'pub']), `80/tcp -> 0.0.0.0:${hp}\n`);
    assert.equal(ok(['port', 'pub', '80']), `0.0.0.0:${hp}\n`);
    const missing = d.berth(['port', 'pub', '81']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "no public port '81' published for pub\n");
    assert.match(ok(['ps', '--filter', 'name=pub', '--format', '{{.Ports}}']), new RegExp(`^0\\.0\\.0\\.0:${hp}->80/tcp, 81/tcp\\n$`));
    const ports = JSON.parse(ok(['inspect', '-f', '{{json .NetworkSettings.Ports}}', 'pub']));
    assert.deepEqual(ports, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: String(hp) }], '81/tcp': null });
  });

  it('traffic from another host reaches a published port through DNAT', () => {
    // "Another host": a network namespace this test makes, joined to the host by a veth pair on
    // its own /30, sending to the host's side of that pair — never to any other address.
    const hp = Number(ok(['port', 'pub', '80']).trim().split(':')[1]);
    const o = freeThirdOctet('10.219');
    const hostIp = `10.219.${o}.1`;
    const ns = join(d.base, 'peer-netns');
    const veth = `bp${d.bridge.slice(-6)}`;
    writeFileSync(ns, '');
    const sh = (cmd: string[]) => spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', timeout: 15_000 });
    // The DNAT rule's packet counter proves the path (the userland proxy would answer too).
    const dnatPackets = () => {
      const line = sh(['iptables-save', '-c', '-t', 'nat']).stdout.split('\n').find((l) => l.includes(`--dport ${hp} `) && l.includes('-j DNAT'));
      return Number(/^\[(\d+):/.exec(line ?? '')?.[1] ?? -1);
    };
    const before = dnatPackets();
    try {
      assert.equal(sh(['unshare', `--net=${ns}`, 'ip', 'link', 'set', 'lo', 'up']).status, 0);
      assert.equal(sh(['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]).status, 0);
      sh(['ip', 'addr', 'add', `${hostIp}/30`, 'dev', veth]);
      sh(['ip', 'link', 'set', veth, 'up']);
      sh(['nsenter', `--net=${ns}`, 'ip', 'addr', 'add', `10.219.${o}.2/30`, 'dev', 'eth0']);
      sh(['nsenter', `--net=${ns}`, 'ip', 'link', 'set', 'eth0', 'up']);
      let r = sh(['nsenter', `--net=${ns}`, 'curl', '-s', '--max-time', '3', `http://${hostIp}:${hp}/hostname`]);
      for (let i = 0; i < 10 && r.stdout === ''; i++) r = sh(['nsenter', `--net=${ns}`, 'curl', '-s', '--max-time', '3', `http://${hostIp}:${hp}/hostname`]);
      assert.match(r.stdout, /^[0-9a-f]{12}\n$/, r.stderr);
      assert.ok(before >= 0 && dnatPackets() > before, `DNAT counter ${before} → ${dnatPackets()}`);
    } finally {
      sh(['ip', 'link', 'del', veth]);
      sh(['umount', '--lazy', ns]);
    }
  });

  it('a host port in use fails the start with a clear error and the container does not run', () => {
    const hp = Number(ok(['port', 'pub', '80']).trim().split(':')[1]);
    const r = d.berth(['run', '-d', '--name', 'clash', '-p', `${hp}:80`, 'busybox', 'sleep', '60']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, new RegExp(`port is already allocated|address already in use`));
    assert.equal(ok(['inspect', '-f', '{{.State.Running}}', 'clash']), 'false\n');
    ok(['rm', 'clash']);
  });

  it('-p containerPort and -P pick free host ports; udp works through the proxy', () => {
    ok(['run', '-d', '--name', 'eph', '-p', '80', '-P', '--expose', '7/udp', 'busybox', 'sh', '-c', 'nc -lu -p 7 -e cat & httpd -f -p 80 -h /etc']);
    const tcp = Number(ok(['port', 'eph', '80/tcp']).trim().split(':')[1]);
    const udp = Number(ok(['port', 'eph', '7/udp']).trim().split(':')[1]);
    assert.ok(tcp >= 49153 && udp >= 49153, `${tcp} ${udp}`);
    let r = curl(`http://127.0.0.1:${tcp}/hostname`);
    for (let i = 0; i < 20 && r.stdout === ''; i++) r = curl(`http://127.0.0.1:${tcp}/hostname`);
    assert.match(r.stdout, /^[0-9a-f]{12}\n$/);
    ok(['rm', '-f', 'eph']);
    assert.equal(curl(`http://127.0.0.1:${tcp}/hostname`).stdout, '');
  });
});

describe('user-defined networks', () => {
  let netA = '';
  let netB = '';
  before(() => {
    netA = net24('10.214');
    netB = net24('10.215');
  });

  it('create, ls, inspect; bad input gets dockerd\'s errors', () => {
    assert.match(ok(['network', 'create', '--subnet', `${netA}.0/24`, '--gateway', `${netA}.254`, '--label', 'suite=net', 'neta']), /^[0-9a-f]{64}\n$/);
    ok(['network', 'create', '--subnet', `${netB}.0/24`, 'netb']);
    assert.match(ok(['network', 'ls']), /^NETWORK ID +NAME +DRIVER +SCOPE\n[0-9a-f]{12} +bridge +bridge +local\n[0-9a-f]{12} +host +host +local\n[0-9a-f]{12} +neta +bridge +local\n/);
    assert.equal(ok(['network', 'ls', '--filter', 'label=suite=net', '--format', '{{.Name}}']), 'neta\n');
    const n = JSON.parse(ok(['network', 'inspect', 'neta']))[0];
    assert.deepEqual(n.IPAM.Config, [{ Subnet: `${netA}.0/24`, Gateway: `${netA}.254` }]);
    assert.equal(n.Driver, 'bridge');
    const overlap = d.berth(['network', 'create', '--subnet', `${netA}.0/25`, 'over']);
    assert.equal(overlap.stderr, 'Error response from daemon: Pool overlaps with other one on this address space\n');
    assert.equal(d.berth(['network', 'create', '--subnet', 'nonsense', 'bad']).stderr, 'Error response from daemon: Invalid subnet nonsense : invalid CIDR address: nonsense\n');
    assert.equal(d.berth(['network', 'create', '--subnet', '10.216.1.0/24', '--gateway', '10.216.2.1', 'bad']).stderr, 'no matching subnet for gateway 10.216.2.1\n');
    assert.equal(d.berth(['network', 'create', '-d', 'host', 'h2']).stderr, 'Error response from daemon: only one instance of "host" network is allowed\n');
    assert.equal(d.berth(['network', 'create', 'neta']).stderr, 'Error response from daemon: network with name neta already exists\n');
  });

  it('the embedded DNS answers names, aliases and short ids; --ip takes the address asked for', () => {
    ok(['run', '-d', '--name', 'srv', '--network', 'neta', '--network-alias', 'api', '--ip', `${netA}.50`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
    const id = ok(['inspect', '-f', '{{.Id}}', 'srv']).trim();
    const out = ok(['run', '--rm', '--network', 'neta', 'busybox', 'sh', '-c', `nslookup srv; nslookup api; nslookup ${id.slice(0, 12)}; wget -qO- http://api/hostname`]);
    assert.equal((out.match(new RegExp(`Address: ${netA.replace(/\./g, '\\.')}\\.50`, 'g')) ?? []).length, 3, out);
    assert.match(out, new RegExp(`${id.slice(0, 12)}\\n$`));
    const taken = d.berth(['run', '--rm', '--network', 'neta', '--ip', `${netA}.50`, 'busybox', 'true']);
    assert.equal(taken.code, 125);
    assert.match(taken.stderr, /Address already in use/);
    const onBridge = d.berth(['run', '--rm', '--ip', '10.213.0.9', 'busybox', 'true']);
    assert.match(onBridge.stderr, /user specified IP address is supported on user defined networks only/);
  });

  it('isolates networks from each other; connect and disconnect change that on a running container', () => {
    ok(['run', '-d', '--name', 'cli', '--network', 'netb', 'busybox', 'sleep', '120']);
    const srv = `${netA}.50`;
    const probe = () => d.berth(['exec', 'cli', 'sh', '-c', `ping -c1 -W1 ${srv} >/dev/null && wget -qO- http://${srv}/hostname`]);
    const execWorks = d.berth(['exec', 'cli', 'true']).code === 0;
    // without exec (another engineer's work) the same is checked with nc from a new container
    const probeRun = (net: string) => d.berth(['run', '--rm', '--network', net, 'busybox', 'sh', '-c', `ping -c1 -W1 ${srv} >/dev/null && echo reached`]);
    if (execWorks) assert.notEqual(probe().code, 0);
    else assert.equal(probeRun('netb').stdout, '');
    ok(['network', 'connect', '--alias', 'cli2', 'neta', 'cli']);
    assert.match(ok(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}', 'cli']), new RegExp(`neta=${netA.replace(/\./g, '\\.')}\\.\\d+ netb=`));
    if (execWorks) assert.match(probe().stdout, /^[0-9a-f]{12}\n$/);
    const inUse = d.berth(['network', 'rm', 'neta']);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /^Error response from daemon: error while removing network: network neta id [0-9a-f]{64} has active endpoints\n$/);
    ok(['network', 'disconnect', 'neta', 'cli']);
    if (execWorks) assert.notEqual(probe().code, 0);
    const missing = d.berth(['network', 'connect', 'nosuchnet', 'cli']);
    assert.equal(missing.stderr, 'Error response from daemon: network nosuchnet not found\n');
    ok(['rm', '-f', 'cli']);
  });

  it('--internal networks have no route out', () => {
    const n = net24('10.216');
    ok(['network', 'create', '--internal', '--subnet', `${n}.0/24`, 'inside']);
    assert.equal(ok(['run', '--rm', '--network', 'inside', 'busybox', 'ip', 'route']), `${n}.0/24 dev eth0 scope link  src ${n}.2 \n`);
    ok(['network', 'rm', 'inside']);
  });
});

describe('modes', () => {
  it('host shares the host stack; none has loopback only', () => {
    assert.match(ok(['run', '--rm', '--network', 'host', 'busybox', 'ip', 'link']), new RegExp(`: ${d.bridge}:`));
    assert.equal(ok(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', "ip -o link | cut -d: -f2 | tr -d ' '"]), 'lo\n');
  });

  it('container:<name> shares that container\'s namespace, and needs it running', () => {
    ok(['run', '-d', '--name', 'owner', 'busybox', 'sleep', '120']);
    const ip = ipOf('owner');
    assert.match(ok(['run', '--rm', '--network', 'container:owner', 'busybox', 'ip', '-4', 'addr', 'show', 'eth0']), new RegExp(`inet ${ip.replace(/\./g, '\\.')}/24`));
    ok(['stop', '-t', '0', 'owner']);
    const r = d.berth(['run', '--rm', '--network', 'container:owner', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /cannot join network of a non running container: [0-9a-f]{64}/);
  });
});

describe('cleanup', () => {
  it('stop and rm release veths, namespaces and rules; a restarted berthd removes stale ones', async () => {
    ok(['rm', '-f', 'web', 'pub', 'srv', 'owner']);
    assert.equal(veths(d.bridge), 0);
    const sandboxes = () => readdirSync(join(d.execRoot, 'network', 'sandboxes')).map((f) => readFileSync(join(d.execRoot, 'network', 'sandboxes', f), 'utf8'));
    assert.deepEqual(readdirSync(join(d.execRoot, 'netns')), [], `${JSON.stringify(sandboxes())}\n${ok(['ps', '-a'])}`);
    const hp = freePort();
    ok(['run', '-d', '--name', 'keeper', '-p', `${hp}:80`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
    // a crash: berthd dies, and leaves a veth and a namespace file no container owns
    await d.stop('SIGKILL');
    spawnSync('ip', ['link', 'add', 'vethstale1', 'type', 'veth', 'peer', 'name', 'vethstale2']);
    spawnSync('ip', ['link', 'set', 'vethstale1', 'master', d.bridge]);
    writeFileSync(join(d.execRoot, 'netns', 'stale0000000'), '');
    await d.start();
    assert.equal(veths(d.bridge), 1, 'only the running container\'s veth is left');
    assert.ok(!existsSync(join(d.execRoot, 'netns', 'stale0000000')));
    let r = curl(`http://127.0.0.1:${hp}/hostname`);
    for (let i = 0; i < 20 && r.stdout === ''; i++) r = curl(`http://127.0.0.1:${hp}/hostname`);
    assert.match(r.stdout, /^[0-9a-f]{12}\n$/, 'the adopted container\'s port works again');
    assert.match(spawnSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' }).stdout, new RegExp(`--dport ${hp} -j DNAT`));
    ok(['rm', '-f', 'keeper']);
    assert.equal(veths(d.bridge), 0);
    assert.doesNotMatch(spawnSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' }).stdout, new RegExp(`--dport ${hp} -j DNAT`));
    const pruned = ok(['network', 'prune', '-f']);
    // dockerd lists them in no particular order
    const [head, ...names] = pruned.trimEnd().split('\n');
    assert.equal(head, 'Deleted Networks:');
    assert.deepEqual(names.sort(), ['neta', 'netb']);
  });
});
