// The behaviour every Firewall implementation owes the network service, as one suite: the unit
// tier runs it on FakeFirewall, test/integration/network/ on IptablesFirewall with chains of its
// own. What is loaded is read back through the context (the fake's state, or iptables-save), so
// the suite states the port's promise — the last state applied is the one loaded, whole — and not
// how one implementation keeps it. (Not named *.test.ts: it registers tests for a caller.)
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Firewall, FirewallState } from './firewall.ts';

export interface LoadedRules {
  /** The bridges that have rules, sorted. */
  bridges: string[];
  /** Each DNAT as "proto hostPort -> containerIp:containerPort", sorted. */
  dnat: string[];
}

export interface FirewallContractContext {
  firewall: Firewall;
  /** Reads back what is loaded now; nothing at all when no rules are there. */
  loaded(): Promise<LoadedRules>;
  /** Bridge names of this run's own (rules may name bridges that do not exist). */
  bridge(i: number): string;
  /** Removes whatever a failed test left behind. */
  cleanup(): Promise<void>;
}

// A host address that is not local: rules for it can never match this machine's traffic.
const hostIp = '192.0.2.1';

export function firewallContract(name: string, make: () => Promise<FirewallContractContext>): void {
  describe(`Firewall contract: ${name}`, () => {
    let c: FirewallContractContext;
    const state = (ports: number[], bridges = [0]): FirewallState => ({
      networks: bridges.map((i) => ({ bridge: c.bridge(i), subnet: `10.219.${i}.0/24`, internal: false, icc: true, masquerade: true })),
      ports: ports.map((p) => ({ bridge: c.bridge(bridges[0]), proto: 'tcp', hostIp, hostPort: p, containerIp: `10.219.${bridges[0]}.2`, containerPort: 80 })),
    });
    const dnat = (ports: number[], i = 0) => ports.map((p) => `tcp ${p} -> 10.219.${i}.2:80`).sort();

    beforeEach(async () => {
      c = await make();
    });
    afterEach(async () => {
      await c.cleanup();
    });

    it('apply loads networks and ports; the next apply replaces them whole', async () => {
      await c.firewall.apply(state([20001, 20002], [0, 1]));
      assert.deepEqual(await c.loaded(), { bridges: [c.bridge(0), c.bridge(1)].sort(), dnat: dnat([20001, 20002]) });
      await c.firewall.apply(state([20003], [1]));
      assert.deepEqual(await c.loaded(), { bridges: [c.bridge(1)], dnat: dnat([20003], 1) });
      await c.firewall.apply({ networks: [], ports: [] });
      assert.deepEqual(await c.loaded(), { bridges: [], dnat: [] });
    });

    it('applies issued back to back end with the last one loaded', async () => {
      await Promise.all([c.firewall.apply(state([20011])), c.firewall.apply(state([20012])), c.firewall.apply(state([20013, 20014]))]);
      assert.deepEqual(await c.loaded(), { bridges: [c.bridge(0)], dnat: dnat([20013, 20014]) });
    });

    it('teardown removes everything; apply works again after it; a second teardown is harmless', async () => {
      await c.firewall.apply(state([20021]));
      await c.firewall.teardown();
      assert.deepEqual(await c.loaded(), { bridges: [], dnat: [] });
      await c.firewall.apply(state([20022]));
      assert.deepEqual(await c.loaded(), { bridges: [c.bridge(0)], dnat: dnat([20022]) });
      await c.firewall.teardown();
      await c.firewall.teardown();
      assert.deepEqual(await c.loaded(), { bridges: [], dnat: [] });
    });
  });
}

/** LoadedRules of a FirewallState (what the fake keeps). */
export function loadedFromState(s: FirewallState): LoadedRules {
  return {
    bridges: s.networks.map((n) => n.bridge).sort(),
    dnat: s.ports.map((p) => `${p.proto} ${p.hostPort} -> ${p.containerIp}:${p.containerPort}`).sort(),
  };
}
