import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeResolverRedirect, renderResolverRules } from './resolver-redirect.ts';
import { resolverRedirectContract } from './resolver-redirect.contract.ts';

let n = 0;
resolverRedirectContract('FakeResolverRedirect', async () => {
  const redirect = new FakeResolverRedirect();
  const made = new Set<string>();
  // The fake has no kernel: a namespace "exists" once the test made it, and applies elsewhere fail.
  const apply = redirect.apply.bind(redirect);
  redirect.apply = async (netns, target, options) => {
    if (!made.has(netns)) redirect.failing.add(netns);
    return apply(netns, target, options);
  };
  return {
    redirect,
    namespace: async () => {
      const ns = `/run/fake/netns/ns${n++}`;
      made.add(ns);
      return ns;
    },
    loaded: async (netns) => {
      const s = redirect.namespaces.get(netns);
      return { installed: !!s, target: s?.target };
    },
    cleanup: async () => {},
  };
});

describe('renderResolverRules', () => {
  it('DNATs udp and tcp 127.0.0.11:53 to the gateway, SNATs the loopback source to the container address, and drops 127/8 from outside', () => {
    const rules = renderResolverRules({ gateway: '10.1.2.1', address: '10.1.2.5' }, { first: true }).split('\n');
    assert.deepEqual(rules, [
      '*raw',
      ':BERTH_DNS_PREROUTING - [0:0]',
      '-A PREROUTING -j BERTH_DNS_PREROUTING',
      '-A BERTH_DNS_PREROUTING ! -i lo -d 127.0.0.0/8 -j DROP',
      'COMMIT',
      '*nat',
      ':BERTH_DNS_OUTPUT - [0:0]',
      ':BERTH_DNS_POSTROUTING - [0:0]',
      '-A OUTPUT -d 127.0.0.11/32 -j BERTH_DNS_OUTPUT',
      '-A POSTROUTING -s 127.0.0.0/8 -j BERTH_DNS_POSTROUTING',
      '-A BERTH_DNS_OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 10.1.2.1:53',
      '-A BERTH_DNS_POSTROUTING -s 127.0.0.0/8 -d 10.1.2.1/32 -p udp -m udp --dport 53 -j SNAT --to-source 10.1.2.5',
      '-A BERTH_DNS_OUTPUT -d 127.0.0.11/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination 10.1.2.1:53',
      '-A BERTH_DNS_POSTROUTING -s 127.0.0.0/8 -d 10.1.2.1/32 -p tcp -m tcp --dport 53 -j SNAT --to-source 10.1.2.5',
      'COMMIT',
      '',
    ]);
    const later = renderResolverRules(undefined, { first: false });
    assert.doesNotMatch(later, /-A (PREROUTING|OUTPUT|POSTROUTING) /, 'the jumps come once');
    assert.doesNotMatch(later, /DNAT|SNAT/);
  });
});
