import { runtimeContract } from './runtime.contract.ts';
import { FakeRuntime } from './fakes.test-support.ts';
import type { OciSpec } from '../runtime/index.ts';

runtimeContract('FakeRuntime', () => ({
  runtime: new FakeRuntime(),
  createOptions: (id) => ({
    id,
    name: id.slice(0, 12),
    spec: { process: { args: ['sleep', '600'] } } as OciSpec,
    log: { driver: 'none' },
    stdin: false,
    leaveStdinOpen: false,
  }),
}));
