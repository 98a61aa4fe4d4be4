import { FakeFirewall } from './firewall.ts';
import { firewallContract, loadedFromState } from './firewall.contract.ts';

firewallContract('FakeFirewall', async () => {
  const firewall = new FakeFirewall();
  return { firewall, loaded: async () => loadedFromState(firewall.state), bridge: (i) => `bc-fake${i}`, cleanup: async () => {} };
});
