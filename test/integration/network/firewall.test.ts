// The Firewall contract (src/network/firewall.contract.ts) on the real IptablesFirewall, with a
// chain prefix of its own per test; plus what only the real one has: the jumps from the builtin
// chains. Rules name a non-local host address (192.0.2.1) and bridges that do not exist, so they
// never match this machine's traffic. Every chain and jump is removed even when a test failed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { IptablesFirewall, chainNames } from '../../../src/network/index.ts';
import { firewallContract, type LoadedRules } from '../../../src/network/firewall.contract.ts';

function iptablesSave(table: string): string[] {
  return spawnSync('iptables-save', ['-t', table], { encoding: 'utf8' }).stdout.split('\n');
}

/** What Berth's chains of this prefix hold, read back from the kernel. */
function loaded(prefix: string): LoadedRules {
  const bridges: string[] = [];
  const dnat: string[] = [];
  for (const line of iptablesSave('nat')) {
    if (!line.startsWith(`-A ${prefix} `)) continue;
    const ret = /-i (\S+) -j RETURN$/.exec(line);
    if (ret) bridges.push(ret[1]);
    const d = /-p (\w+) .*--dport (\d+) -j DNAT --to-destination (\S+)$/.exec(line);
    if (d) dnat.push(`${d[1]} ${d[2]} -> ${d[3]}`);
  }
  return { bridges: bridges.sort(), dnat: dnat.sort() };
}

function chainsOf(prefix: string): string[] {
  return [...iptablesSave('nat'), ...iptablesSave('filter')].filter((l) => l.startsWith(`:${prefix}`) || (l.startsWith('-A ') && l.includes(`-j ${prefix}`)));
}

function newFirewall(hairpin: boolean) {
  const prefix = `BC${randomBytes(3).toString('hex').toUpperCase()}`;
  const firewall = new IptablesFirewall({ prefix, hairpin });
  return { prefix, firewall };
}

for (const hairpin of [false, true]) {
  firewallContract(`IptablesFirewall (hairpin ${hairpin})`, async () => {
    const { prefix, firewall } = newFirewall(hairpin);
    return {
      firewall,
      loaded: async () => loaded(prefix),
      bridge: (i) => `bc-${prefix.slice(2).toLowerCase()}${i}`,
      cleanup: async () => {
        await firewall.teardown();
        assert.deepEqual(chainsOf(prefix), [], 'teardown left chains or jumps');
      },
    };
  });
}

it('IptablesFirewall: the jumps from PREROUTING, OUTPUT, POSTROUTING and FORWARD come with the first apply and go with teardown', async () => {
  const { prefix, firewall } = newFirewall(false);
  const c = chainNames(prefix);
  const check = (table: string, chain: string, args: string[]) => spawnSync('iptables', ['-w', '-t', table, '-C', chain, ...args]).status === 0;
  try {
    await firewall.apply({ networks: [], ports: [] });
    assert.ok(check('nat', 'PREROUTING', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.nat]));
    assert.ok(check('nat', 'OUTPUT', ['!', '-d', '127.0.0.0/8', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.nat]));
    assert.ok(check('nat', 'POSTROUTING', ['-j', c.postrouting]));
    assert.ok(check('filter', 'FORWARD', ['-j', c.forward]));
  } finally {
    await firewall.teardown();
  }
  assert.deepEqual(chainsOf(prefix), []);
});
