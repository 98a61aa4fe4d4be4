// The ResolverRedirect contract (src/network/resolver-redirect.contract.ts) on the real
// IptablesResolverRedirect, in network namespaces this file makes (files under a temp dir,
// bind-mounted by unshare); plus real queries: a namespace joined to the host by a veth pair on
// 10.218.x.0/30 asks 127.0.0.11 over udp and tcp and an EmbeddedDns on the host end answers,
// seeing the namespace's own address as the asker. Every namespace, veth and socket goes when a
// test ends.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { IptablesResolverRedirect } from '../../../src/network/index.ts';
import { EmbeddedDns } from '../../../src/network/dns-server.ts';
import { resolverRedirectContract, type LoadedRedirect } from '../../../src/network/resolver-redirect.contract.ts';
import { freeThirdOctet } from '../../helpers/daemon.ts';

const dir = mkdtempSync('/tmp/berth-redirect-it-');
const made = new Set<string>();
after(() => {
  for (const ns of made) removeNamespace(ns);
  rmSync(dir, { recursive: true, force: true });
});

function sh(cmd: string, args: string[], input?: string) {
  return spawnSync(cmd, args, { encoding: 'utf8', ...(input === undefined ? {} : { input }) });
}

/** For commands the resolver in this process must answer: spawnSync would block its event loop. */
function shAsync(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => execFile(cmd, args, { timeout: 20_000 }, (_err, stdout, stderr) => resolve({ stdout: String(stdout), stderr: String(stderr) })));
}

function makeNamespace(): string {
  const ns = join(dir, `ns-${randomBytes(4).toString('hex')}`);
  writeFileSync(ns, '');
  const r = sh('unshare', [`--net=${ns}`, 'ip', 'link', 'set', 'lo', 'up']);
  assert.equal(r.status, 0, r.stderr);
  made.add(ns);
  return ns;
}

function removeNamespace(ns: string): void {
  sh('umount', [ns]);
  rmSync(ns, { force: true });
  made.delete(ns);
}

/** What Berth's chains in the namespace hold, from iptables-save and the sysctl there. */
function loaded(ns: string): LoadedRedirect {
  const lines = sh('nsenter', [`--net=${ns}`, 'iptables-save']).stdout.split('\n');
  const count = (line: string) => lines.filter((l) => l === line).length;
  const localnet = sh('nsenter', [`--net=${ns}`, 'cat', '/proc/sys/net/ipv4/conf/all/route_localnet']).stdout.trim();
  const jumps = [count('-A PREROUTING -j BERTH_DNS_PREROUTING'), count('-A OUTPUT -d 127.0.0.11/32 -j BERTH_DNS_OUTPUT'), count('-A POSTROUTING -s 127.0.0.0/8 -j BERTH_DNS_POSTROUTING')];
  const drop = count('-A BERTH_DNS_PREROUTING -d 127.0.0.0/8 ! -i lo -j DROP');
  const installed = jumps.every((j) => j === 1) && drop === 1 && localnet === '1';
  if (!installed) assert.deepEqual([...jumps, drop], [0, 0, 0, 0], `half installed: ${lines.join('\n')}`);
  const targets = new Set<string>();
  for (const proto of ['udp', 'tcp']) {
    const dnat = lines.map((l) => new RegExp(`^-A BERTH_DNS_OUTPUT -d 127\\.0\\.0\\.11/32 -p ${proto} -m ${proto} --dport 53 -j DNAT --to-destination (\\S+):53$`).exec(l)?.[1]).filter(Boolean);
    const snat = lines.map((l) => new RegExp(`^-A BERTH_DNS_POSTROUTING -s 127\\.0\\.0\\.0/8 -d (\\S+)/32 -p ${proto} -m ${proto} --dport 53 -j SNAT --to-source (\\S+)$`).exec(l)).filter((m) => m);
    targets.add(JSON.stringify([dnat, snat.map((m) => [m![1], m![2]])]));
  }
  assert.equal(targets.size, 1, 'udp and tcp lead to the same place');
  const [dnat, snat] = JSON.parse([...targets][0]) as [string[], Array<[string, string]>];
  if (dnat.length === 0 && snat.length === 0) return { installed, target: undefined };
  assert.equal(dnat.length, 1);
  assert.deepEqual(snat, [[dnat[0], snat[0]?.[1]]]);
  return { installed, target: { gateway: dnat[0], address: snat[0][1] } };
}

resolverRedirectContract('IptablesResolverRedirect', async () => {
  const mine: string[] = [];
  return {
    redirect: new IptablesResolverRedirect(),
    namespace: async () => {
      const ns = makeNamespace();
      mine.push(ns);
      return ns;
    },
    loaded: async (ns) => loaded(ns),
    cleanup: async () => {
      for (const ns of mine) removeNamespace(ns);
    },
  };
});

