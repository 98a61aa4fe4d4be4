import { FakeNetlink } from './netlink.ts';
import { netlinkContract } from './netlink.contract.ts';

netlinkContract('FakeNetlink', async () => ({
  netlink: new FakeNetlink(),
  bridge: 'bc-fake',
  subnet: '10.218.7',
  veth: (i) => `vcfake${i}`,
  netns: (i) => `/nonexistent/netns/ns${i}`,
  cleanup: async () => {},
}));
