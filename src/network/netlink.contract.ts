// The behaviour every Netlink implementation owes the sandbox manager, as one suite: the unit
// tier runs it on FakeNetlink, test/integration/network/ on IprouteNetlink with a bridge, veths
// and namespace files of its own. A fake that passes it can stand in for the kernel in unit tests.
// (Not named *.test.ts: it registers tests for a caller and runs none by itself.)
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { parseCidr } from './ipam.ts';
import type { InterfaceSpec, Netlink } from './netlink.ts';

export interface NetlinkContractContext {
  netlink: Netlink;
  /** A bridge name no one else uses, at most 14 characters (the suite also uses it + "x"). */
  bridge: string;
  /** The first three octets of a /24 no host route covers, e.g. "10.218.7". */
  subnet: string;
  /** Host-side veth names of this run's own (at most 15 characters). */
  veth(i: number): string;
  /** Namespace file paths of this run's own (in a directory that exists). */
  netns(i: number): string;
  /** Removes whatever a failed test left behind under the names above. */
  cleanup(): Promise<void>;
  /** Asserts, where a kernel can show it, that the user namespace at `userns` owns the network namespace at `netns`. */
  ownedBy?(netns: string, userns: string): Promise<void>;
}

export function netlinkContract(name: string, make: () => Promise<NetlinkContractContext>): void {
  describe(`Netlink contract: ${name}`, () => {
    let c: NetlinkContractContext;
    const spec = (i: number, o: Partial<InterfaceSpec> = {}): InterfaceSpec => ({
      netns: c.netns(0),
      bridge: c.bridge,
      hostName: c.veth(i),
      name: `eth${i}`,
      mac: `02:42:0a:00:00:0${i + 2}`,
      address: `${c.subnet}.${i + 2}`,
      prefix: 24,
      mtu: 1500,
      ...o,
    });
    const sorted = async (bridge: string) => (await c.netlink.bridgePorts(bridge)).sort();

    beforeEach(async () => {
      c = await make();
    });
    afterEach(async () => {
      await c.cleanup();
    });

    it('ensureBridge makes the bridge once, and the host then knows its subnet on it', async () => {
      assert.equal(await c.netlink.linkExists(c.bridge), false);
      await c.netlink.ensureBridge(c.bridge, `${c.subnet}.1`, 24, 1500);
      await c.netlink.ensureBridge(c.bridge, `${c.subnet}.1`, 24, 1500);
      assert.equal(await c.netlink.linkExists(c.bridge), true);
      const want = parseCidr(`${c.subnet}.0/24`);
      const onBridge = (await c.netlink.hostSubnets()).filter((r) => r.dev === c.bridge).map((r) => parseCidr(r.cidr));
      assert.ok(onBridge.some((s) => s.base === want.base && s.prefix === 24), JSON.stringify(onBridge));
      assert.deepEqual(await c.netlink.bridgePorts(c.bridge), []);
      await c.netlink.deleteLink(c.bridge);
      assert.equal(await c.netlink.linkExists(c.bridge), false);
    });

    it('a namespace made with its first interface has the host end on the bridge; removing the namespace frees it', async () => {
      await c.netlink.ensureBridge(c.bridge, `${c.subnet}.1`, 24, 1500);
      await c.netlink.createNamespace(c.netns(0), spec(0, { gateway: `${c.subnet}.1` }));
      assert.equal(await c.netlink.linkExists(c.veth(0)), true);
      assert.deepEqual(await sorted(c.bridge), [c.veth(0)]);
      await c.netlink.removeNamespace(c.netns(0));
      // The kernel may reap the pair a moment later; removing the host end as well must be safe.
      await c.netlink.removeInterface(c.veth(0));
      assert.equal(await c.netlink.linkExists(c.veth(0)), false);
      assert.deepEqual(await sorted(c.bridge), []);
    });

    it('addInterface adds interfaces to an existing namespace; removeInterface takes one off the bridge', async () => {
      await c.netlink.ensureBridge(c.bridge, `${c.subnet}.1`, 24, 1500);
      await c.netlink.createNamespace(c.netns(0));
      await c.netlink.addInterface(spec(1, { name: 'eth0' }));
      await c.netlink.addInterface(spec(2, { name: 'eth1' }));
      assert.deepEqual(await sorted(c.bridge), [c.veth(1), c.veth(2)].sort());
      await c.netlink.removeInterface(c.veth(1));
      assert.deepEqual(await sorted(c.bridge), [c.veth(2)]);
      assert.equal(await c.netlink.linkExists(c.veth(1)), false);
      await c.netlink.removeNamespace(c.netns(0));
    });

    it('an interface into a missing namespace or onto a missing bridge fails and leaves no host end', async () => {
      await c.netlink.ensureBridge(c.bridge, `${c.subnet}.1`, 24, 1500);
      await assert.rejects(c.netlink.addInterface(spec(1, { netns: c.netns(9) })));
      assert.equal(await c.netlink.linkExists(c.veth(1)), false);
      await c.netlink.createNamespace(c.netns(0));
      await assert.rejects(c.netlink.addInterface(spec(2, { bridge: `${c.bridge}x` })));
      assert.equal(await c.netlink.linkExists(c.veth(2)), false);
      await assert.rejects(c.netlink.createNamespace(c.netns(1), spec(3, { netns: c.netns(1), bridge: `${c.bridge}x` })));
      assert.equal(await c.netlink.linkExists(c.veth(3)), false);
      assert.deepEqual(await sorted(c.bridge), []);
      await c.netlink.removeNamespace(c.netns(1));
      await c.netlink.removeNamespace(c.netns(0));
    });

    it('a namespace owned by a user namespace takes its first interface and more; both go with removeNamespace', async () => {
      await c.netlink.ensureBridge(c.bridge, `${c.subnet}.1`, 24, 1500);
      const owner = { path: c.netns(5), uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }] };
      await c.netlink.createNamespace(c.netns(0), spec(1, { name: 'eth0', gateway: `${c.subnet}.1` }), owner);
      await c.netlink.addInterface(spec(2, { name: 'eth1' }));
      assert.deepEqual(await sorted(c.bridge), [c.veth(1), c.veth(2)].sort());
      await c.ownedBy?.(c.netns(0), owner.path);
      await c.netlink.removeNamespace(c.netns(0));
      await c.netlink.removeNamespace(owner.path);
      await c.netlink.removeInterface(c.veth(1));
      await c.netlink.removeInterface(c.veth(2));
      assert.deepEqual(await sorted(c.bridge), []);
    });

    it('removing what is not there succeeds', async () => {
      assert.equal(await c.netlink.linkExists(c.veth(7)), false);
      await c.netlink.deleteLink(c.veth(7));
      await c.netlink.removeInterface(c.veth(7));
      await c.netlink.removeNamespace(c.netns(7));
      assert.deepEqual(await c.netlink.bridgePorts(c.bridge), []);
    });
  });
}
