// The Netlink contract (src/network/netlink.contract.ts) on the real IprouteNetlink, once with
// `umount --lazy` and once with the umount2 syscall berthd uses. Every test gets a bridge, veth
// names, namespace files and a /24 of its own, and removes them afterwards even when it failed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { IprouteNetlink } from '../../../src/network/index.ts';
import { netlinkContract, type NetlinkContractContext } from '../../../src/network/netlink.contract.ts';
import { MNT_DETACH, loadSyscalls } from '../../../src/sys/index.ts';
import { freeThirdOctet } from '../../helpers/daemon.ts';

function context(netlink: IprouteNetlink): NetlinkContractContext {
  const tag = randomBytes(3).toString('hex');
  const dir = mkdtempSync('/tmp/berth-netlink-');
  const bridge = `bc-${tag}`;
  const veth = (i: number) => `vc${tag}${i}`;
  return {
    netlink,
    bridge,
    subnet: `10.218.${freeThirdOctet('10.218')}`,
    veth,
    netns: (i) => join(dir, `ns${i}`),
    async ownedBy(netns, userns) {
      // root of that user namespace (host uid 100000) may configure the network namespace only
      // if its user namespace owns it
      const r = spawnSync('nsenter', [`--user=${userns}`, `--net=${netns}`, '--setuid', '0', '--setgid', '0', 'ip', 'link', 'set', 'lo', 'down'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(spawnSync('nsenter', [`--user=${userns}`, 'cat', '/proc/self/uid_map'], { encoding: 'utf8' }).stdout, /^\s+0\s+100000\s+65536\n$/);
    },
    cleanup: async () => {
      for (let i = 0; i < 10; i++) spawnSync('ip', ['link', 'del', veth(i)], { stdio: 'ignore' });
      for (const br of [bridge, `${bridge}x`]) spawnSync('ip', ['link', 'del', br], { stdio: 'ignore' });
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m && m.startsWith(dir));
      for (const m of mounts) spawnSync('umount', ['-l', m]);
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

netlinkContract('IprouteNetlink (umount --lazy)', async () => context(new IprouteNetlink()));

const sys = loadSyscalls();
netlinkContract('IprouteNetlink (umount2 MNT_DETACH)', async () => context(new IprouteNetlink({ detach: (path) => sys.umount(path, MNT_DETACH) })));

it('IprouteNetlink: a bridge keeps its MAC while ports come and go, and one an older Berth made gets its MAC pinned', async () => {
  const c = context(new IprouteNetlink());
  const mac = (dev: string) => readFileSync(`/sys/class/net/${dev}/address`, 'utf8').trim();
  const assignType = (dev: string) => readFileSync(`/sys/class/net/${dev}/addr_assign_type`, 'utf8').trim();
  try {
    await c.netlink.ensureBridge(c.bridge, `${c.subnet}.1`, 24, 1500);
    const made = mac(c.bridge);
    assert.match(made, /^02:42:/);
    // Ports with MACs below and above the bridge's: unpinned, it would follow the lowest.
    spawnSync('ip', ['link', 'add', c.veth(0), 'address', '02:00:00:00:00:01', 'type', 'veth', 'peer', 'name', c.veth(1)]);
    spawnSync('ip', ['link', 'set', c.veth(0), 'master', c.bridge]);
    assert.equal(mac(c.bridge), made);
    spawnSync('ip', ['link', 'del', c.veth(0)]);
    assert.equal(mac(c.bridge), made);

    const old = `${c.bridge}x`;
    spawnSync('ip', ['link', 'add', 'name', old, 'type', 'bridge']);
    assert.notEqual(assignType(old), '3', 'made without an address, as older Berth did');
    const before = mac(old);
    await c.netlink.ensureBridge(old, `${c.subnet}.129`, 25, 1500);
    assert.deepEqual([mac(old), assignType(old)], [before, '3']);
  } finally {
    await c.cleanup();
  }
});
