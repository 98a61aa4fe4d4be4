import { FakePortBinder } from './proxy.ts';
import { portBinderContract } from './proxy.contract.ts';

let next = 30000;
portBinderContract('FakePortBinder', async () => ({ binder: new FakePortBinder(), freePort: async () => next++ }));