it('IptablesResolverRedirect: 127.0.0.11 answers over udp and tcp from the resolver on the gateway, which sees the namespace\'s address', async () => {
  const x = freeThirdOctet('10.218');
  const [gw, addr] = [`10.218.${x}.1`, `10.218.${x}.2`];
  const ns = makeNamespace();
  const hostEnd = `vrr${randomBytes(3).toString('hex')}`;
  const askers: string[] = [];
  const dns = new EmbeddedDns(gw, {
    resolve: (asker, name) => {
      askers.push(asker);
      return name === 'probe.test' ? ['10.218.0.77'] : undefined;
    },
    upstreams: () => [],
  });
  try {
    let r = sh('ip', ['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    assert.equal(r.status, 0, r.stderr);
    r = sh('ip', ['-batch', '-'], `addr add ${gw}/30 dev ${hostEnd}\nlink set ${hostEnd} up\n`);
    assert.equal(r.status, 0, r.stderr);
    r = sh('nsenter', [`--net=${ns}`, 'ip', '-batch', '-'], `addr add ${addr}/30 dev eth0\nlink set eth0 up\n`);
    assert.equal(r.status, 0, r.stderr);
    await dns.start();
    await new IptablesResolverRedirect().apply(ns, { gateway: gw, address: addr }, { first: true });
    // busybox nslookup asks over udp; a node client inside the namespace asks over tcp.
    const udp = await shAsync('nsenter', [`--net=${ns}`, 'busybox', 'nslookup', 'probe.test', '127.0.0.11']);
    assert.match(udp.stdout, /Address:\s+10\.218\.0\.77/, udp.stdout + udp.stderr);
    const tcpClient = `
      const net = require('node:net');
      const q = Buffer.from('1234010000010000000000000570726f626504746573740000010001', 'hex');
      const len = Buffer.alloc(2); len.writeUInt16BE(q.length);
      const s = net.connect({ host: '127.0.0.11', port: 53 }, () => s.write(Buffer.concat([len, q])));
      let got = Buffer.alloc(0);
      s.on('data', (d) => { got = Buffer.concat([got, d]); if (got.length >= 2 + got.readUInt16BE(0)) { const m = got.subarray(2); console.log(m.subarray(m.length - 4).join('.')); s.destroy(); } });
      s.on('error', (e) => { console.error(e.message); process.exit(1); });`;
    const tcp = await shAsync('nsenter', [`--net=${ns}`, process.execPath, '-e', tcpClient]);
    assert.equal(tcp.stdout, '10.218.0.77\n', tcp.stderr);
    assert.ok(askers.length >= 2);
    assert.deepEqual([...new Set(askers)], [addr]);
  } finally {
    await dns.close();
    sh('ip', ['link', 'del', hostEnd]);
    removeNamespace(ns);
  }
});

it('IptablesResolverRedirect: with route_localnet on, a neighbour still cannot reach the namespace\'s loopback services', async () => {
  // The neighbour sends to 127.0.0.99 through the veth (its own route_localnet, a local-table
  // route and a static neighbour entry make it): only the raw-table DROP stops it on arrival.
  const x = freeThirdOctet('10.218');
  const target = makeNamespace();
  const neighbour = makeNamespace();
  try {
    let r = sh('ip', ['link', 'add', 'vt', 'netns', target, 'type', 'veth', 'peer', 'name', 'vn', 'netns', neighbour]);
    assert.equal(r.status, 0, r.stderr);
    r = sh('nsenter', [`--net=${target}`, 'ip', '-batch', '-'], `addr add 10.218.${x}.2/30 dev vt\nlink set vt up\n`);
    assert.equal(r.status, 0, r.stderr);
    const mac = (JSON.parse(sh('nsenter', [`--net=${target}`, 'ip', '-j', 'link', 'show', 'vt']).stdout) as Array<{ address: string }>)[0].address;
    r = sh('nsenter', [`--net=${neighbour}`, 'sh', '-ec', `ip addr add 10.218.${x}.1/30 dev vn; ip link set vn up; echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet; ip route add table local 127.0.0.99/32 dev vn; ip neigh add 127.0.0.99 lladdr ${mac} dev vn`]);
    assert.equal(r.status, 0, r.stderr);
    await new IptablesResolverRedirect().apply(target, { gateway: `10.218.${x}.1`, address: `10.218.${x}.2` }, { first: true });
    const listener = shAsync('nsenter', [`--net=${target}`, 'timeout', '3', 'busybox', 'nc', '-l', '-p', '7777']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await shAsync('nsenter', [`--net=${neighbour}`, 'sh', '-c', 'echo secret | timeout 2 busybox nc -w1 127.0.0.99 7777']);
    assert.equal((await listener).stdout, '');
  } finally {
    removeNamespace(target);
    removeNamespace(neighbour);
  }
});
